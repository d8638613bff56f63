// Proxy variants: when someone else answers on the person's behalf, each instrument
// that has a proxy variant is asked in it — another Questionnaire with the same linkIds whose
// `derivedFrom` names the self version's canonical URL. EQ-5D-5L's is built from the proxy texts
// (instruments/eq5d5l-proxy, or INSTRUMENT_DIR/proxy); an added instrument's is stored with
// `prom instruments add` (instruments.proxy_of).
import type { Db } from '../db/database.ts';
import type { Respondent } from '../db/schema.ts';
import type { Instruments } from './eq5d-texts.ts';
import { EQ5D_ID, eq5dInstrument } from './eq5d.ts';
import { answerItems, type Instrument } from './model.ts';
import { readQuestionnaire } from './questionnaire.ts';
import { canonical } from './response.ts';

/** The instruments as asked of this respondent: for `proxy`, each one's proxy variant where there is one. */
export async function instrumentsFor(
  db: Db,
  texts: Instruments,
  instruments: Instrument[],
  respondent: Respondent | null,
): Promise<Instrument[]> {
  if (respondent !== 'proxy') return instruments;
  const added = instruments.filter((i) => i.id !== EQ5D_ID);
  const rows =
    added.length === 0
      ? []
      : await db
          .selectFrom('instruments')
          .select(['resource', 'proxy_of'])
          .where('proxy_of', 'in', added.map(canonical))
          .orderBy('added_at')
          .execute();
  const variants = new Map<string, Instrument>();
  for (const row of rows) {
    const read = readQuestionnaire(row.resource, []);
    if (read.ok && row.proxy_of) variants.set(row.proxy_of, read.instrument);
  }
  return instruments.map((i) =>
    i.id === EQ5D_ID ? eq5dInstrument(texts.proxy, 'proxy') : (variants.get(canonical(i)) ?? i),
  );
}

/** The canonical URLs a Questionnaire's `derivedFrom` names (with or without "|version"). */
export function derivedFrom(resource: unknown): string[] {
  if (typeof resource !== 'object' || resource === null || !('derivedFrom' in resource)) return [];
  const d = resource.derivedFrom;
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
}

/** Problems that keep `variant` from being `self`'s proxy variant: the same linkIds, in any order. */
export function proxyProblems(self: Instrument, variant: Instrument): string[] {
  const a = answerItems(self).map((i) => i.linkId);
  const b = new Set(answerItems(variant).map((i) => i.linkId));
  const missing = a.filter((l) => !b.has(l));
  const extra = [...b].filter((l) => !a.includes(l));
  if (missing.length === 0 && extra.length === 0) return [];
  return [
    `a proxy variant must have the same linkIds as ${self.id}` +
      (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
      (extra.length > 0 ? `; not in ${self.id}: ${extra.join(', ')}` : ''),
  ];
}
