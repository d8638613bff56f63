// Runs the service's CSV export in its own process so its peak memory (VmHWM) is its own.
import { Writable } from 'node:stream';
import { residentMemoryMb } from './proc-memory.ts';
import { openDatabase } from '../../src/db/database.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';

const url = process.argv[2]!;
const handle = await openDatabase({ databaseUrl: url, poolSize: 2 });
let bytes = 0;
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    bytes += chunk.length;
    cb();
  },
});
const started = performance.now();
const rows = await exportResponsesCsv(handle.db, sink);
const ms = performance.now() - started;
await handle.close();
console.log(JSON.stringify({ rows, ms, bytes, peakRssMb: residentMemoryMb().peak }));
