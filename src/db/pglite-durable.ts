// PGlite on a folder, made durable. Out of the box a commit is not: PGlite starts PostgreSQL
// with -F (fsync=off); the WASM build's fdatasync() (PostgreSQL's default wal_sync_method) is an
// empty stub; and its fsync() calls the file system's fsync, which Emscripten's NODEFS does not
// have. A committed transaction then sits in the OS page cache until the kernel writes it back
// (Linux: dirty pages older than vm.dirty_expire_centisecs = 30 s, checked every 5 s), so an OS
// crash or power cut can lose up to ~35 s of commits. Found by reading PGlite 0.4.6's
// dist/index.js (defaultStartParams, __syscall_fdatasync, _fd_sync, NODEFS.stream_ops) and
// counting: 50 commits made 0 fdatasync calls before, 51 with the changes below: fsync on,
// wal_sync_method=fsync, and NODEFS's fsync calling fdatasync on the file. Directories are not
// synced (NODEFS keeps no descriptor for them): a new file's name is durable when the file
// system commits its journal (ext4: within 5 s); WAL segments are preallocated and recycled.
import fs from 'node:fs';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

type InitResult = Awaited<ReturnType<NodeFS['init']>>;

interface NodeFsStream {
  nfd?: number;
}

/** NodeFS whose fsync reaches the disk. `patched` tells whether the hook was in place. */
export class DurableNodeFS extends NodeFS {
  patched = false;

  /** `sync`: how a file reaches the disk (tests count the calls). */
  constructor(
    dataDir: string,
    private readonly sync: (fd: number) => void = fs.fdatasyncSync,
  ) {
    super(dataDir);
  }

  override async init(pg: PGliteClass, opts: Parameters<NodeFS['init']>[1]): Promise<InitResult> {
    const result = await super.init(pg, opts);
    const preRun = [result.emscriptenOpts.preRun ?? []].flat();
    result.emscriptenOpts.preRun = [
      ...preRun,
      (mod: unknown) => {
        const ops = (mod as { FS?: { filesystems?: { NODEFS?: { stream_ops?: Record<string, unknown> } } } }).FS
          ?.filesystems?.NODEFS?.stream_ops;
        if (!ops) return;
        ops.fsync = (stream: NodeFsStream) => {
          if (stream.nfd !== undefined) this.sync(stream.nfd);
          return 0;
        };
        this.patched = true;
      },
    ];
    return result;
  }
}

/**
 * PGlite's default start parameters without -F (fsync=off), and WAL flushed with fsync(): the
 * WASM build's fdatasync() (PostgreSQL's default wal_sync_method) returns without calling the
 * file system at all, while fsync() goes through NODEFS's fsync, which is hooked above.
 */
export function durableStartParams(defaults: string[]): string[] {
  return [...defaults.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync'];
}
