/**
 * Every scenario of the library runs, and its report is the golden one: a
 * change to any model that moves a measure shows here, and is accepted
 * only on purpose (`npm run golden -- --update`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenNames, goldenText } from './golden';

describe('scenario library: golden reports', () => {
  it.each(goldenNames())('%s', (name) => {
    const file = new URL(`./${name}.txt`, import.meta.url);
    expect(existsSync(file), `test/golden/${name}.txt is missing: npm run golden -- --update`).toBe(true);
    expect(goldenText(name)).toBe(readFileSync(file, 'utf8'));
  }, 300_000); // the comparison runs six designs: about a minute alone on 2 cores, longer beside the other files
});
