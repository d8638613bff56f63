// The population-norm file format (prom-norms, version 1): statistics by sex and age group, and
// every number carries its source. A statistic nobody published is null, never invented.
import { z } from 'zod';

export const AGE_BANDS = ['18-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export function ageBand(age: number): AgeBand | null {
  if (!Number.isFinite(age) || age < 18) return null;
  if (age < 30) return '18-29';
  if (age >= 80) return '80+';
  return AGE_BANDS[Math.floor(age / 10) - 2]!;
}

/** One published (or computed) number and where it comes from. */
const stat = z.object({ value: z.number(), source: z.string().min(1), note: z.string().optional() }).strict();
const sharesOf = (k: number) =>
  z
    .object({
      shares: z.array(z.number().min(0).max(1)).length(k),
      source: z.string().min(1),
      note: z.string().optional(),
    })
    .strict()
    .refine((s) => Math.abs(s.shares.reduce((a, b) => a + b, 0) - 1) < 0.005, 'shares must add up to 1');

const stratum = z
  .object({
    sex: z.enum(['female', 'male', 'all']),
    age: z.enum([...AGE_BANDS, 'all']),
    /** A stratum that is not a plain sex × age cell, e.g. controls matched to a patient group. */
    match: z.string().optional(),
    n: stat.nullable(),
    dimensions: z
      .object({
        mobility: sharesOf(5).nullable(),
        self_care: sharesOf(5).nullable(),
        usual_activities: sharesOf(5).nullable(),
        pain_discomfort: sharesOf(5).nullable(),
        anxiety_depression: sharesOf(5).nullable(),
      })
      .strict(),
    vas: z
      .object({ mean: stat.nullable(), sd: stat.nullable(), median: stat.nullable(), groups: sharesOf(10).nullable() })
      .strict(),
    index: z
      .object({
        mean: stat.nullable(),
        sd: stat.nullable(),
        valueSet: z.string().nullable(),
        valueSetNote: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export const normSetSchema = z
  .object({
    format: z.literal('prom-norms'),
    formatVersion: z.literal(1),
    id: z.string().regex(/^[A-Za-z0-9._-]+$/),
    version: z.string().min(1),
    title: z.string(),
    population: z.string(),
    sources: z.record(z.string(), z.string()),
    strata: z.array(stratum).min(1),
  })
  .strict()
  .superRefine((set, ctx) => {
    const used = set.strata.flatMap((s) => [
      s.n,
      ...Object.values(s.dimensions),
      s.vas.mean,
      s.vas.sd,
      s.vas.median,
      s.vas.groups,
      s.index.mean,
      s.index.sd,
    ]);
    for (const item of used) {
      if (item && !(item.source in set.sources) && !item.source.startsWith('computed:')) {
        ctx.addIssue({ code: 'custom', message: `source "${item.source}" is not listed in "sources"` });
      }
    }
  });

export type NormSet = z.infer<typeof normSetSchema>;
export type NormStratum = NormSet['strata'][number];

export function findStratum(
  set: NormSet,
  sex: 'female' | 'male' | 'all',
  age: AgeBand | 'all',
): NormStratum | undefined {
  return set.strata.find((s) => s.sex === sex && s.age === age && !s.match);
}
