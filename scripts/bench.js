#!/usr/bin/env node
// `npm run bench [-- --quick]`: runs every benchmark in test/bench/*.ts (not the helpers) one
// after another; each prints its figures and a `BENCH <name> ratio=… target=…` line (startup.ts,
// which has no baseline, only its figures) and updates its section of docs/performance.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const helpers = new Set(['support.ts', 'proc-memory.ts']);
const benches = readdirSync('test/bench')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('-child.ts') && !helpers.has(f))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `test/bench/${file}`, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
