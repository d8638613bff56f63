// Staff pages of the paper path (/staff/paper…): find a returned letter by return id or short code
// (a barcode/QR scanner acting as a keyboard types the return id and Enter), enter the form,
// double entry and resolution of a mismatch, and print batches (confirm hand-over). Registrars of
// the letter's hospital and admins; another hospital's letter is 404, as for survivors. Every read
// and every change writes one audit row before the answer (ids only, never answers or names).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { osloDay } from '../clock.ts';
import { allow, scopeOf } from './access.ts';
import { me, type StaffContext } from './context.ts';
import { formatDateTime, formatDay } from './routes-registrar.ts';
import { DIMENSIONS, loadInstruments, type Instruments } from '../instruments/eq5d-texts.ts';
import { EQ5D_ID } from '../instruments/eq5d.ts';
import { answerItems, type Instrument, type Item } from '../instruments/model.ts';
import { programmeInstruments } from '../instruments/programme.ts';
import { confirmBatch, letterCodeKey, listBatches } from '../paper/batch.ts';
import { handOverSummary, undoHandOver } from '../invitations/print.ts';
import {
  addEntry,
  findLetter,
  FIELDS,
  letterInfo,
  paperWorklists,
  resolveMismatch,
  validateEntry,
  type EntryError,
  type Field,
  type LetterInfo,
} from '../paper/entry.ts';
import type { HospitalScope } from '../invitations/fragments.ts';
import { RESPONDENT_KEY } from '../paper/respondent-field.ts';
import { readForm, text, trimmedText } from '../form-fields.ts';

/** `?done=` after an action: a short key for the flash text, else nothing. */
const doneQuery = z.object({
  done: z
    .string()
    .regex(/^[a-z-]{1,20}$/)
    .optional()
    .catch(undefined),
});
/** An entry or resolve form: its fields by name (the items decide which there are), each one text. */
const entryForm = z.record(z.string(), text);

export function paperRoutes(ctx: StaffContext): Router {
  const r = Router();
  const { db, clock } = ctx.deps;
  const access = allow(ctx, 'registrar', 'admin');
  const codeKey = letterCodeKey(ctx.deps.sessionSecret);
  let instruments = (ctx.deps as { instruments?: Instruments }).instruments;
  const nb = () => (instruments ??= loadInstruments()).nb;
  const scope = (res: Response): HospitalScope => (me(res).role === 'admin' ? 'all' : scopeOf(me(res)));
  const t = ctx.t;

  r.get('/staff/paper', access, async (req, res) => findPage(req, res, 200, []));

  async function findPage(
    req: Request,
    res: Response,
    status: number,
    errors: { text: string; href: string }[],
    ref = '',
  ) {
    const lists = await paperWorklists(db, scope(res));
    const survivorIds = [
      ...new Set([...lists.awaitingSecond, ...lists.mismatched, ...lists.flagged].map((i) => i.survivorId)),
    ];
    await ctx.audit(req, res, { action: 'view', entity: 'paper_worklist', details: { survivorIds } });
    const link = (i: { letterId: number; returnId: string; hospital: string; since: Date }) => ({
      ...i,
      href: `/staff/paper/letters/${i.letterId}`,
      since: formatDateTime(i.since),
    });
    ctx.page(req, res, status, 'staff/paper', {
      heading: t('paper.findTitle'),
      errors,
      ref,
      awaitingSecond: lists.awaitingSecond.map(link),
      mismatched: lists.mismatched.map(link),
      flagged: lists.flagged.map((f) => ({
        ...f,
        href: f.letterId ? `/staff/paper/letters/${f.letterId}` : `/staff/survivors/${f.survivorId}`,
        mode: t(`paper.modes.${f.mode}`),
        completedAt: formatDateTime(f.completedAt),
        survivorLink: me(res).role === 'registrar',
      })),
    });
  }

  const findForm = z.object({ ref: trimmedText.transform((s) => s.slice(0, 40)) });
  r.post('/staff/paper/find', access, async (req, res) => {
    const { ref }: z.infer<typeof findForm> = readForm(findForm, req.body);
    if (!ref) return findPage(req, res, 400, [{ text: t('paper.errors.refMissing'), href: '#ref' }], ref);
    const letterId = await findLetter(db, ref, scope(res), codeKey);
    // The reference itself is not logged (a short code opens the questionnaire); its kind is.
    await ctx.audit(req, res, {
      action: 'search',
      entity: 'letter',
      entityId: letterId ?? null,
      details: { kind: /^\s*L/i.test(ref) ? 'return_id' : 'short_code', found: letterId !== undefined },
    });
    if (letterId === undefined)
      return findPage(req, res, 400, [{ text: t('paper.errors.refNotFound'), href: '#ref' }], ref);
    res.redirect(303, `/staff/paper/letters/${letterId}`);
  });

  async function loadLetter(req: Request, res: Response): Promise<LetterInfo | undefined> {
    const id = /^\d{1,12}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined;
    const info = id === undefined ? undefined : await letterInfo(db, id, scope(res));
    if (!info) ctx.message(req, res, 404, 'staff.errors.notFound');
    return info;
  }

  r.get('/staff/paper/letters/:id', access, async (req, res) => {
    const info = await loadLetter(req, res);
    if (!info) return;
    await ctx.audit(req, res, {
      action: 'view',
      entity: 'letter',
      entityId: info.id,
      details: { survivorIds: [info.survivorId], phase: info.phase.kind },
    });
    const { done }: z.infer<typeof doneQuery> = readForm(doneQuery, req.query);
    await letterPage(req, res, 200, info, { flash: done ? ctx.tOr(`paper.done.${done}`, '') : '' });
  });

  /** The instruments the letter's invitation asks, and the items of those other than EQ-5D. */
  async function askedOf(info: LetterInfo): Promise<{ instruments: Instrument[]; items: Item[] }> {
    const inv = await db
      .selectFrom('invitations')
      .select('programme_version')
      .where('id', '=', info.invitationId)
      .executeTakeFirstOrThrow();
    const list = await programmeInstruments(db, (instruments ??= loadInstruments()), inv.programme_version);
    // Before instruments were data a letter carried EQ-5D only, and no QuestionnaireResponse was kept.
    const pinned = list.length > 1 || list[0]?.id !== EQ5D_ID;
    return {
      instruments: pinned ? list : [],
      items: list.filter((i) => i.id !== EQ5D_ID).flatMap((i) => answerItems(i)),
    };
  }

  async function letterPage(
    req: Request,
    res: Response,
    status: number,
    info: LetterInfo,
    extra: {
      flash?: string;
      errors?: EntryError[];
      typed?: Record<string, unknown>;
      choices?: Record<string, unknown>;
    },
  ) {
    const { items: otherItems } = await askedOf(info);
    const itemText = new Map(otherItems.map((i) => [i.linkId, i.text.nb]));
    itemText.set(RESPONDENT_KEY, t('paper.respondent'));
    const staffId = me(res).id;
    const phase = info.phase;
    const canEnter = phase.kind === 'first' || (phase.kind === 'second' && phase.firstBy !== staffId);
    const errors = (extra.errors ?? []).map((e) => ({
      text: t(`paper.errors.${e.key}`),
      href: `#${phase.kind === 'mismatch' ? `${e.field}-1` : anchorOf(e.field)}`,
      field: e.field,
    }));
    const errorFor = (f: string) => errors.find((e) => e.field === f)?.text;
    const typed = extra.typed ?? {};
    const base = {
      heading: t('paper.letterTitle', { id: info.returnId }),
      flash: extra.flash,
      // Named in the summary, so five links never read the same.
      errors: errors.map(({ text, href, field }) => ({ text: `${fieldName(field, itemText)}: ${text}`, href })),
      facts: [
        { term: t('paper.col.returnId'), value: info.returnId },
        { term: t('staff.col.name'), value: info.name ?? info.registerId },
        { term: t('staff.col.nationalId'), value: info.maskedNationalId },
        { term: t('staff.col.registerId'), value: info.registerId },
        { term: t('staff.col.hospital'), value: info.hospital },
        { term: t('paper.col.kind'), value: t(`paper.kinds.${info.kind}`) },
        { term: t('paper.col.letterDate'), value: formatDay(info.letterDate) },
        {
          term: t('paper.col.batch'),
          value: t(info.handedOver ? 'paper.batchHandedOver' : 'paper.batchNotHandedOver', { id: info.batchId }),
        },
        {
          term: t('staff.col.invitationState'),
          value: ctx.tOr(`staff.invitationStates.${info.invitationState}`, info.invitationState),
        },
        {
          term: t('paper.col.doubleEntry'),
          value: t(info.doubleEntry ? 'paper.doubleEntryOn' : 'paper.doubleEntryOff'),
        },
      ],
      letterId: info.id,
      batchWarning: info.handedOver ? undefined : t('handOver.warning', { id: info.batchId }),
    };
    if (phase.kind === 'final') {
      return ctx.page(req, res, status, 'staff/paper-letter', {
        ...base,
        final: true,
        finalText: t(phase.counted ? 'paper.finalCounted' : 'paper.finalDuplicate'),
      });
    }
    if (phase.kind === 'uncounted') {
      const finalText = t(`paper.uncounted.${phase.reason}`, { date: formatDay(phase.receivedOn) });
      return ctx.page(req, res, status, 'staff/paper-letter', { ...base, final: true, finalText });
    }
    if (phase.kind === 'mismatch') {
      const label = (f: Field, v: string) => valueLabel(f, v);
      const choices = extra.choices ?? {};
      return ctx.page(req, res, status, 'staff/paper-resolve', {
        ...base,
        rows: FIELDS.map((f) => ({
          field: f,
          name: fieldName(f, itemText),
          first: label(f, phase.first.values[f]),
          second: label(f, phase.second.values[f]),
          differs: phase.differing.includes(f),
        })),
        differing: phase.differing.map((f) => ({
          field: f,
          name: fieldName(f, itemText),
          error: errorFor(f),
          options: [
            {
              id: `${f}-1`,
              value: '1',
              label: t('paper.chooseFirst', { value: label(f, phase.first.values[f]) }),
              checked: choices[f] === '1',
            },
            {
              id: `${f}-2`,
              value: '2',
              label: t('paper.chooseSecond', { value: label(f, phase.second.values[f]) }),
              checked: choices[f] === '2',
            },
          ],
        })),
      });
    }
    const entryNo = phase.kind === 'second' ? 2 : 1;
    const today = osloDay(clock.now());
    ctx.page(req, res, status, 'staff/paper-letter', {
      ...base,
      waiting: !canEnter,
      canEnter,
      entryText: info.doubleEntry
        ? t(entryNo === 1 ? 'paper.entryFirst' : 'paper.entrySecond')
        : t('paper.entrySingle'),
      ...keyingRows(typed, errorFor, today),
      itemRows: otherItems.map((item, i) => ({
        name: item.linkId,
        number: 7 + i,
        heading: item.text.nb,
        choice: item.type === 'choice' || item.type === 'boolean',
        value: typeof typed[item.linkId] === 'string' ? (typed[item.linkId] as string).slice(0, 40) : '',
        error: errorFor(item.linkId),
      })),
      otherCodes: otherItems.length > 0 ? t('paper.otherItemCodes', { from: 7 }) : undefined,
      respondent: {
        name: RESPONDENT_KEY,
        value: typeof typed[RESPONDENT_KEY] === 'string' ? typed[RESPONDENT_KEY].slice(0, 10) : '',
        error: errorFor(RESPONDENT_KEY),
      },
    });
  }

  /** The entry form: one row per item with a one-character field, then the VAS and the date. */
  function keyingRows(typed: Record<string, unknown>, errorFor: (f: string) => string | undefined, today: string) {
    const instrument = nb();
    const typedText = (f: string) => (typeof typed[f] === 'string' ? typed[f].slice(0, 10) : '');
    const rows = DIMENSIONS.map((d, i) => ({
      name: d,
      number: i + 1,
      heading: instrument.dimensions[i]!.heading,
      value: typedText(d),
      error: errorFor(d),
    }));
    return {
      rows,
      autofocus: Object.keys(typed).length === 0,
      vasHeading: instrument.vas.heading,
      vas: typedText('vas'),
      vasError: errorFor('vas'),
      receivedOn: typeof typed.received_on === 'string' ? typedText('received_on') : today,
      receivedError: errorFor('received_on'),
    };
  }

  function fieldName(f: Field, itemText: Map<string, string>): string {
    const other = itemText.get(f);
    if (other !== undefined) return other;
    if (f === 'vas') return nb().vas.heading;
    if (f === 'received_on') return t('paper.receivedOn');
    return nb().dimensions[DIMENSIONS.indexOf(f)]!.heading;
  }

  function valueLabel(f: Field, v: string): string {
    if (v === 'missing') return t('paper.missing');
    if (v === 'ambiguous') return t('paper.ambiguous');
    return f === 'received_on' ? formatDay(v) : v;
  }

  r.post('/staff/paper/letters/:id/entries', access, async (req, res) => {
    const info = await loadLetter(req, res);
    if (!info) return;
    // Checked field by field against the letter's items by validateEntry (src/paper/entry.ts).
    const body: z.infer<typeof entryForm> = readForm(entryForm, req.body);
    const asked = await askedOf(info);
    const { values, errors } = validateEntry(
      body,
      { today: osloDay(clock.now()), notBefore: info.letterDate },
      asked.items,
    );
    if (!values) return letterPage(req, res, 400, info, { errors, typed: body });
    const outcome = await addEntry(db, info.id, me(res).id, values, clock.now(), asked.instruments);
    const details: Record<string, unknown> = {
      survivorIds: [info.survivorId],
      letterId: info.id,
      invitationId: info.invitationId,
      outcome: outcome.kind,
    };
    if (outcome.kind === 'mismatch') details.differing = outcome.differing;
    if (outcome.kind === 'final') Object.assign(details, { responseId: outcome.responseId, counted: outcome.counted });
    if (outcome.kind === 'uncounted') details.reason = outcome.reason;
    const entryId = 'entryId' in outcome ? outcome.entryId : null;
    await ctx.audit(req, res, {
      action: entryId || outcome.kind === 'uncounted' ? 'change' : 'denied',
      entity: 'paper_entry',
      entityId: entryId,
      details,
    });
    res.redirect(303, `/staff/paper/letters/${info.id}?done=${outcome.kind}`);
  });

  r.post('/staff/paper/letters/:id/resolve', access, async (req, res) => {
    const info = await loadLetter(req, res);
    if (!info) return;
    // The choice per differing field, checked against the two entries by resolveMismatch.
    const body: z.infer<typeof entryForm> = readForm(entryForm, req.body);
    const outcome = await resolveMismatch(
      db,
      info.id,
      me(res).id,
      body,
      clock.now(),
      (await askedOf(info)).instruments,
    );
    if (outcome.kind === 'incomplete') {
      return letterPage(req, res, 400, info, {
        errors: outcome.missing.map((f) => ({ field: f, key: 'chooseOne' })),
        choices: body,
      });
    }
    const details: Record<string, unknown> = {
      survivorIds: [info.survivorId],
      letterId: info.id,
      invitationId: info.invitationId,
      outcome: outcome.kind,
    };
    if (outcome.kind === 'final')
      Object.assign(details, {
        responseId: outcome.responseId,
        counted: outcome.counted,
        differing: outcome.differing,
        resolved: true,
      });
    if (outcome.kind === 'uncounted') details.reason = outcome.reason;
    const changed = outcome.kind === 'final' || outcome.kind === 'uncounted';
    await ctx.audit(req, res, {
      action: changed ? 'change' : 'denied',
      entity: 'paper_entry',
      entityId: outcome.kind === 'final' ? outcome.entryId : null,
      details,
    });
    res.redirect(
      303,
      `/staff/paper/letters/${info.id}?done=${outcome.kind === 'final' ? 'resolved' : outcome.kind === 'uncounted' ? 'uncounted' : 'not-mismatch'}`,
    );
  });

  r.get('/staff/paper/batches', access, async (req, res) => {
    const batches = await listBatches(db, 50, scope(res));
    await ctx.audit(req, res, {
      action: 'view',
      entity: 'print_batch',
      details: { batchIds: batches.map((b) => b.id) },
    });
    const { done }: z.infer<typeof doneQuery> = readForm(doneQuery, req.query);
    ctx.page(req, res, 200, 'staff/paper-batches', {
      heading: t('paper.batchesTitle'),
      flash: done ? ctx.tOr(`paper.batchDone.${done}`, '') : '',
      batches: batches.map((b) => ({
        id: b.id,
        createdAt: formatDateTime(b.createdAt),
        createdBy: b.createdBy,
        letters: b.letters,
        reprintOf: b.reprintOf,
        handedOver: b.handedOverAt
          ? t('paper.handedOverBy', { at: formatDateTime(b.handedOverAt), by: b.handedOverBy ?? '' })
          : '',
        canConfirm: !b.handedOverAt && b.reprintOf === null,
        canUndo: b.handedOverAt !== null && b.reprintOf === null && osloDay(b.handedOverAt) === osloDay(clock.now()),
      })),
    });
  });

  const batchIdOf = (req: Request) => (/^\d{1,12}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined);

  // The hand-over is confirmed on a page of its own: batch number, letters, per hospital.
  r.get('/staff/paper/batches/:id/confirm', access, async (req, res) => {
    const id = batchIdOf(req);
    const summary = id === undefined ? undefined : await handOverSummary(db, id, scope(res));
    if (!summary) return ctx.message(req, res, 404, 'staff.errors.notFound');
    await ctx.audit(req, res, { action: 'view', entity: 'print_batch', entityId: id, details: { page: 'confirm' } });
    ctx.page(req, res, 200, 'staff/paper-batch-confirm', {
      heading: t('handOver.title', { id: summary.batchId }),
      summary,
      intro: t('handOver.intro', { n: summary.letters }),
    });
  });

  r.post('/staff/paper/batches/:id/undo', access, async (req, res) => {
    const id = batchIdOf(req);
    if (id === undefined) return ctx.message(req, res, 404, 'staff.errors.notFound');
    const result = await undoHandOver(db, id, scope(res), osloDay(clock.now()));
    if (result.kind === 'not-found') return ctx.message(req, res, 404, 'staff.errors.notFound');
    await ctx.audit(req, res, {
      action: 'change',
      entity: 'print_batch',
      entityId: id,
      details: {
        outcome: result.kind === 'undone' ? 'hand-over-undone' : result.kind,
        letters: result.kind === 'undone' ? result.letters : 0,
      },
    });
    res.redirect(303, `/staff/paper/batches?done=${result.kind}`);
  });

  r.post('/staff/paper/batches/:id/confirm', access, async (req, res) => {
    const id = /^\d{1,12}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined;
    if (id === undefined) return ctx.message(req, res, 404, 'staff.errors.notFound');
    const result = await confirmBatch(db, id, me(res).email, clock.now(), scope(res));
    if (result.kind === 'not-found') return ctx.message(req, res, 404, 'staff.errors.notFound');
    const details =
      result.kind === 'confirmed'
        ? { outcome: 'handed-over', sent: result.sent, pulled: result.pulled, remaining: result.remaining }
        : { outcome: result.kind };
    await ctx.audit(req, res, { action: 'change', entity: 'print_batch', entityId: id, details });
    res.redirect(303, `/staff/paper/batches?done=${result.kind}`);
  });

  return r;
}

/** The entry form's fields are named and identified by the field itself. */
function anchorOf(field: string): string {
  return field;
}
