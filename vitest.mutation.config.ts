// The tests StrykerJS runs against each mutant of src/cluster/ (npm run mutation): the claims and cluster suites.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/claims/**/*.test.ts', 'test/cluster/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
