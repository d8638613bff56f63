// Print batches. A pass makes a paper step due for print (outbox state `print`); a batch
// takes every such step whose due time has come and that is in no batch yet, checks each one again
// (checkBeforeSend, and the postal address), issues a short code per letter, and writes one merged
// PDF for the print shop and a CSV manifest. The steps stay `print` (with a `letters` row naming
// the batch) until staff confirm the batch was handed over; then they are `sent`. A batch is never
// in a second batch: only a deliberate reprint draws its letters again, with the same codes.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { deathFileVitalStatus, type VitalStatusAdapter } from '../invitations/vital-status.ts';
import { inHospitalScope, type HospitalScope } from '../invitations/fragments.ts';
import {
  confirmHandOver,
  deferLetter,
  holdForAddress,
  recordBatchFiles,
  recordReprint,
  takeIntoBatch,
  type ConfirmResult as HandOver,
} from '../invitations/print.ts';
import { applyStop, checkBeforeSend, loadTargets } from '../invitations/send-check.ts';
import { holdForProfile, registerProfileSet } from '../invitations/profile-hold.ts';
import { currentRegisterProfile, profileIn } from '../register/profile.ts';
import type { Instruments } from '../instruments/eq5d-texts.ts';
import type { Lang, Views } from '../i18n/views.ts';
import {
  drawLetter,
  letterPages,
  newLetterDocument,
  PAGES_PER_LETTER,
  type LetterData,
  type LetterTexts,
} from './letter.ts';
import { EQ5D_ID } from '../instruments/eq5d.ts';
import { answerItems, type Item } from '../instruments/model.ts';
import { programmeInstruments } from '../instruments/programme.ts';

export interface BatchDeps {
  db: Db;
  views: Views;
  instruments: Instruments;
  publicUrl: string;
  /** Encrypts the short code kept for reprints (letterCodeKey(SESSION_SECRET)). */
  codeKey: Buffer;
  vitalStatus?: VitalStatusAdapter | undefined;
}

export interface BatchFiles {
  pdfFile: string;
  manifestFile: string;
  letters: number;
  pages: number;
  bytes: number;
  /** Return ids of letters left out of a reprint because their step was stopped after the batch was made. */
  leftOut: string[];
}

export interface BatchResult {
  /** Undefined when nothing was due. */
  batchId: number | undefined;
  files: BatchFiles | undefined;
  /** Steps stopped by the check (died, answered, window closed, …). */
  stopped: number;
  /** Steps held for staff: the postal address is gone. */
  held: number;
  /** Steps left for a later batch: vital status unknown. */
  deferred: number;
  /** Steps held because no register profile is set (a pass releases them once one is). */
  profileHeld: number;
}

const MANIFEST_COLUMNS = ['letter_id', 'pages', 'name', 'address_line', 'postal_code', 'city'] as const;

export function formatLetterId(id: number): string {
  return `L-${String(id).padStart(6, '0')}`;
}

/** 'L-000123', 'l123', ' L-123 ' → 123; undefined if it is not a return id. */
export function parseLetterId(input: string): number | undefined {
  const m = /^\s*L-?0*(\d{1,12})\s*$/i.exec(input);
  return m ? Number(m[1]) : undefined;
}

export function letterCodeKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'prom-paper', 'letter-short-code-v1', 32));
}

function encryptCode(key: Buffer, code: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function decryptCode(key: Buffer, stored: string): string {
  const [iv, tag, body] = stored.split('.').map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** Steps due for print by `now` that are in no batch yet, oldest first. */
function dueForPrint(db: Db, now: Date) {
  return db
    .selectFrom('outbox as o')
    .select(['o.id', 'o.invitation_id', 'o.step'])
    .where('o.state', '=', 'print')
    .where('o.due_at', '<=', now)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('letters as l')
            .select('l.id')
            .whereRef('l.outbox_id', '=', 'o.id')
            .where('l.returned_at', 'is', null),
        ),
      ),
    )
    .orderBy('o.id')
    .execute();
}

/** Makes a batch of every letter due, writes `<outDir>/batch-<id>.pdf` and `batch-<id>-manifest.csv`. */
export async function makeBatch(
  deps: BatchDeps,
  clock: Clock,
  outDir: string | ((batchId: number) => string),
  actor: string,
): Promise<BatchResult> {
  const { db } = deps;
  const now = clock.now();
  const today = osloDay(now);
  const result: BatchResult = {
    batchId: undefined,
    files: undefined,
    stopped: 0,
    held: 0,
    deferred: 0,
    profileHeld: 0,
  };
  const due = await dueForPrint(db, now);
  if (due.length === 0) return result;
  // A letter says who asks; without a register profile nothing is printed (src/register/hold.ts).
  if (!(await registerProfileSet(db))) {
    await holdForProfile(
      db,
      due.map((r) => r.id),
    );
    result.profileHeld = due.length;
    return result;
  }
  const targets = await loadTargets(db, [...new Set(due.map((r) => r.invitation_id))]);

  // The address first (no address → held, as a pass would), then the send-time check.
  const noAddress = due.filter((r) => !targets.get(r.invitation_id)!.hasPostalAddress);
  await holdForAddress(
    db,
    noAddress.map((r) => r.id),
  );
  result.held = noAddress.length;
  const withAddress = due.filter((r) => targets.get(r.invitation_id)!.hasPostalAddress);
  const checks = await checkBeforeSend(
    db,
    deps.vitalStatus ?? deathFileVitalStatus(db),
    [...new Set(withAddress.map((r) => targets.get(r.invitation_id)!))],
    today,
  );
  const go: typeof due = [];
  for (const row of withAddress) {
    const check = checks.get(row.invitation_id)!;
    if (check.kind === 'go') go.push(row);
    else if (check.kind === 'defer') {
      await deferLetter(db, row.id, check.reason);
      result.deferred++;
    } else {
      const target = targets.get(row.invitation_id)!;
      await db.transaction().execute((trx) => applyStop(trx, target, check.reason));
      result.stopped++;
    }
  }
  if (go.length === 0) return result;

  const people = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['i.id', 'i.language', 's.given_name', 's.family_name', 's.address_line', 's.postal_code', 's.city'])
    .where('i.id', 'in', [...new Set(go.map((r) => r.invitation_id))])
    .execute();
  const person = new Map(people.map((p) => [p.id, p]));

  const batchId = await takeIntoBatch(
    db,
    go.map((r) => {
      const p = person.get(r.invitation_id)!;
      const name = [p.given_name, p.family_name].filter(Boolean).join(' ') || null;
      return {
        outboxId: r.id,
        invitationId: r.invitation_id,
        step: r.step,
        language: p.language,
        name,
        addressLine: p.address_line!,
        postalCode: p.postal_code!,
        city: p.city,
      };
    }),
    { actor, now, today, pages: PAGES_PER_LETTER, seal: (code) => encryptCode(deps.codeKey, code) },
  );
  if (batchId === undefined) return result;
  result.batchId = batchId;
  // Files after the commit: if writing fails, `prom letters reprint <id>` writes them again.
  result.files = await writeBatchFiles(
    deps,
    batchId,
    typeof outDir === 'string' ? outDir : outDir(batchId),
    `batch-${batchId}`,
    false,
  );
  await recordBatchFiles(db, batchId, result.files);
  return result;
}

/** Draws the batch's letters (by letter id) into one PDF and writes the manifest beside it. */
async function writeBatchFiles(
  deps: BatchDeps,
  batchId: number,
  outDir: string,
  base: string,
  skipStopped: boolean,
): Promise<BatchFiles> {
  const letters = await deps.db
    .selectFrom('letters as l')
    .innerJoin('outbox as o', 'o.id', 'l.outbox_id')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .select([
      'i.programme_version',
      'l.id',
      'l.kind',
      'l.language',
      'l.pages',
      'l.letter_date',
      'l.name',
      'l.address_line',
      'l.postal_code',
      'l.city',
      'l.short_code_enc',
      'o.state',
      'o.step',
    ])
    .where('l.batch_id', '=', batchId)
    .orderBy('l.id')
    .execute();
  const leftOut = skipStopped ? letters.filter((l) => l.state === 'cancelled').map((l) => formatLetterId(l.id)) : [];
  const drawn = skipStopped ? letters.filter((l) => l.state !== 'cancelled') : letters;
  mkdirSync(outDir, { recursive: true });
  const pdfFile = path.join(outDir, `${base}.pdf`);
  const manifestFile = path.join(outDir, `${base}-manifest.csv`);
  const profile = await currentRegisterProfile(deps.db);
  if (!profile) throw new Error('No register profile set: letters cannot say who asks (prom register set FILE)');
  const texts: LetterTexts = {
    views: deps.views,
    instrument: (lang: Lang) => deps.instruments[lang],
    register: (lang: Lang) => profileIn(profile.profile, lang),
  };
  const doc = newLetterDocument();
  const out = createWriteStream(pdfFile);
  doc.pipe(out);
  const manifest: (string | number)[][] = [];
  let pages = 0;
  const itemsOf = otherItemsByVersion(deps);
  for (const l of drawn) {
    const otherItems = await itemsOf(l.programme_version);
    const letterId = formatLetterId(l.id);
    const code = decryptCode(deps.codeKey, l.short_code_enc);
    const cityLine = `${l.postal_code} ${l.city ?? ''}`.trim();
    drawLetter(
      doc,
      letterData(deps.publicUrl, {
        letterId,
        kind: l.step === 'paper_request' ? 'requested' : l.kind,
        lang: l.language,
        name: l.name,
        address: [l.name, l.address_line, cityLine].filter((x): x is string => Boolean(x)),
        shortCode: code,
        date: l.letter_date,
        otherItems,
      }),
      texts,
    );
    // A programme with other instruments adds pages beyond the four the letter row was planned with.
    const drawnPages = Math.max(l.pages, letterPages(otherItems));
    manifest.push([letterId, drawnPages, l.name ?? '', l.address_line, l.postal_code, l.city ?? '']);
    pages += drawnPages;
  }
  doc.end();
  await finished(out);
  writeFileSync(manifestFile, stringify(manifest, { header: true, columns: [...MANIFEST_COLUMNS] }));
  return { pdfFile, manifestFile, letters: drawn.length, pages, bytes: statSync(pdfFile).size, leftOut };
}

/**
 * After an erasure: the files of these batches (and of their reprints) are drawn again from the
 * letters still in them, where the files are still on this machine, so no file keeps the erased
 * person's letter. Returns the files rewritten.
 */
export async function redrawBatchFiles(deps: BatchDeps, batchIds: number[]): Promise<string[]> {
  if (batchIds.length === 0) return [];
  const batches = await deps.db
    .selectFrom('print_batches')
    .select(['id', 'reprint_of', 'pdf_file'])
    .where((eb) => eb.or([eb('id', 'in', batchIds), eb('reprint_of', 'in', batchIds)]))
    .execute();
  const rewritten: string[] = [];
  for (const b of batches) {
    if (!b.pdf_file || !existsSync(b.pdf_file)) continue;
    const files = await writeBatchFiles(
      deps,
      b.reprint_of ?? b.id,
      path.dirname(b.pdf_file),
      path.basename(b.pdf_file, '.pdf'),
      b.reprint_of !== null,
    );
    await recordBatchFiles(deps.db, b.id, files);
    rewritten.push(files.pdfFile, files.manifestFile);
  }
  return rewritten;
}

/** The letter's data as drawLetter takes it; the cover's QR code opens /kode with the code filled in. */
export function letterData(
  publicUrl: string,
  l: {
    letterId: string;
    kind: LetterData['kind'];
    lang: Lang;
    name: string | null;
    address: string[];
    shortCode: string;
    date: string;
    otherItems?: Item[];
  },
): LetterData {
  const [y, m, d] = l.date.split('-');
  return {
    letterId: l.letterId,
    kind: l.kind,
    lang: l.lang,
    name: l.name,
    address: l.address,
    shortCode: l.shortCode,
    codeUrl: `${publicUrl}/kode`,
    webQrUrl: `${publicUrl}/kode?kode=${encodeURIComponent(l.shortCode)}`,
    date: `${d}.${m}.${y}`,
    otherItems: l.otherItems,
  };
}

/** The items of a programme version's instruments other than EQ-5D, read once per version. */
function otherItemsByVersion(deps: BatchDeps): (version: number | null) => Promise<Item[]> {
  const cache = new Map<number | null, Promise<Item[]>>();
  return (version) => {
    let found = cache.get(version);
    if (!found) {
      found = programmeInstruments(deps.db, deps.instruments, version).then((list) =>
        list.filter((i) => i.id !== EQ5D_ID).flatMap((i) => answerItems(i)),
      );
      cache.set(version, found);
    }
    return found;
  };
}

export type ConfirmResult =
  | { kind: 'confirmed'; sent: number; pulled: string[]; remaining: number }
  | { kind: 'not-found' }
  | { kind: 'already' }
  | { kind: 'is-reprint' };

/** Staff confirm the hand-over of the batch's letters within their scope (src/invitations/print.ts); pulled letters by return id. */
export async function confirmBatch(
  db: Db,
  batchId: number,
  actor: string,
  now: Date,
  scope: HospitalScope = 'all',
): Promise<ConfirmResult> {
  const r: HandOver = await confirmHandOver(db, batchId, actor, scope, now);
  return r.kind === 'confirmed' ? { ...r, pulled: r.pulled.map(formatLetterId) } : r;
}

export type ReprintResult =
  { kind: 'reprinted'; reprintId: number; of: number; files: BatchFiles } | { kind: 'not-found' };

/**
 * A deliberate reprint: the same letters (same return ids, codes, date and addresses) drawn again
 * into new files, recorded as a batch with `reprint_of`. Letters whose step was stopped since
 * the batch was made are left out and named.
 */
export async function reprintBatch(
  deps: BatchDeps,
  batchId: number,
  outDir: string,
  actor: string,
  now: Date,
): Promise<ReprintResult> {
  const batch = await deps.db
    .selectFrom('print_batches')
    .select(['id', 'reprint_of'])
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (!batch) return { kind: 'not-found' };
  const of = batch.reprint_of ?? batch.id;
  const reprintId = await recordReprint(deps.db, of, actor, now);
  const files = await writeBatchFiles(deps, of, outDir, `batch-${of}-reprint-${reprintId}`, true);
  await recordBatchFiles(deps.db, reprintId, files);
  return { kind: 'reprinted', reprintId, of, files };
}

export interface BatchSummary {
  id: number;
  createdAt: Date;
  createdBy: string;
  letters: number;
  handedOverAt: Date | null;
  handedOverBy: string | null;
  reprintOf: number | null;
  pdfFile: string | null;
}

/**
 * Recent batches with at least one letter in `scope`; for a registrar, `letters` and the hand-over
 * count only their hospitals' letters. A reprint lists under the scope of the batch it redraws.
 */
export async function listBatches(db: Db, limit = 50, scope: HospitalScope = 'all'): Promise<BatchSummary[]> {
  const rows = await db
    .selectFrom('print_batches as b')
    .innerJoin('letters as l', (join) => join.on(sql<boolean>`l.batch_id = coalesce(b.reprint_of, b.id)`))
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .where((eb) => inHospitalScope(eb, scope))
    .groupBy('b.id')
    .select(['b.id', 'b.created_at', 'b.created_by', 'b.reprint_of', 'b.pdf_file'])
    .select((eb) => [
      eb.fn.countAll<number>().as('letters'),
      eb.fn.max('l.handed_over_at').as('handed_over_at'),
      sql<string | null>`max(l.handed_over_by)`.as('handed_over_by'),
      sql<boolean>`bool_and(l.handed_over_at is not null)`.as('all_handed_over'),
    ])
    .orderBy('b.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    letters: Number(r.letters),
    handedOverAt: r.all_handed_over ? r.handed_over_at : null,
    handedOverBy: r.all_handed_over ? r.handed_over_by : null,
    reprintOf: r.reprint_of,
    pdfFile: r.pdf_file,
  }));
}
