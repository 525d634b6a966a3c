// A sweep worker thread (see sweep-pool.ts): runTask from the bundle the parent built
// (sweep-bundle.ts), or from the TypeScript through tsx's loader when there is none;
// then tasks from the parent, rows back.
import { parentPort, workerData } from 'node:worker_threads';

let runTask;
if (typeof workerData?.module === 'string') {
  ({ runTask } = await import(workerData.module));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runTask } = await import('./sweep-task.ts'));
}
parentPort.on('message', (task) => {
  try {
    parentPort.postMessage({ ok: true, row: runTask(task) });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
