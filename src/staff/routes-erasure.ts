// Erasure at the person's request, for admins: a minimal survivor page (register id, hospital,
// arrest date, consent, what is stored) reached by register id, and the erasure itself through
// the rules' owner (src/invitations/erase.ts) after an explicit confirmation. The print-batch files
// that held the person's letters are drawn again without them. Audited; nothing here shows a name,
// an address or a national id.
import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { erasePerson } from '../invitations/erase.ts';
import { letterCodeKey, redrawBatchFiles } from '../paper/batch.ts';
import { loadInstruments } from '../instruments/eq5d-texts.ts';
import { allow } from './access.ts';
import { me, type StaffContext } from './context.ts';
import { formatDateTime, formatDay } from './routes-registrar.ts';
import { readForm, trimmedText } from '../form-fields.ts';

export function erasureRoutes(ctx: StaffContext): Router {
  const r = Router();
  const admin = allow(ctx, 'admin');
  const { db, clock } = ctx.deps;
  const t = ctx.t;

  const findPage = (req: Request, res: Response, status: number, registerId = '', error?: string) =>
    ctx.page(req, res, status, 'staff/erasure', {
      heading: t('erasure.title'),
      registerId,
      errors: error ? [{ text: error, href: '#register_id' }] : undefined,
      flash: takeFlash(req),
      available: Boolean(ctx.deps.erasureKey),
    });

  r.get('/staff/erasure', admin, (req, res) => findPage(req, res, 200));

  const findForm = z.object({ register_id: trimmedText.transform((s) => s.slice(0, 100)) });
  r.post('/staff/erasure/find', admin, async (req, res) => {
    const { register_id: registerId }: z.infer<typeof findForm> = readForm(findForm, req.body);
    if (!registerId) return findPage(req, res, 400, '', t('erasure.errors.registerIdMissing'));
    const found = await db
      .selectFrom('survivors')
      .select('id')
      .where('register_id', '=', registerId)
      .executeTakeFirst();
    await ctx.audit(req, res, {
      action: 'search',
      entity: 'survivor',
      entityId: found?.id ?? null,
      details: { kind: 'register_id', purpose: 'erasure', found: Boolean(found) },
    });
    if (!found) return findPage(req, res, 400, registerId, t('erasure.errors.notFound'));
    res.redirect(303, `/staff/erasure/${found.id}`);
  });

  const idOf = (req: Request) => (/^[0-9]{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined);

  r.get('/staff/erasure/:id', admin, async (req, res) => {
    const person = await minimalPerson(idOf(req));
    if (!person) return ctx.message(req, res, 404, 'staff.errors.notFound');
    await ctx.audit(req, res, {
      action: 'view',
      entity: 'survivor',
      entityId: person.id,
      details: { purpose: 'erasure' },
    });
    personPage(req, res, 200, person);
  });

  const eraseForm = z.object({ confirm_register_id: trimmedText });
  r.post('/staff/erasure/:id', admin, async (req, res) => {
    const person = await minimalPerson(idOf(req));
    if (!person) return ctx.message(req, res, 404, 'staff.errors.notFound');
    if (!ctx.deps.erasureKey) return ctx.message(req, res, 503, 'erasure.errors.noKey');
    const { confirm_register_id: typed }: z.infer<typeof eraseForm> = readForm(eraseForm, req.body);
    if (typed !== person.registerId) return personPage(req, res, 400, person, t('erasure.errors.confirm'));
    const result = await erasePerson(db, person.registerId, me(res).email, ctx.deps.erasureKey, clock.now());
    if (result.kind === 'not-found') return ctx.message(req, res, 404, 'staff.errors.notFound');
    const deps = {
      db,
      views: ctx.deps.views,
      instruments: ctx.deps.instruments ?? loadInstruments(),
      publicUrl: ctx.deps.publicUrl ?? '',
      codeKey: letterCodeKey(ctx.deps.sessionSecret),
    };
    const files = await redrawBatchFiles(deps, result.batchIds);
    await ctx.audit(req, res, {
      action: 'erase',
      entity: 'survivor',
      entityId: result.survivorId,
      details: { counts: result.counts, batches: result.batchIds, filesRedrawn: files.length },
    });
    req.session.erasureFlash = t('erasure.done', { registerId: person.registerId });
    res.redirect(303, '/staff/erasure');
  });

  return r;

  function personPage(req: Request, res: Response, status: number, p: MinimalPerson, error?: string) {
    ctx.page(req, res, status, 'staff/erasure-person', {
      heading: t('erasure.personTitle', { registerId: p.registerId }),
      person: {
        ...p,
        arrestDate: formatDay(p.arrestDate),
        withdrawnAt: p.withdrawnAt ? formatDateTime(p.withdrawnAt) : '',
      },
      errors: error ? [{ text: error, href: '#confirm_register_id' }] : undefined,
      available: Boolean(ctx.deps.erasureKey),
    });
  }

  async function minimalPerson(id: number | undefined): Promise<MinimalPerson | undefined> {
    if (id === undefined) return undefined;
    const row = await db
      .selectFrom('survivors as s')
      .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
      .select(['s.id', 's.register_id', 's.withdrawn_at', 'e.hospital', 'e.arrest_date'])
      .select(
        sql<number>`(select count(*)::int from responses r join invitations i on i.id = r.invitation_id where i.arrest_event_id = e.id)`.as(
          'responses',
        ),
      )
      .select(
        sql<number>`(select count(*)::int from letters l join invitations i on i.id = l.invitation_id where i.arrest_event_id = e.id)`.as(
          'letters',
        ),
      )
      .where('s.id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        registerId: row.register_id,
        withdrawnAt: row.withdrawn_at,
        hospital: row.hospital ?? '',
        arrestDate: row.arrest_date ?? '',
        responses: row.responses,
        letters: row.letters,
      }
    );
  }
}

interface MinimalPerson {
  id: number;
  registerId: string;
  withdrawnAt: Date | null;
  hospital: string;
  arrestDate: string;
  responses: number;
  letters: number;
}

function takeFlash(req: Request): string | undefined {
  const flash = req.session.erasureFlash;
  delete req.session.erasureFlash;
  return flash;
}

declare module 'express-session' {
  interface SessionData {
    erasureFlash?: string;
  }
}
