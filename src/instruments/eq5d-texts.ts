// EQ-5D-5L and EQ VAS texts per language, loaded from instrument files (never from code or
// templates), so a register can install the licensed EuroQol wording with INSTRUMENT_DIR.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LANGUAGES, type Lang } from '../i18n/views.ts';

export const DIMENSIONS = [
  'mobility',
  'self_care',
  'usual_activities',
  'pain_discomfort',
  'anxiety_depression',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const instrumentSchema = z.object({
  instrument: z.literal('EQ-5D-5L'),
  /** 0015: 'proxy' marks the wording for someone answering on the person's behalf. */
  variant: z.enum(['self', 'proxy']).default('self'),
  language: z.enum(LANGUAGES),
  preview: z.boolean(),
  notice: z.string().optional(),
  intro: z.string(),
  dimensions: z
    .array(
      z.object({
        id: z.enum(DIMENSIONS),
        code: z.string(),
        heading: z.string(),
        question: z.string(),
        levels: z.array(z.string()).length(5),
      }),
    )
    .length(5)
    .refine(
      (d) => d.every((dim, i) => dim.id === DIMENSIONS[i]),
      'dimensions must be in the instrument order MO, SC, UA, PD, AD',
    ),
  vas: z.object({
    heading: z.string(),
    question: z.string(),
    hint: z.string(),
    best: z.string(),
    worst: z.string(),
    label: z.string(),
  }),
});

export type InstrumentText = z.infer<typeof instrumentSchema>;
export type InstrumentTexts = Record<Lang, InstrumentText> & { preview: boolean };
/** The self texts, and the proxy texts (asked when someone else answers on the person's behalf). */
export type Instruments = InstrumentTexts & { proxy: InstrumentTexts };

const shipped = fileURLToPath(new URL('../../instruments/eq5d5l', import.meta.url));
const shippedProxy = fileURLToPath(new URL('../../instruments/eq5d5l-proxy', import.meta.url));

/**
 * Licensed files in `dir` (nb.json, nn.json, en.json) replace the preview texts one by one; the
 * proxy texts likewise from `dir/proxy/` (nb.json, nn.json, en.json, each with "variant": "proxy").
 */
export function loadInstruments(dir?: string): Instruments {
  return {
    ...loadTexts(shipped, dir, 'self'),
    proxy: loadTexts(shippedProxy, dir && path.join(dir, 'proxy'), 'proxy'),
  };
}

function loadTexts(shippedDir: string, dir: string | undefined, variant: 'self' | 'proxy'): InstrumentTexts {
  const texts = Object.fromEntries(
    LANGUAGES.map((lang) => {
      const licensed = dir ? path.join(dir, `${lang}.json`) : undefined;
      const file = licensed && existsSync(licensed) ? licensed : path.join(shippedDir, `${lang}.json`);
      const parsed = instrumentSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success)
        throw new Error(
          `Instrument file ${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      if (parsed.data.variant !== variant)
        throw new Error(`Instrument file ${file} is not valid: variant must be "${variant}" there`);
      return [lang, parsed.data];
    }),
  ) as Record<Lang, InstrumentText>;
  return { ...texts, preview: LANGUAGES.some((l) => texts[l].preview) };
}

/** The questionnaire's pages in order: one per dimension, then the EQ VAS. */
export const PAGES = [...DIMENSIONS, 'vas'] as const;
export type PageId = (typeof PAGES)[number];
export type Answers = Partial<Record<PageId, number>>;
