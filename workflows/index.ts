// Every workflow the worker registers; the bundler starts here.
export { scheduledNotificationWorkflow } from './scheduled-notification.js';
export { reportingCycleWorkflow } from './reporting-cycle.js';
export { obligationWorkflow } from './obligation.js';
export { openCycleWorkflow } from './open-cycle.js';
