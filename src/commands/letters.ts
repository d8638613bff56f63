// `prom letters`: print batches of paper letters (docs/paper.md). Making a batch checks every
// letter again and writes one merged PDF and a CSV manifest; the letters count as sent only once
// the batch is confirmed as handed over. A reprint is always a deliberate, separate command.
import { printBatchDeps } from '../jobs/index.ts';
import { listBatches, makeBatch, confirmBatch, reprintBatch } from '../paper/batch.ts';
import { doubleEntryOn, setDoubleEntry } from '../paper/entry.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';
import { clockFrom } from './invitations.ts';

export const letterCommands: CommandGroup = {
  help: [
    'prom letters [--now <date|time>] --out <dir>  a print batch of every letter due: one PDF and a CSV manifest',
    'prom letters confirm <batch-id>               the batch was handed to the print shop: its letters are sent',
    'prom letters reprint <batch-id> --out <dir>   draw a batch again on purpose (same letters and codes)',
    'prom letters list                             recent print batches',
    'prom letters double-entry [on|off]            whether returned forms are entered twice (default on)',
  ],
  commands: { letters },
};

const batchDeps = printBatchDeps;

async function letters(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { now: { type: 'string' }, out: { type: 'string' } });
  const [sub, ...rest] = positionals;
  if (sub === undefined) {
    if (!values.out) throw new UsageError('Usage: prom letters [--now <date>] --out <dir>');
    const clock = clockFrom(values.now);
    return withServices('prom letters', false, async (s) => {
      const r = await makeBatch(batchDeps(s), clock, values.out!, 'prom letters');
      const checks =
        `${r.stopped} stopped by the check, ${r.held} held (no address), ${r.deferred} left for later (vital status unknown)` +
        (r.profileHeld > 0 ? `, ${r.profileHeld} held: register profile missing (prom register set FILE)` : '');
      if (!r.batchId || !r.files) {
        console.log(`No letters due for print; ${checks}.`);
        return 0;
      }
      console.log(
        `Batch ${r.batchId}: ${r.files.letters} letters, ${r.files.pages} pages, ${(r.files.bytes / 1e6).toFixed(1)} MB; ${checks}.`,
      );
      console.log(`  ${r.files.pdfFile}\n  ${r.files.manifestFile}`);
      console.log(`After handing it to the print shop: prom letters confirm ${r.batchId}`);
      return 0;
    });
  }
  const id = rest.length === 1 && /^\d+$/.test(rest[0]!) ? Number(rest[0]) : undefined;
  if (sub === 'confirm') {
    if (id === undefined) throw new UsageError('Usage: prom letters confirm <batch-id>');
    return withServices('prom letters confirm', false, async (s) => {
      const r = await confirmBatch(s.database.db, id, 'prom letters confirm', new Date());
      if (r.kind === 'not-found') return fail(`No print batch ${id}.`);
      if (r.kind === 'already') return fail(`Batch ${id} was already confirmed as handed over.`);
      if (r.kind === 'is-reprint') return fail(`Batch ${id} is a reprint; confirm the original batch.`);
      console.log(`Batch ${id} handed over: ${r.sent} letters sent.`);
      if (r.pulled.length)
        console.log(`Stopped after the batch was made; take these out of the pile: ${r.pulled.join(', ')}`);
      return 0;
    });
  }
  if (sub === 'reprint') {
    if (id === undefined || !values.out) throw new UsageError('Usage: prom letters reprint <batch-id> --out <dir>');
    return withServices('prom letters reprint', false, async (s) => {
      const r = await reprintBatch(batchDeps(s), id, values.out!, 'prom letters reprint', new Date());
      if (r.kind === 'not-found') return fail(`No print batch ${id}.`);
      console.log(`Reprint ${r.reprintId} of batch ${r.of}: ${r.files.letters} letters, ${r.files.pages} pages.`);
      console.log(`  ${r.files.pdfFile}\n  ${r.files.manifestFile}`);
      if (r.files.leftOut.length)
        console.log(`Left out (stopped since the batch was made): ${r.files.leftOut.join(', ')}`);
      return 0;
    });
  }
  if (sub === 'list' && rest.length === 0) {
    return withServices('prom letters list', false, async (s) => {
      console.log('batch\tmade\tletters\thanded_over\treprint_of');
      for (const b of await listBatches(s.database.db)) {
        console.log(
          [b.id, b.createdAt.toISOString(), b.letters, b.handedOverAt?.toISOString() ?? '', b.reprintOf ?? ''].join(
            '\t',
          ),
        );
      }
      return 0;
    });
  }
  if (sub === 'double-entry' && rest.length <= 1 && (rest[0] === undefined || rest[0] === 'on' || rest[0] === 'off')) {
    return withServices('prom letters double-entry', false, async (s) => {
      if (rest[0]) await setDoubleEntry(s.database.db, rest[0] === 'on', 'prom letters double-entry');
      console.log(`Double entry of returned forms is ${(await doubleEntryOn(s.database.db)) ? 'on' : 'off'}.`);
      return 0;
    });
  }
  throw new UsageError(
    'Usage: prom letters [--now <date>] --out <dir> | confirm <id> | reprint <id> --out <dir> | list | double-entry [on|off]',
  );
}

function fail(message: string): number {
  console.error(message);
  return 1;
}
