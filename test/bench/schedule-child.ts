// One side of the schedule benchmark in its own process, so its peak RSS (VmHWM) is its own:
// `service` runs runSchedulingPass with a fixed clock; `baseline` adds the same number of delivery
// jobs (`ob-<n>`, payload { outboxId }) with Queue.addBulk in chunks of 1000, as the service does.
import { residentMemoryMb } from './proc-memory.ts';
import { fixedClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { deliveryJobId } from '../../src/queue/jobs/delivery.ts';
import { openQueues } from '../../src/queue/queues.ts';

const [mode, redisUrl, prefix, arg] = process.argv.slice(2) as [string, string, string, string];
const queues = openQueues(redisUrl, prefix);
await queues.delivery.waitUntilReady();
let out: Record<string, number>;
if (mode === 'service') {
  const handle = await openDatabase({ databaseUrl: arg });
  const at = new Date(process.argv[6]!);
  const started = performance.now();
  const result = await runSchedulingPass(handle.db, queues, fixedClock(at));
  const ms = performance.now() - started;
  await handle.close();
  out = { ms, invited: result.invited, queued: result.dueOutboxIds.length };
} else {
  const n = Number(arg);
  const started = performance.now();
  for (let i = 1; i <= n; i += 1000) {
    const jobs = [];
    for (let id = i; id < Math.min(i + 1000, n + 1); id++)
      jobs.push({ name: 'deliver', data: { outboxId: id }, opts: { jobId: deliveryJobId(id) } });
    await queues.delivery.addBulk(jobs);
  }
  out = { ms: performance.now() - started, invited: 0, queued: n };
}
out.waiting = await queues.delivery.getWaitingCount();
// What the process still holds once garbage is collected (run with --expose-gc): peak RSS also
// counts garbage V8 had not collected yet, which grows with the allocation rate, not the data.
(globalThis as { gc?: () => void }).gc?.();
out.heapAfterGcMb = process.memoryUsage().heapUsed / 2 ** 20;
await queues.close();
console.log(JSON.stringify({ ...out, peakRssMb: residentMemoryMb().peak }));
