// Shared by the benchmarks: machine facts, the BENCH line, and docs/performance.md sections.
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const quick = process.argv.includes('--quick');
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PERF = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function benchLine(name: string, ratio: number, target: number): string {
  return `BENCH ${name} ratio=${ratio.toFixed(3)} target=${target}`;
}

/** Replaces (or appends) the section `## <name>` of docs/performance.md with fresh figures. */
export function recordSection(name: string, body: string): void {
  const header = `## ${name}`;
  const text = existsSync(PERF) ? readFileSync(PERF, 'utf8') : '# Performance\n\nFigures written by `npm run bench` (files under `test/bench/`). Each benchmark runs its baseline and the service path in the same run on the same machine; ratios are service / baseline throughput, so higher is better.\n';
  const section = `${header}\n\n${body.trim()}\n`;
  const start = text.indexOf(`${header}\n`);
  if (start === -1) {
    writeFileSync(PERF, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + header.length);
  writeFileSync(PERF, `${text.slice(0, start)}${section}${next === -1 ? '' : text.slice(next)}`);
}
