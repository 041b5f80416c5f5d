// `npm run build:workflows`: bundles workflows/ once for production workers (set MERZIM_WORKFLOW_BUNDLE to the output).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from './worker.js';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
process.stdout.write(
  `Workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB); run workers with MERZIM_WORKFLOW_BUNDLE=${out}\n`,
);
