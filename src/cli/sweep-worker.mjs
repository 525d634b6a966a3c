// A sweep worker thread (see sweep-pool.ts): runTask from the bundle the parent built
// (sweep-bundle.ts), or from the TypeScript through tsx's loader when there is none;
// then tasks from the parent, rows back.
import { parentPort, workerData } from 'node:worker_threads';

// A message is a sweep task (a row back) or, from netsim compare, a design run (a run result back).
let runTask, runDesignTask;
if (typeof workerData?.module === 'string') {
  ({ runTask, runDesignTask } = await import(workerData.module));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runTask, runDesignTask } = await import('./sweep-task.ts'));
}
parentPort.on('message', ({ kind, task }) => {
  try {
    parentPort.postMessage({ ok: true, row: kind === 'design-run' ? runDesignTask(task) : runTask(task) });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
