#!/usr/bin/env node
// The netsim command: src/cli/main.ts, bundled by esbuild (bin/bundle.js says why), no build step.
import { runEntry } from './bundle.js';

await runEntry('src/cli/main.ts', 'cli');
