/**
 * The engine worker: everything that simulates runs here, never on the
 * page, so the page stays responsive and can end a run by terminating the
 * worker. It loads scenarios (library or text), runs them with a FrameLog
 * posting trace chunks as the run goes, replays to a moment for the
 * inspector, writes pcap files, and runs the conformance suite's claim
 * checks and walks. A scenario is data only (JSON): nothing in it can run
 * code; the event budget bounds how long it can run.
 */
import * as Comlink from 'comlink';
import { checkClaim } from '../../src/claims/claim-table';
import { claim as claimText } from '../../src/claims/claim-texts';
import { Evidence } from '../../src/claims/evidence';
import { SCENARIOS, setScenarioSource } from '../../src/claims/scenarios';
import { claimWalk } from '../../src/inspect/claim-walk';
import { FrameLog } from '../../src/inspect/frame-log';
import { headerStack } from '../../src/inspect/header-stack';
import { pcapOf, Replay } from '../../src/inspect/replay';
import { chunkBuffers } from '../../src/inspect/trace-format';
import { buildSimulation } from '../../src/scenario/build';
import { ScenarioError } from '../../src/scenario/errors';
import { loadScenario, withDesign, type LoadResult, type Scenario } from '../../src/scenario/load';
import { metricsOf, summaryTable } from '../../src/scenario/report';
import { runSimulation } from '../../src/scenario/runner';
import type { Design } from '../../src/scenario/schema';
import { LIBRARY_FILES, libraryText } from '../lib/library';
import type { ClaimReport, EngineApi, Inspection, InspectRequest, RunEnd, RunPost, RunRequest, Source } from './protocol';

const encoder = new TextEncoder();

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function fileReader(extra: Record<string, string> | undefined): (path: string) => Uint8Array {
  return (path) => {
    const name = baseName(path);
    const text = extra?.[name] ?? LIBRARY_FILES.get(name);
    if (text === undefined) throw new Error(`the page has no file "${path}": drop it together with the scenario`);
    return encoder.encode(text);
  };
}

function load(source: Source, design: string | undefined, set: string[] = []): LoadResult {
  const text = source.kind === 'library' ? libraryText(source.name) : source.text;
  const file = source.kind === 'library' ? `${source.name}.json` : source.file;
  if (text === undefined) return { ok: false, problems: [{ file, path: [], message: `no library scenario named "${source.kind === 'library' ? source.name : file}"` }] };
  const readFile = fileReader(source.kind === 'text' ? source.files : undefined);
  const r = loadScenario(text, { file, readFile, set });
  if (!r.ok || design === undefined || r.scenario.cluster?.design === design) return r;
  return withDesign(r.scenario, design as Design, { readFile, set });
}

/** The scenario with the page's event budget, unless its own is smaller. */
function loadBudgeted(source: Source, design: string | undefined, eventBudget: number): LoadResult {
  const r = load(source, design);
  if (!r.ok) return r;
  const own = r.scenario.stop.maxEvents;
  return own !== undefined && own <= eventBudget ? r : load(source, design, [`stop.maxEvents=${eventBudget}`]);
}

setScenarioSource((name) => {
  const r = load({ kind: 'library', name }, undefined);
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
});

let replay: { key: string; r: Replay } | null = null;

function replayFor(source: Source, design: string | undefined): { r: Replay; fresh: boolean } {
  const key = JSON.stringify([source, design ?? null]);
  if (replay?.key === key) return { r: replay.r, fresh: false };
  const l = load(source, design);
  if (!l.ok) throw new ScenarioError(l.problems);
  replay = { key, r: new Replay(l.scenario) };
  return { r: replay.r, fresh: true };
}

function summary(s: Scenario, result: ReturnType<typeof runSimulation>): [string, string][] {
  const t = summaryTable({ scenario: s.name, description: s.description, hash: '', seed: s.seed, groups: [{ label: result.design, runs: [result] }], metrics: metricsOf(s) });
  return t.rows.map((row) => [String(row.metric), String(row.g0)]);
}

const api: EngineApi = {
  validate(text, file) {
    const r = loadScenario(text, { file, readFile: fileReader(undefined) });
    return r.ok ? [] : r.problems;
  },

  check(source, design) {
    const r = load(source, design);
    return r.ok ? { ok: true as const } : r;
  },

  async run(req: RunRequest, post: (m: RunPost) => void): Promise<RunEnd> {
    const r = loadBudgeted(req.source, req.design, req.eventBudget);
    if (!r.ok) throw new ScenarioError(r.problems);
    const s = r.scenario;
    const sim = buildSimulation(s);
    const fl = new FrameLog(sim, { maxEvents: req.traceBudget });
    post({
      kind: 'start',
      info: { ok: true, name: s.name, description: s.description, seed: s.seed, design: s.cluster?.design ?? null, map: fl.index.map, maxEvents: s.stop.maxEvents ?? req.eventBudget },
    });
    const flush = (): void => {
      const chunk = fl.takeChunk();
      post(Comlink.transfer({ kind: 'chunk', chunk }, chunkBuffers(chunk)));
    };
    const result = runSimulation(sim, {
      chunkEvents: req.chunkEvents ?? 40_000,
      onProgress: (p) => {
        if (!fl.truncated || fl.events.n > 0) flush();
        post({ kind: 'progress', simNs: p.simNs, events: p.events, fraction: p.fraction });
      },
    });
    flush();
    return {
      stopReason: result.stopReason, metrics: result.metrics, drops: result.drops, failures: result.failures, summary: summary(s, result),
      wallMs: result.wallMs, executed: sim.sim.executed, simNs: sim.net.now, truncatedAt: fl.truncated ? fl.truncatedAt : Infinity,
    };
  },

  inspect(req: InspectRequest): Inspection {
    const { r, fresh } = replayFor(req.source, req.design);
    const before = r.builds;
    r.to(req.exec);
    const headers = req.frames.flatMap((f) => {
      const x = r.frame(f);
      return x !== null ? [{ frame: f, t: x.t, dev: x.dev, layers: headerStack(x.fields) }] : [];
    });
    const now = req.frame >= 0 ? r.packetNow(req.frame, req.pid) : null;
    return {
      headers, now: now !== null ? headerStack(now) : null, tables: req.node >= 0 ? r.tables(req.node) : null, t: r.now,
      rebuilt: fresh || r.builds !== before,
    };
  },

  pcap(source, design, dev, exec) {
    const l = load(source, design);
    if (!l.ok) throw new ScenarioError(l.problems);
    const bytes = pcapOf(l.scenario, dev, exec);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  claim(n): ClaimReport {
    const ev = new Evidence(claimText(n));
    checkClaim(n, ev);
    const walk = claimWalk(n);
    return {
      n, walk, scenario: SCENARIOS[walk.scenario], checks: ev.checks.map((c) => ({ ...c })), facts: ev.facts.map(([k, v]) => [k, v]),
      scenarios: ev.scenarios.map((k) => SCENARIOS[k]),
    };
  },
};

Comlink.expose(api);

