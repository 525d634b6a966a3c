/** The engine's public surface: clock, event queue, simulator, random streams. */
export * from './time';
export { EventQueue, type Handler } from './event-queue';
export { Simulator, type RunOptions, type StopReason } from './simulator';
export { RandomStream, RandomStreams, DiscreteDistribution, EmpiricalDistribution } from './random-stream';
