// Types of bin/bundle.js for the TypeScript that imports it (src/cli/sweep-bundle.ts).
export function bundleModule(entry: string, name: string): Promise<{ url: string } | { url: null; why: string }>;
export function runEntry(entryRel: string, name: string): Promise<void>;
