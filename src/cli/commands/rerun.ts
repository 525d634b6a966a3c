/** `netsim rerun <file>:<row>`: the exact command that reproduces one sweep row. */
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { readRows } from '../sweep-rows';

function quote(s: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function register(program: Command): void {
  program.command('rerun')
    .argument('<row>', 'a sweep file and a row number (1 = the first row after the header), as results.csv:7')
    .description('print the netsim run command that reproduces one row of a sweep')
    .addHelpText('after', `
Example:
  netsim rerun sweep.csv:3
  $(netsim rerun sweep.csv:3) --out out/row3`)
    .action((spec: string) => {
      const m = /^(.*):(\d+)$/.exec(spec);
      if (m === null) throw new UsageError(`"${spec}" is not file:row, such as sweep.csv:3`);
      const rows = readRows(m[1]);
      const k = Number(m[2]);
      const row = rows[k - 1];
      if (row === undefined) throw new UsageError(`${m[1]} has ${rows.length} rows; there is no row ${k}`);
      const sets = [...row.set, ...Object.entries(row.params).map(([p, v]) => `${p}=${v}`)];
      const words = ['npx', 'netsim', 'run', row.scenario, '--run', String(row.run), ...sets.flatMap((s) => ['--set', s])];
      process.stdout.write(`${words.map(quote).join(' ')}\n`);
    });
}
