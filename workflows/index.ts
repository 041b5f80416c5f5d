// Every workflow the worker registers; the bundler starts here.
export { scheduledNotificationWorkflow } from './scheduled-notification.js';
