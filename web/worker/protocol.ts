/**
 * What the page and the engine worker say to each other (through comlink):
 * where a scenario comes from, what a run posts while it runs (trace chunks
 * and progress, buffers transferred, not copied) and what it ends with, and
 * the inspector's, pcap's and claims panel's requests.
 */
import type { ClaimWalk } from '../../src/inspect/claim-walk';
import type { HeaderLayer } from '../../src/inspect/header-stack';
import type { NetworkMap } from '../../src/inspect/network-map';
import type { InfoTable } from '../../src/inspect/node-tables';
import type { TraceChunk } from '../../src/inspect/trace-format';
import type { ScenarioProblem } from '../../src/scenario/errors';

/** A library scenario by name, or a scenario's text (a dropped file, the editor) with the files it names. */
export type Source =
  | { kind: 'library'; name: string }
  | { kind: 'text'; text: string; file: string; files?: Record<string, string> };

export interface RunRequest {
  source: Source;
  /** Run under this design instead of the scenario's (compare mode). */
  design?: string;
  /** Engine events the run may execute at most (an untrusted file cannot run for ever). */
  eventBudget: number;
  /** Trace events recorded at most (the run goes on unrecorded after, for its measures). */
  traceBudget: number;
  /** Engine events between two posts of the trace. */
  chunkEvents?: number;
}

export interface Prepared {
  ok: true;
  name: string;
  description: string;
  seed: number;
  design: string | null;
  map: NetworkMap;
  /** The event budget the run will have (the scenario's own, or the page's). */
  maxEvents: number;
}

export type Prepare = Prepared | { ok: false; problems: ScenarioProblem[] };

export type RunPost =
  | { kind: 'start'; info: Prepared }
  | { kind: 'chunk'; chunk: TraceChunk }
  | { kind: 'progress'; simNs: number; events: number; fraction: number };

export interface RunEnd {
  stopReason: string;
  metrics: Record<string, number | null>;
  drops: Record<string, number>;
  failures: Record<string, number>;
  /** The summary as `netsim run` prints it: [metric title, value] rows. */
  summary: [string, string][];
  wallMs: number;
  executed: number;
  simNs: number;
  /** Recording stopped at this simulated time (Infinity: the whole run is in the trace). */
  truncatedAt: number;
}

export interface InspectRequest {
  source: Source;
  design?: string;
  /** Engine events to replay to. */
  exec: number;
  /** Frames whose headers to show (a packet's path so far). */
  frames: number[];
  /** The packet's current frame and id, for its fields now. */
  pid: number;
  frame: number;
  /** A node whose tables to show (-1: none). */
  node: number;
}

export interface FrameHeaders { frame: number; t: number; dev: number; layers: HeaderLayer[] }

export interface Inspection {
  headers: FrameHeaders[];
  /** The packet as it is at the moment (null: not known). */
  now: HeaderLayer[] | null;
  tables: InfoTable[] | null;
  /** Simulated time the replay reached. */
  t: number;
  /** Whether the replay had to start again from the beginning. */
  rebuilt: boolean;
}

export interface ClaimReport {
  n: number;
  walk: ClaimWalk;
  /** The library scenario the walk follows. */
  scenario: string;
  checks: { label: string; ok: boolean; detail: string }[];
  facts: [string, string][];
  /** Library scenarios the checks ran on. */
  scenarios: string[];
}

export interface EngineApi {
  validate(text: string, file: string): ScenarioProblem[];
  /** Whether the scenario loads (no build, no run): its problems, if any. */
  check(source: Source, design: string | undefined): Prepare | { ok: true };
  /** Build and run; the first post is 'start' with the network, then trace chunks and progress. */
  run(req: RunRequest, post: (m: RunPost) => void): Promise<RunEnd>;
  inspect(req: InspectRequest): Inspection;
  pcap(source: Source, design: string | undefined, dev: number, exec: number): Uint8Array;
  claim(n: number): ClaimReport;
}
