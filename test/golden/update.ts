/** `npm run golden -- --update`: rewrite the golden reports (and check them without --update). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { goldenNames, goldenText } from './golden';

const update = process.argv.includes('--update');
let stale = 0;
for (const name of goldenNames()) {
  const file = new URL(`./${name}.txt`, import.meta.url);
  const text = goldenText(name);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (old === text) continue;
  if (update) {
    writeFileSync(file, text);
    process.stdout.write(`updated test/golden/${name}.txt\n`);
  } else {
    stale++;
    process.stdout.write(`test/golden/${name}.txt is ${old === null ? 'missing' : 'stale'}\n`);
  }
}
if (stale > 0) {
  process.stdout.write('run `npm run golden -- --update` to rewrite them on purpose\n');
  process.exitCode = 1;
}
