// The worker thread that reads one .xlsx workbook (xlsx.ts parseInThread): its heap is capped by the thread's resource limits,
// so a workbook that would take more memory ends this thread, never the process the API and the Temporal worker share.
import { parentPort } from 'node:worker_threads';
import { readSheets } from './xlsx-read.js';
import type { ThreadReply } from './xlsx.js';

parentPort!.once('message', (data: Uint8Array) => {
  const reply = (r: ThreadReply) => parentPort!.postMessage(r);
  readSheets(data).then(
    (ok) => reply({ ok }),
    (err: unknown) => reply({ failed: err instanceof Error ? err.message : String(err) }),
  );
});
