// PGlite allows one process per data folder: a second one silently loses rows. This lock file
// makes a second process refuse with a clear message, and recognises a lock left by a killed one.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {}

interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
}

export interface Lock {
  release(): void;
}

export function lockDataDir(pgliteDir: string, command: string): Lock {
  mkdirSync(path.dirname(pgliteDir), { recursive: true });
  const file = `${pgliteDir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      const info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readLock(file)?.pid === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(file);
      if (holder && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new DataDirInUseError(
          `The embedded database ${pgliteDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.startedAt}).\n` +
            'Embedded PGlite allows only one process at a time. Stop that process first, or set DATABASE_URL to a ' +
            'PostgreSQL server, where the server, workers and the command line can run side by side.',
        );
      }
      // Stale: the holder was killed without cleaning up (or the file is unreadable).
      try {
        unlinkSync(file);
      } catch {
        /* another process removed it first */
      }
    }
  }
  throw new DataDirInUseError(`Could not take the lock ${file}; another process keeps taking it.`);
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** A pid is ours to respect only if that process is alive and is a node process (pids get reused). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}
