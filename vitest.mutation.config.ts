// The tests StrykerJS runs against each mutant of src/cluster/ (npm run mutation, docs/MUTATION.md).
//
// Which files: the unit tests of src/cluster (test/cluster/unit-*.test.ts and placement,
// validation; milliseconds each), the 48 claims (system and method), and the fault outcomes
// (the exact connections each fault loses). Not (docs/MUTATION.md says why, with the times):
//  - test/claims/wrong-systems.test.ts (~110 s): it checks that hand-made wrong variants fail a
//    claim, i.e. it tests the suite, not src/cluster; a mutant makes a variant no more right.
//  - test/cluster/comparison.test.ts (~25 s): it simulates everything in beforeAll, so Stryker
//    sees its coverage as static (ignored, "ignoreStatic") and its tests only read the results.
//  - test/claims/exchange-claims.test.ts, test/cluster/designs.test.ts, faults.test.ts (~12 s
//    together): the same code on bigger sites (the 48 claims under two more exchanges, every
//    design on three first LANs); unit-designs.test.ts runs each design and exchange small.
//    Every surviving mutant pays for every simulation that covers it, so they would cost
//    about 12 s more per survivor for no mutant that the unit tests leave alive.
// In what order: Stryker stops a mutant's run at its first failing test (bail), so the unit
// files go first, then the simulations from the quickest; a mutant a unit test kills costs
// milliseconds, and only survivors pay for the whole simulated suite.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ORDER = [
  'test/cluster/unit-',
  'test/cluster/placement.test.ts',
  'test/cluster/validation.test.ts',
  'test/claims/system-claims.test.ts',
  'test/claims/method-claims.test.ts',
  'test/cluster/fault-outcomes.test.ts',
];

function rank(file: string): number {
  const i = ORDER.findIndex((p) => file.includes(p));
  return i < 0 ? ORDER.length : i;
}

class UnitFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (f: TestSpecification): string => relative(process.cwd(), f.moduleId);
    return [...files].sort((a, b) => rank(key(a)) - rank(key(b)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
}

export default defineConfig({
  cacheDir: '.vite-mutation',
  test: {
    include: ['test/claims/**/*.test.ts', 'test/cluster/**/*.test.ts'],
    exclude: [
      'test/claims/wrong-systems.test.ts', 'test/cluster/comparison.test.ts',
      'test/claims/exchange-claims.test.ts', 'test/cluster/designs.test.ts', 'test/cluster/faults.test.ts',
    ],
    pool: 'forks',
    testTimeout: 120_000,
    sequence: { sequencer: UnitFirst },
  },
});
