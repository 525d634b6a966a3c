// A sweep worker thread: TypeScript through tsx's loader, then tasks from the parent, rows back.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { runTask } = await import('./sweep-task.ts');
parentPort.on('message', (task) => {
  try {
    parentPort.postMessage({ ok: true, row: runTask(task) });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
