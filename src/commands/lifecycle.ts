// Commands for the contact programme: the death file, consent withdrawal, the programme's
// settings, and a survivor's contact log. Stops take effect in the database at once; queued jobs
// of stopped steps are removed when Redis answers (otherwise the next pass removes them, and a job
// that runs anyway finds its row cancelled).
import { CHANNEL_RULES, isChannelRule } from '../cohort/channel-rule.ts';
import { importDeathsFile } from '../cohort/deaths-import.ts';
import { erasePerson } from '../invitations/erase.ts';
import { setChannelRule, withdrawConsentStopping } from '../invitations/person.ts';
import { redrawBatchFiles } from '../paper/batch.ts';
import { printBatchDeps } from '../jobs/index.ts';
import { openQueues } from '../queue/queues.ts';
import { removeDeliveryJobs } from '../queue/jobs/delivery.ts';
import { audit } from '../audit/log.ts';
import { withdrawalTimeProblem, type PersonDates } from '../cohort/plausible-dates.ts';
import { calendarDateProblem, isCalendarDate } from '../calendar-date.ts';
import { osloMidnight, parseNow } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { contactLog } from '../invitations/contact-log.ts';
import type { Programme } from '../invitations/programme.ts';
import { EQ5D_ID } from '../instruments/eq5d.ts';
import { checkInstrumentList, pinInstruments, programmeInstrumentIds } from '../instruments/programme.ts';
import { InstrumentRefused } from '../instruments/store.ts';
import { currentProgramme, saveProgramme } from '../invitations/settings.ts';
import { queuePrefixFor } from '../installation.ts';
import { DEFAULT_REDIS_URL, pingRedis } from '../queue/redis.ts';
import type { Services } from '../services.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const lifecycleCommands: CommandGroup = {
  help: [
    'prom deaths import <file.csv>                 record deaths (national_id, date_of_death); stops contact at once',
    'prom consent withdraw <register_id> [--at T]  record a withdrawal of consent (T: when, date or ISO time; default now); stops contact and takes the answers out of every output at once',
    'prom consent erase <register_id>              erase everything about the person at their request (keeps a tombstone)',
    'prom programme [show]                         the contact programme in force (versioned)',
    'prom programme set <key>=<value>…             a new programme version, e.g. reminder1AfterDays=21',
    "prom channel <register_id> email-or-paper|email-only|paper-only   a survivor's channel rule",
    'prom contacts <register_id>                   the contact log of one survivor',
  ],
  commands: { deaths, consent, programme, channel, contacts },
};

async function deaths(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals[0] !== 'import' || positionals.length !== 2)
    throw new UsageError('Usage: prom deaths import <file.csv>');
  return withServices('prom deaths import', false, async (s) => {
    const report = await importDeathsFile(s.database.db, positionals[1]!);
    for (const p of report.problems) console.error(p);
    const removed = await removeJobs(s, report.cancelledOutboxIds);
    console.log(
      `${report.recorded} deaths recorded (${report.matched} known survivors); ${report.invitationsStopped} open invitations stopped, ` +
        `${report.cancelledOutboxIds.length} waiting steps cancelled${removed}; ${report.rejected} rows rejected.`,
    );
    return report.rejected > 0 ? 1 : 0;
  });
}

async function consent(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, { at: { type: 'string' } });
  const usage =
    'Usage: prom consent withdraw <register_id> [--at YYYY-MM-DD|ISO time] | prom consent erase <register_id>';
  if (positionals.length !== 2) throw new UsageError(usage);
  const registerId = positionals[1]!;
  if (positionals[0] === 'erase') return erase(registerId);
  if (positionals[0] !== 'withdraw') throw new UsageError(usage);
  const now = new Date();
  // A date alone means the start of that Oslo day (so today is never "in the future").
  const at =
    values.at === undefined
      ? now
      : values.at.length === 10 && isCalendarDate(values.at)
        ? osloMidnight(values.at)
        : parseNow(values.at);
  if (!at) {
    const reason =
      calendarDateProblem(values.at!.slice(0, 10)) ??
      'is not a date (YYYY-MM-DD) or an ISO time with offset (2026-05-01T08:30+02:00)';
    console.error(`--at: "${values.at}" ${reason}; nothing was recorded.`);
    return 1;
  }
  return withServices('prom consent withdraw', false, async (s) => {
    // Checked here, before anything is written: a withdrawal stops contact for good.
    const problem = withdrawalTimeProblem(at, now, await survivorDates(s.database.db, registerId));
    if (problem) {
      console.error(`--at: ${values.at ?? at.toISOString()} ${problem}; nothing was recorded.`);
      return 1;
    }
    const result = await withdrawConsentStopping(s.database.db, registerId, at);
    if (!result.found) {
      console.error(`No survivor with register_id ${registerId}.`);
      return 1;
    }
    const removed = await removeJobs(s, result.cancelled);
    console.log(
      `Consent withdrawn for ${registerId}: ${result.cancelled.length} waiting steps cancelled${removed}. Nothing more will be sent.`,
    );
    return 0;
  });
}

/** Erasure at the person's request: the rules' owner deletes, the paper module redraws the batch files. */
async function erase(registerId: string): Promise<number> {
  return withServices('prom consent erase', false, async (s) => {
    const result = await erasePerson(s.database.db, registerId, 'prom consent erase', s.config.erasureKey, new Date());
    if (result.kind === 'not-found') {
      console.error(`No survivor with register_id ${registerId}.`);
      return 1;
    }
    const files = await redrawBatchFiles(printBatchDeps(s), result.batchIds);
    await audit(s.database.db, {
      actor: 'prom consent erase',
      action: 'erase',
      entity: 'survivor',
      entityId: result.survivorId,
      details: { counts: result.counts, batches: result.batchIds },
    });
    const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
    console.log(
      `Erased ${registerId}: ${rows} rows deleted, ${files.length / 2} print batches (PDF and manifest) drawn again without the letters. A tombstone keeps only a keyed hash of the national id.`,
    );
    return 0;
  });
}

async function survivorDates(db: Db, registerId: string): Promise<PersonDates | undefined> {
  const row = await db
    .selectFrom('survivors as s')
    .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select(['s.birth_date', 'e.arrest_date'])
    .where('s.register_id', '=', registerId)
    .executeTakeFirst();
  return row && { birthDate: row.birth_date, arrestDate: row.arrest_date };
}

async function programme(args: string[]): Promise<number> {
  const [sub = 'show', ...rest] = args;
  if (sub === 'show' && rest.length === 0) {
    return withServices('prom programme', false, async (s) => {
      const current = await currentProgramme(s.database.db);
      printProgramme(current);
      const ids = await programmeInstrumentIds(s.database.db, current.version);
      if (ids.join() !== EQ5D_ID) console.log(`  instruments=${ids.join(',')}`);
      return 0;
    });
  }
  if (sub !== 'set' || rest.length === 0)
    throw new UsageError('Usage: prom programme [show] | prom programme set <key>=<value>…');
  const { instruments, ...changes } = parseAssignments(rest) as Partial<Programme> & { instruments?: unknown };
  const ids =
    instruments === undefined
      ? undefined
      : String(instruments as string | number)
          .split(',')
          .filter((id) => id !== '');
  return withServices('prom programme set', false, async (s) => {
    const db = s.database.db;
    try {
      if (ids) await checkInstrumentList(db, s.instruments, ids);
      const saved = await saveProgramme(db, changes, 'prom programme set', async (trx, version) => {
        if (ids) await pinInstruments(trx, s.instruments, version, ids);
      });
      printProgramme(saved);
      if (ids) console.log(`  instruments=${(await programmeInstrumentIds(db, saved.version)).join(',')}`);
      return 0;
    } catch (err) {
      if (!(err instanceof InstrumentRefused)) throw err;
      console.error(err.message);
      return 1;
    }
  });
}

async function channel(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  const [registerId, rule] = positionals;
  if (positionals.length !== 2 || !registerId || !rule || !isChannelRule(rule)) {
    throw new UsageError(`Usage: prom channel <register_id> ${CHANNEL_RULES.join('|')}`);
  }
  return withServices('prom channel', false, async (s) => {
    if (!(await setChannelRule(s.database.db, registerId, rule))) {
      console.error(`No survivor with register_id ${registerId}.`);
      return 1;
    }
    console.log(`Channel rule for ${registerId} is now ${rule}.`);
    return 0;
  });
}

async function contacts(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length !== 1) throw new UsageError('Usage: prom contacts <register_id>');
  return withServices('prom contacts', false, async (s) => {
    const survivor = await s.database.db
      .selectFrom('survivors')
      .select('id')
      .where('register_id', '=', positionals[0]!)
      .executeTakeFirst();
    if (!survivor) {
      console.error(`No survivor with register_id ${positionals[0]}.`);
      return 1;
    }
    console.log('step\tchannel\tstate\tintended\tactual\toutcome');
    for (const e of await contactLog(s.database.db, survivor.id)) {
      console.log(
        [e.step, e.channel, e.state, e.intendedAt.toISOString(), e.actualAt?.toISOString() ?? '', e.outcome ?? ''].join(
          '\t',
        ),
      );
    }
    return 0;
  });
}

function printProgramme(p: { version: number; programme: Programme }) {
  console.log(`Programme version ${p.version || 'default'}:`);
  for (const [key, value] of Object.entries(p.programme)) console.log(`  ${key}=${value === null ? 'none' : value}`);
}

/** `reminder1AfterDays=21 reminder2AfterDays=none reminder2Channel=same`; values are checked by the schema. */
function parseAssignments(args: string[]): Partial<Programme> {
  const changes: Record<string, unknown> = {};
  for (const a of args) {
    const m = /^(\w+)=(.*)$/.exec(a);
    if (!m) throw new UsageError(`"${a}" is not key=value.`);
    const [, key, raw] = m as unknown as [string, string, string];
    changes[key] = raw === 'none' ? null : /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return changes;
}

/** Best effort: the rows are already stopped; a Redis outage must not block a stop. */
async function removeJobs(s: Services, outboxIds: number[]): Promise<string> {
  if (outboxIds.length === 0) return '';
  const url = s.config.redisUrl ?? DEFAULT_REDIS_URL;
  if (!(await pingRedis(url))) return ' (Redis did not answer: the next pass removes their jobs)';
  const queues = openQueues(url, await queuePrefixFor(s.database.db, s.config.queuePrefix));
  try {
    await removeDeliveryJobs(queues, outboxIds);
    return ' and their queued jobs removed';
  } finally {
    await queues.close();
  }
}
