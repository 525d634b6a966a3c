/**
 * EventQueue: the pending-event set of the simulator, a LadderQueue
 * (ladder-queue.ts) that is a plain binary heap while at most `heapMax`
 * events are pending.
 *
 * Chosen by `npm run bench -- queues` (hold model, pending 10 .. 1 M, three
 * increment distributions; bench/README.md keeps the table): against the
 * heap alone it is 1.1-1.4x at 1 k pending, 1.5-2x at 10 k, 1.6-2.2x at
 * 100 k and 2.1x at 1 M, under every distribution. The heap stays ahead at
 * 10-100 pending (the ladder's mode check costs ~10%) and on the chain
 * (one event pending: 0.9x). The calendar queue is faster still at 100-100 k
 * under smooth increments but collapses on bimodal ones and at 1 M (0.06x),
 * so it is kept only as a benchmark rival (calendar-queue.ts), like the
 * two-level bucket queue (a ladder with one rung).
 */
import { LadderQueue, type LadderTuning } from './ladder-queue';

export type { Handler } from './event-slots';

/** The tuning EventQueue runs with. */
export const EVENT_QUEUE_TUNING: Readonly<LadderTuning> = Object.freeze({
  heapMax: 512,
  bucketLoad: 8,
  spawnAbove: 48,
  childLoad: 4,
  maxRungs: 8,
});

export class EventQueue extends LadderQueue {
  constructor(initialCapacity = 1024) {
    super(initialCapacity, EVENT_QUEUE_TUNING);
  }
}
