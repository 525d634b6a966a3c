/** `netsim pcap <scenario> --out DIR`: one capture per device, as Wireshark opens them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { attachPcap, type PcapWriter } from '../../net/pcap-writer';
import { BridgeDevice } from '../../nodes/bridge';
import { runSimulation } from '../../scenario/runner';
import { buildSimulation } from '../../scenario/build';
import { loadOrFail, scenarioOptions, type ScenarioFlags } from '../common';

interface Flags extends ScenarioFlags { out: string; node?: string; run?: number }

/** A device name as a file name ("first-lan/server0" -> "first-lan_server0"). */
export function pcapFileName(dev: string): string {
  return `${dev.replace(/[^A-Za-z0-9._-]+/g, '_')}.pcap`;
}

export function register(program: Command): void {
  const cmd = program.command('pcap')
    .argument('<scenario>', 'a scenario file or library name')
    .description('run a scenario and write one libpcap capture per device')
    .requiredOption('--out <dir>', 'folder for the .pcap files')
    .option('--node <ids>', 'only the devices of these nodes (comma-separated)')
    .option('--run <k>', 'replication (run number)', (v) => Number(v));
  scenarioOptions(cmd).addHelpText('after', `
Timestamps are the simulated time in nanoseconds; checksums are real, so
Wireshark and tshark decode every header.

Examples:
  netsim pcap hub --out caps --node server0,router
  wireshark caps/first-lan_server0.pcap`)
    .action((ref: string, f: Flags) => {
      const s = loadOrFail(ref, f);
      const sim = buildSimulation(s, { run: f.run });
      const only = f.node !== undefined ? new Set(f.node.split(',')) : null;
      const writers: [string, PcapWriter][] = [];
      for (const node of sim.topo.nodes) {
        if (only !== null && !only.has(node.name)) continue;
        for (const d of node.devices) if (!(d instanceof BridgeDevice)) writers.push([d.name, attachPcap(d)]);
      }
      runSimulation(sim);
      mkdirSync(f.out, { recursive: true });
      for (const [name, w] of writers) writeFileSync(join(f.out, pcapFileName(name)), w.bytes());
      process.stderr.write(`wrote ${writers.length} captures to ${f.out}\n`);
    });
}
