#!/usr/bin/env node
// Measures the shape of the code: which folders import each other (cycles between folders),
// which imports run "back up" against the declared layer order, and the largest files.
// Usage: node scripts/import-layers.js [--list]   (--list prints every upward import)
// Reads relative imports (`from './x.ts'`, `import('./x.ts')`) of src/ only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

// Lowest layer first. A module may import its own layer or any lower one; importing a higher
// layer is "back up". Folders not listed here are reported as unknown, so a new folder must be
// placed deliberately. `src` is the loose files at the top of src/ (clock, config, ...).
const LAYERS = [
  ['types', 'refusal', 'clock', 'calendar-date', 'config', 'i18n', 'form-fields'],
  ['db'],
  ['installation', 'audit', 'queue'],
  ['observability'],
  ['register', 'instruments'],
  ['invitations'],
  ['cohort', 'survey', 'paper', 'reports'],
  ['staff', 'api', 'web'],
  ['jobs', 'services'],
  ['commands'],
  ['entry'],
];
const LOOSE = {
  'clock.ts': 'clock',
  'calendar-date.ts': 'calendar-date',
  'config.ts': 'config',
  'refusal.ts': 'refusal',
};
Object.assign(LOOSE, { 'installation.ts': 'installation', 'services.ts': 'services', 'main.ts': 'entry' });
LOOSE['cli.ts'] = 'entry';

const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((name) => [name, i])));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The folder a file belongs to: src/<folder>/… or a loose src file's own name. */
function folderOf(file) {
  const rel = relative(root, file).split('/');
  if (rel.length === 2) return LOOSE[rel[1]] ?? rel[1].replace(/\.ts$/, '');
  return rel[1];
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((spec) => resolve(dirname(file), spec));
}

const files = walk(join(root, 'src'));
const edges = new Map(); // "a -> b" -> count
const upward = [];
const unknown = new Set();
for (const file of files) {
  const from = folderOf(file);
  for (const target of importsOf(file)) {
    const to = folderOf(target);
    if (from === to) continue;
    const key = `${from} -> ${to}`;
    edges.set(key, (edges.get(key) ?? 0) + 1);
    for (const f of [from, to]) if (!layerOf.has(f)) unknown.add(f);
    if (layerOf.get(to) > layerOf.get(from)) upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
  }
}

const pairs = [...edges.keys()]
  .map((key) => key.split(' -> '))
  .filter(([a, b]) => a < b && edges.has(`${b} -> ${a}`))
  .map(([a, b]) => `${a} <-> ${b} (${edges.get(`${a} -> ${b}`)} / ${edges.get(`${b} -> ${a}`)})`);

const sizes = [...files, ...walk(join(root, 'test'))]
  .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
  .sort((a, b) => b.lines - a.lines);

console.log(`folder pairs importing each other: ${pairs.length}`);
for (const p of pairs) console.log(`  ${p}`);
console.log(`upward imports (against the layer order): ${upward.length}`);
const byEdge = new Map();
for (const u of upward) {
  const [a, b] = u.split(' -> ').map((p) => folderOf(join(root, p)));
  byEdge.set(`${a} -> ${b}`, (byEdge.get(`${a} -> ${b}`) ?? 0) + 1);
}
for (const [edge, n] of byEdge) console.log(`  ${edge}: ${n}`);
if (process.argv.includes('--list')) for (const u of upward) console.log(`    ${u}`);
if (unknown.size > 0) console.log(`folders without a layer: ${[...unknown].join(', ')}`);
console.log('largest source files (src):');
for (const s of sizes.filter((s) => !s.file.startsWith('test/')).slice(0, 8)) console.log(`  ${s.lines}\t${s.file}`);
console.log('largest test files:');
for (const s of sizes.filter((s) => s.file.startsWith('test/')).slice(0, 5)) console.log(`  ${s.lines}\t${s.file}`);
