// PGlite allows one process per data folder: a second one silently loses rows. This lock file
// makes a second process refuse with a clear message, and recognises a lock left by a killed one.
//
// Taking over a stale lock is atomic: the stale file is moved aside by rename (only one process
// can move a given file), and the mover checks that it moved the very file it judged stale. A
// process that moved a fresh lock by mistake puts it back. Then the lock is linked into place,
// which only one process can do. Deleting a stale lock and creating a new one instead let two
// processes racing the takeover both win: the slower one deleted the faster one's new lock.
import {
  closeSync,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Refusal } from '../refusal.ts';

export class DataDirInUseError extends Refusal {}

interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Makes every lock file's text unique, so a stale one is never mistaken for a new one. */
  nonce?: string;
}

export interface Lock {
  release(): void;
}

const ATTEMPTS = 5;

export function lockDataDir(pgliteDir: string, command: string): Lock {
  mkdirSync(path.dirname(pgliteDir), { recursive: true });
  const file = `${pgliteDir}.lock`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (create(file, command)) return holding(file);
    const seen = readWithInode(file);
    if (!seen) continue; // released meanwhile: try again
    const holder = seen.info;
    if (holder && isAlive(holder.pid) && holder.pid !== process.pid) {
      throw new DataDirInUseError(
        `The embedded database ${pgliteDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.startedAt}).\n` +
          'Embedded PGlite allows only one process at a time. Stop that process first, or set DATABASE_URL to a ' +
          'PostgreSQL server, where the server, workers and the command line can run side by side.',
      );
    }
    // Stale: the holder was killed without cleaning up (or the file is unreadable).
    moveAsideIfStill(file, seen);
  }
  throw new DataDirInUseError(`Could not take the lock ${file}; another process keeps taking it.`);
}

/**
 * Creates the lock file only if none exists; false when one does. Written aside first and then
 * linked into place (link never replaces a file), so the lock never exists half-written, where
 * another process would read it as garbage and take it over.
 */
function create(file: string, command: string): boolean {
  const info: LockInfo = {
    pid: process.pid,
    command,
    startedAt: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(draft, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(draft);
  }
}

function holding(file: string): Lock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readWithInode(file)?.info?.pid === process.pid) unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', release);
  return { release };
}

/**
 * Removes the lock file if it is still the file judged stale (same inode and text: an inode
 * alone is reused at once). The rename moves whatever is there now; if that was a new lock of
 * another process, it goes back (link fails rather than overwrite, so nothing newer is replaced).
 */
function moveAsideIfStill(file: string, stale: Seen): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another process moved it
    throw err;
  }
  try {
    if (lstatSync(aside).ino !== stale.ino || readFileSync(aside, 'utf8') !== stale.text) {
      try {
        linkSync(aside, file);
      } catch {
        /* a newer lock is already in place */
      }
    }
  } finally {
    unlinkSync(aside);
  }
}

interface Seen {
  info: LockInfo | undefined;
  ino: number;
  text: string;
}

function readWithInode(file: string): Seen | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const ino = fstatSync(fd).ino;
    const text = readFileSync(fd, 'utf8');
    let info: LockInfo | undefined;
    try {
      info = JSON.parse(text) as LockInfo;
    } catch {
      info = undefined;
    }
    return { info, ino, text };
  } finally {
    closeSync(fd);
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
