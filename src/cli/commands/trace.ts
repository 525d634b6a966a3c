/** `netsim trace <scenario>`: every packet event of a run as NDJSON, filtered. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseTime } from '../../engine';
import { Recorder, type Stamp } from '../../metrics/recorder';
import { formatIpv4, formatMac, parseIpv4 } from '../../net/address';
import { runSimulation } from '../../scenario/runner';
import { buildSimulation, clusterView } from '../../scenario/build';
import { loadOrFail, scenarioOptions, type ScenarioFlags } from '../common';

export const TRACE_KINDS = ['tx', 'rx', 'drop', 'nic-receive', 'nic-lookup', 'nic-decision', 'nic-local', 'nic-forward', 'nic-migrated', 'tcp-rx', 'request', 'client-rx', 'server-rx', 'report-rx'] as const;

interface Flags extends ScenarioFlags { node?: string[]; kind?: string[]; conn?: { ip: number; port: number | null }; from?: number; to?: number; run?: number }

const IP_KEYS = new Set(['srcIp', 'dstIp', 'clientIp', 'ownerIp', 'localIp', 'remoteIp']);
const MAC_KEYS = new Set(['srcMac', 'dstMac']);

/** Addresses as people read them; everything else as recorded. */
function readable(v: unknown, key = ''): unknown {
  if (typeof v === 'number') return IP_KEYS.has(key) ? formatIpv4(v) : MAC_KEYS.has(key) ? formatMac(v) : v;
  if (Array.isArray(v)) return v.map((x) => readable(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readable(x, k)]));
  return v;
}

function durationArg(v: string): number {
  try {
    return parseTime(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function connArg(v: string): { ip: number; port: number | null } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`"${v}" is not an endpoint; expected IP or IP:port, such as 100.64.0.1:49153`);
  return { ip: parseIpv4(m[1]), port: m[2] !== undefined ? Number(m[2]) : null };
}

function listArg(allowed?: readonly string[]) {
  return (v: string, prev: string[] = []): string[] => {
    const xs = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (allowed !== undefined) for (const x of xs) if (!allowed.includes(x)) throw new InvalidArgumentError(`"${x}" is not an event kind; kinds: ${allowed.join(', ')}`);
    return [...prev, ...xs];
  };
}

export function register(program: Command): void {
  const cmd = program.command('trace')
    .argument('<scenario>', 'a scenario file or library name')
    .description('print every packet event of a run as NDJSON (one JSON object per line)')
    .option('--node <ids>', 'only events at these nodes (comma-separated)', listArg())
    .option('--kind <kinds>', `only these kinds: ${TRACE_KINDS.join(', ')}`, listArg(TRACE_KINDS))
    .option('--conn <ip[:port]>', 'only packets to or from this endpoint (a connection\'s client end)', connArg)
    .option('--from <time>', 'only events at or after this simulated time ("50ms")', durationArg)
    .option('--to <time>', 'only events at or before this simulated time', durationArg)
    .option('--run <k>', 'replication (run number)', (v) => Number(v));
  scenarioOptions(cmd).addHelpText('after', `
Each line has seq (global order), t (ns), ev (the kind) and the packet's
fields as they were at that moment (packets change as they travel).

Examples:
  netsim trace hub --kind nic-decision,nic-forward
  netsim trace l2-switch --conn 100.64.0.1:49153 --to 100ms | jq .`)
    .action((ref: string, f: Flags) => {
      const s = loadOrFail(ref, f);
      const sim = buildSimulation(s, { run: f.run });
      const nodes = f.node !== undefined ? new Set(f.node) : null;
      const kinds = f.kind !== undefined ? new Set(f.kind) : null;
      const nicNode = (i: number): string => sim.cluster?.members[i]?.node.name ?? '';
      const out: string[] = [];
      const flush = (): void => {
        if (out.length > 0) process.stdout.write(out.join(''));
        out.length = 0;
      };
      const sink = (kind: string, ev: Stamp): void => {
        if (kinds !== null && !kinds.has(kind)) return;
        if ((f.from !== undefined && ev.t < f.from) || (f.to !== undefined && ev.t > f.to)) return;
        const e = ev as Stamp & Record<string, unknown>;
        if (nodes !== null) {
          const at = typeof e.node === 'string' ? e.node : typeof e.nic === 'number' ? nicNode(e.nic) : typeof e.server === 'number' ? nicNode(e.server) : '';
          if (!nodes.has(at)) return;
        }
        if (f.conn !== undefined) {
          const c = f.conn;
          const hit = (ip: unknown, port: unknown): boolean => ip === c.ip && (c.port === null || port === c.port);
          if (!hit(e.srcIp, e.srcPort) && !hit(e.dstIp, e.dstPort) && !hit(e.remoteIp, e.remotePort)) return;
        }
        out.push(`${JSON.stringify(readable({ ev: kind, ...e }))}\n`);
        if (out.length >= 512) flush();
      };
      const view = sim.cluster !== null ? clusterView(sim) : { topo: sim.topo, nics: [], members: [], servers: sim.servers, clients: sim.clients };
      new Recorder(view, { keep: false, sink, allDevices: true });
      runSimulation(sim);
      flush();
    });
}
