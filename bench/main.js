// `npm run bench`: bench/run.ts, bundled as the netsim command is (bin/bundle.js), so the
// benchmarks measure the code a user runs.
import { runEntry } from '../bin/bundle.js';

await runEntry('bench/run.ts', 'bench');
