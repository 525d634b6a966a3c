/** `netsim list`: the scenario library, with what each shows. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { libraryFiles } from '../files';

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > width - indent.length && line !== '') {
      lines.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

export function register(program: Command): void {
  program.command('list')
    .description('list the bundled scenarios with what each shows')
    .addHelpText('after', `
Run one by name, or copy it and change it.

Example:
  netsim list
  netsim run flash-crowd`)
    .action(() => {
      const width = Math.min(100, process.stdout.columns ?? 100);
      for (const f of libraryFiles()) {
        let desc = '';
        try {
          desc = (JSON.parse(readFileSync(f, 'utf8')) as { description?: string }).description ?? '';
        } catch {
          desc = '(not valid JSON: netsim validate says why)';
        }
        process.stdout.write(`${basename(f, '.json')}\n${wrap(desc, width, '    ')}\n`);
      }
    });
}
