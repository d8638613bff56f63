// The instruments table: FHIR Questionnaires added with `prom instruments add`, each version kept
// whole. eq5d5l is built in (its texts come from the instrument files), so it is never stored.
import type { Db } from '../db/database.ts';
import type { Instruments } from './eq5d-texts.ts';
import { EQ5D_ID, EQ5D_LINK_IDS, EQ5D_URL, EQ5D_VERSION, eq5dInstrument, eq5dQuestionnaire } from './eq5d.ts';
import type { Instrument } from './model.ts';
import { RESERVED_NAMES, readQuestionnaire } from './questionnaire.ts';
import { derivedFrom, proxyProblems } from './proxy.ts';
import { canonical } from './response.ts';

export class InstrumentRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`Questionnaire refused:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** linkIds an added instrument may not use: the export's fixed columns and EQ-5D's variables. */
export const ADDED_RESERVED: readonly string[] = [...RESERVED_NAMES, ...EQ5D_LINK_IDS];

export interface StoredInstrument {
  id: string;
  version: string;
  url: string;
  addedAt: Date | null;
  /** A proxy variant: the canonical url|version of the instrument it words for someone else. */
  proxyOf: string | null;
  resource: Record<string, unknown>;
  instrument: Instrument;
}

/** Validates and stores; the same id and version again is accepted only with the same content. */
export async function addInstrument(db: Db, resource: unknown, addedBy: string): Promise<StoredInstrument> {
  const read = readQuestionnaire(resource, ADDED_RESERVED);
  if (!read.ok) throw new InstrumentRefused(read.errors);
  const { id, version, url } = read.instrument;
  if (id === EQ5D_ID) throw new InstrumentRefused([`Questionnaire.id "${id}" is the built-in EQ-5D-5L`]);
  const json = JSON.stringify(resource);
  const proxyOf = await proxyTarget(db, read.instrument, derivedFrom(resource));
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('instruments')
      .select(['resource', 'added_at'])
      .where('id', '=', id)
      .where('version', '=', version)
      .forUpdate()
      .executeTakeFirst();
    if (existing && canonicalJson(existing.resource) !== canonicalJson(resource))
      throw new InstrumentRefused([
        `${id} version ${version} is already stored with other content; give it a new version`,
      ]);
    if (!existing)
      await trx
        .insertInto('instruments')
        .values({ id, version, url, resource: json, added_by: addedBy, proxy_of: proxyOf ?? null })
        .execute();
    return {
      id,
      version,
      url,
      addedAt: existing?.added_at ?? new Date(),
      proxyOf: proxyOf ?? null,
      resource: resource as Record<string, unknown>,
      instrument: read.instrument,
    };
  });
}

/**
 * 0015: a Questionnaire whose `derivedFrom` names an installed instrument's canonical URL
 * ("url" or "url|version") is that instrument's proxy variant, if it has the same linkIds.
 * Returns the self version's canonical "url|version", or undefined without `derivedFrom`.
 */
async function proxyTarget(db: Db, variant: Instrument, names: string[]): Promise<string | undefined> {
  if (names.length === 0) return undefined;
  const [name] = names;
  const [url, version] = name!.split('|');
  if (url === EQ5D_URL)
    throw new InstrumentRefused([
      `derivedFrom names EQ-5D-5L: its proxy texts install through INSTRUMENT_DIR/proxy (docs/instruments.md)`,
    ]);
  let q = db.selectFrom('instruments').selectAll().where('url', '=', url!);
  if (version !== undefined) q = q.where('version', '=', version);
  const row = await q.orderBy('added_at', 'desc').limit(1).executeTakeFirst();
  if (!row) throw new InstrumentRefused([`derivedFrom names ${name}, which is not an installed instrument`]);
  const self = fromRow(row).instrument;
  if (self.id === variant.id)
    throw new InstrumentRefused([`a proxy variant needs an id of its own (not ${self.id}, the self version's)`]);
  const problems = proxyProblems(self, variant);
  if (problems.length > 0) throw new InstrumentRefused(problems);
  return canonical(self);
}

/** Every stored version plus the built-in eq5d5l, newest version of each id last. */
export async function listInstruments(db: Db, texts: Instruments): Promise<StoredInstrument[]> {
  const rows = await db.selectFrom('instruments').selectAll().orderBy('id').orderBy('added_at').execute();
  return [builtIn(texts), ...rows.map(fromRow)];
}

/** One version (or the newest of an id); undefined when unknown. */
export async function findInstrument(
  db: Db,
  texts: Instruments,
  id: string,
  version?: string,
): Promise<StoredInstrument | undefined> {
  if (id === EQ5D_ID) return version === undefined || version === EQ5D_VERSION ? builtIn(texts) : undefined;
  let q = db.selectFrom('instruments').selectAll().where('id', '=', id);
  if (version !== undefined) q = q.where('version', '=', version);
  const row = await q.orderBy('added_at', 'desc').limit(1).executeTakeFirst();
  return row && fromRow(row);
}

function builtIn(texts: Instruments): StoredInstrument {
  return {
    id: EQ5D_ID,
    version: EQ5D_VERSION,
    url: eq5dInstrument(texts).url,
    addedAt: null,
    proxyOf: null,
    resource: eq5dQuestionnaire(texts),
    instrument: eq5dInstrument(texts),
  };
}

function fromRow(row: {
  id: string;
  version: string;
  url: string;
  resource: Record<string, unknown>;
  added_at: Date;
  proxy_of: string | null;
}) {
  const read = readQuestionnaire(row.resource, ADDED_RESERVED);
  if (!read.ok)
    throw new Error(`Stored questionnaire ${row.id} ${row.version} no longer reads: ${read.errors.join('; ')}`);
  return {
    id: row.id,
    version: row.version,
    url: row.url,
    addedAt: row.added_at,
    proxyOf: row.proxy_of,
    resource: row.resource,
    instrument: read.instrument,
  };
}

/** JSON with object keys sorted: jsonb does not keep the order a file was written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
