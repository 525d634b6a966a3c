/** `netsim figure <scenario> --out DIR`: the patent-style figures of a scenario, as the visualizer exports them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { connectionSequence, pickConnection, sequenceFigure, topologyFigure } from '../../figures';
import { FrameLog } from '../../inspect/frame-log';
import { TraceLog } from '../../inspect/trace-log';
import { formatIpv4, parseIpv4 } from '../../net/address';
import { buildSimulation } from '../../scenario/build';
import { runSimulation } from '../../scenario/runner';
import { UsageError } from '../errors';
import { loadOrFail, scenarioOptions, type ScenarioFlags } from '../common';

interface Flags extends ScenarioFlags { out: string; conn?: { ip: number; port: number }; run?: number }

function connArg(v: string): { ip: number; port: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`"${v}" is not a client end point; expected IP:port, such as 100.64.0.17:49153`);
  return { ip: parseIpv4(m[1]), port: Number(m[2]) };
}

export function register(program: Command): void {
  const cmd = program.command('figure')
    .argument('<scenario>', 'a scenario file or library name')
    .description('write patent-style figures (37 CFR 1.84) of a scenario: FIG. 1 the network, FIG. 2 one connection\'s sequence')
    .requiredOption('--out <dir>', 'folder for fig1-topology.svg and fig2-sequence.svg')
    .option('--conn <ip:port>', 'the connection FIG. 2 shows, by its client end point (default: one forwarded to another server and answered)', connArg)
    .option('--run <k>', 'replication (run number)', (v) => Number(v));
  scenarioOptions(cmd).addHelpText('after', `
Black lines on white, reference numerals (100, 102, ...) the same in both
figures, inside the 17.0 x 26.2 cm sight area of an A4 sheet. The visualizer's
"Figures" panel writes the same files from the same code.

Examples:
  netsim figure l2-switch --out figs
  netsim figure hub --out figs --conn 100.64.0.17:49153`)
    .action((ref: string, f: Flags) => {
      const s = loadOrFail(ref, f);
      const sim = buildSimulation(s, { run: f.run });
      const fl = new FrameLog(sim);
      runSimulation(sim);
      const log = new TraceLog();
      log.append(fl.takeChunk());
      const map = fl.index.map;
      mkdirSync(f.out, { recursive: true });
      const files: string[] = [];
      const write = (name: string, svg: string): void => {
        writeFileSync(join(f.out, name), svg);
        files.push(join(f.out, name));
      };
      write('fig1-topology.svg', topologyFigure(map, 1).svg);
      const conn = f.conn !== undefined
        ? log.conns.findIndex((c) => c.clientIp === f.conn!.ip && c.clientPort === f.conn!.port)
        : pickConnection(log);
      if (f.conn !== undefined && conn < 0) {
        const some = log.conns.slice(0, 5).map((c) => `${formatIpv4(c.clientIp)}:${c.clientPort}`).join(', ');
        throw new UsageError(`no connection from ${formatIpv4(f.conn.ip)}:${f.conn.port} in this run; connections include ${some}`);
      }
      if (conn >= 0) write('fig2-sequence.svg', sequenceFigure(map, connectionSequence(log, map, conn), 2).svg);
      else process.stderr.write('netsim: the run has no service connection, so there is no FIG. 2\n');
      for (const x of files) process.stderr.write(`wrote ${x}\n`);
    });
}
