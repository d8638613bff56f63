// A process's resident memory from /proc (Linux), for the benchmarks' memory figures. No imports
// beyond node:fs, so a child that measures itself loads nothing extra.
import { readFileSync } from 'node:fs';

/** VmRSS (now) and VmHWM (peak) of a process, in MB; `self` by default. */
export function residentMemoryMb(pid: number | 'self' = 'self'): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
