// Norm sets in the database, with the shipped Norwegian 2019 set as the fallback, and the
// import of a norm file (prom-norms JSON) or of norm microdata (CSV) that is aggregated first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { normSetSchema, type NormSet } from './format.ts';
import { aggregateMicrodata, type NormRespondent } from './microdata.ts';

const SHIPPED = fileURLToPath(new URL('../../../norms/no-2019.json', import.meta.url));
export const DEFAULT_NORM_SET = 'NO-2019';

export class NormFileRefused extends Error {}

export function shippedNorms(): NormSet {
  return normSetSchema.parse(JSON.parse(readFileSync(SHIPPED, 'utf8')));
}

/** The newest imported version of a set, or the shipped one. */
export async function loadNormSet(db: Db, id = DEFAULT_NORM_SET): Promise<NormSet | undefined> {
  const row = await db.selectFrom('norm_sets').select('data').where('id', '=', id).orderBy('imported_at', 'desc').limit(1).executeTakeFirst();
  if (row) return normSetSchema.parse(row.data);
  return id === DEFAULT_NORM_SET ? shippedNorms() : undefined;
}

export async function saveNormSet(db: Db, set: NormSet): Promise<void> {
  const data = JSON.stringify(set);
  await db
    .insertInto('norm_sets')
    .values({ id: set.id, version: set.version, data })
    .onConflict((oc) => oc.columns(['id', 'version']).doUpdateSet({ data }))
    .execute();
}

/** Reads a prom-norms JSON file or a microdata CSV; throws NormFileRefused with the reason. */
export function readNormFile(file: string, opts: { id?: string; version?: string; valueSet?: ValueSetId } = {}): NormSet {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    const parsed = normSetSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new NormFileRefused(`${file} is not a valid norm file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }
  const rows = readMicrodata(text);
  return aggregateMicrodata(rows, {
    id: opts.id ?? path.basename(file).replace(/\.[^.]+$/, ''),
    version: opts.version ?? new Date().toISOString().slice(0, 10),
    title: `Norms computed from microdata in ${path.basename(file)}`,
    population: 'As described by the microdata file (weighted with its weight column).',
    sourceName: path.basename(file),
    valueSet: opts.valueSet ?? DEFAULT_VALUE_SET,
  });
}

const level = z.union([z.literal(''), z.coerce.number().int().min(1).max(5)]).transform((v) => (v === '' ? null : v));
const rowSchema = z.object({
  age: z.coerce.number({ message: 'must be a number' }).int('must be whole years').min(0).max(130),
  sex: z.enum(['female', 'male'], { message: 'must be female or male' }),
  mobility: level,
  self_care: level,
  usual_activities: level,
  pain_discomfort: level,
  anxiety_depression: level,
  vas: z.union([z.literal(''), z.coerce.number().int().min(0).max(100)]).transform((v) => (v === '' ? null : v)),
  weight: z.union([z.literal(''), z.coerce.number().positive('must be positive')]).optional().transform((v) => (v === undefined || v === '' ? 1 : v)),
});

function readMicrodata(text: string): NormRespondent[] {
  const records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, delimiter: [',', ';'] }) as Record<string, string>[];
  const problems: string[] = [];
  const rows: NormRespondent[] = [];
  records.forEach((rec, i) => {
    const r = rowSchema.safeParse(rec);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push(`line ${i + 2}: ${String(issue.path[0])}: ${issue.message}`);
      return;
    }
    const d = r.data;
    rows.push({ age: d.age, sex: d.sex, levels: [d.mobility, d.self_care, d.usual_activities, d.pain_discomfort, d.anxiety_depression], vas: d.vas, weight: d.weight });
  });
  if (problems.length > 0) throw new NormFileRefused(`The microdata file has ${problems.length} problem(s); nothing was imported:\n${problems.slice(0, 50).join('\n')}`);
  if (rows.length === 0) throw new NormFileRefused('The microdata file has no rows.');
  return rows;
}
