import { fixedClock, parseNow, systemClock, type Clock } from '../clock.ts';
import { waitForDrain } from '../invitations/drain.ts';
import { runSchedulingPass } from '../invitations/scheduler.ts';
import { startWorkers } from '../jobs/index.ts';
import { deliveryJobQueued } from '../queue/jobs/delivery.ts';
import { PROFILE_MISSING } from '../invitations/profile-hold.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const invitationCommands: CommandGroup = {
  help: [
    'prom schedule [--now <date|time>] [--drain] [--timeout <seconds>]',
    '                                              one scheduling pass; --drain also sends what it made due',
  ],
  commands: { schedule },
};

/** `--now` as a clock: a date means noon in Oslo that day; a time needs its offset. */
export function clockFrom(now: string | undefined): Clock {
  if (now === undefined) return systemClock;
  const at = parseNow(now);
  if (!at)
    throw new UsageError(
      `--now: "${now}" is not a date (YYYY-MM-DD) or an ISO time with offset (2026-05-01T08:30+02:00).`,
    );
  return fixedClock(at);
}

async function schedule(args: string[]): Promise<number> {
  const { values } = parse(args, { now: { type: 'string' }, drain: { type: 'boolean' }, timeout: { type: 'string' } });
  const clock = clockFrom(values.now);
  const timeoutS = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new UsageError('--timeout must be a positive number of seconds.');
  return withServices('prom schedule', true, async (s) => {
    const deps = { db: s.database.db, views: s.views, mailer: s.mailer, publicUrl: s.config.publicUrl };
    // Workers start before the pass so the jobs it queues are taken here, with the same clock.
    const onForeignJob = (id: number, prefix: string) =>
      console.error(
        `A delivery job for outbox row ${id} is not for this database; dropped untouched (another installation using QUEUE_PREFIX=${prefix}?).`,
      );
    const workers = values.drain ? startWorkers(deps, s.queues!, clock, { scheduler: false, onForeignJob }) : undefined;
    try {
      const pass = await runSchedulingPass(s.database.db, s.queues, clock);
      console.log(
        `Pass at ${clock.now().toISOString()}: ${pass.invited} invited, ${pass.neverInvited} outside the window or stopped, ${pass.dueOutboxIds.length} e-mails due.`,
      );
      console.log(
        `${pass.toPrint} letters made due for print, ${pass.held} letters held (no postal address), ${pass.expired} windows closed, ` +
          `${pass.stopped} waiting steps stopped, ${pass.deferred} deferred (vital status unknown).`,
      );
      // Held steps are not waited for: they go at the first pass after a profile is set.
      if (pass.profileHeld > 0)
        console.log(`${pass.profileHeld} steps held: ${PROFILE_MISSING} (prom register set FILE)`);
      if (pass.markedUnknown > 0)
        console.log(`${pass.markedUnknown} sends left unfinished by a stopped worker are now "unknown" for staff.`);
      if (!workers) return 0;
      const settled = await waitForDrain(
        s.database.db,
        pass.dueOutboxIds,
        timeoutS * 1000,
        100,
        deliveryJobQueued(s.queues!),
      );
      const c = settled.counts;
      console.log(
        `Drained: ${c.sent} sent, ${c.cancelled} cancelled, ${c.failed} failed, ${c.unknown} unknown, ${c.paper} moved to paper, ${c.deferred} deferred.`,
      );
      if (settled.lost > 0) {
        console.error(
          `${settled.lost} e-mails were not sent: their jobs left the queue without being run by this installation's workers ` +
            `(another installation using QUEUE_PREFIX=${s.queues!.prefix} on this Redis?). They stay pending; the next pass queues them again.`,
        );
      }
      const retrying = settled.waiting - settled.lost;
      if (retrying > 0)
        console.error(
          `${retrying} e-mails are still waiting after ${timeoutS} s (temporary errors); the running workers will retry them.`,
        );
      if (settled.waiting > 0) return 1;
      return 0;
    } finally {
      await workers?.close();
    }
  });
}
