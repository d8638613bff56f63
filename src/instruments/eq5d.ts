// EQ-5D-5L and the EQ VAS as the first instrument (id eq5d5l): a FHIR Questionnaire built from the
// loaded texts (the licensed ones from INSTRUMENT_DIR, else the preview texts), so nothing of its
// wording is stored in the database or the repository's code. Its pages keep their own templates.
import type { InstrumentTexts } from './eq5d-texts.ts';
import { DIMENSIONS } from './eq5d-texts.ts';
import type { Lang } from '../i18n/views.ts';
import { readQuestionnaire } from './questionnaire.ts';
import type { Instrument } from './model.ts';

export const EQ5D_ID = 'eq5d5l';
export const EQ5D_URL = 'urn:prom-survey:questionnaire:eq5d5l-evas';
const EQ5D_PROXY_ID = 'eq5d5l-proxy';
const EQ5D_PROXY_URL = 'urn:prom-survey:questionnaire:eq5d5l-evas-proxy';
export const EQ5D_VERSION = '1';
export const EQ5D_LINK_IDS: readonly string[] = [...DIMENSIONS, 'vas'];
const LEVEL_SYSTEM = 'urn:prom-survey:codesystem:eq5d5l-level';
const EXT = 'http://hl7.org/fhir/StructureDefinition/';

function translated(texts: InstrumentTexts, pick: (lang: Lang) => string) {
  return {
    extension: (['nn', 'en'] as const).map((lang) => ({
      url: `${EXT}translation`,
      extension: [
        { url: 'lang', valueCode: lang },
        { url: 'content', valueString: pick(lang) },
      ],
    })),
  };
}

/** The Questionnaire resource: base texts in bokmål, nynorsk and English as translations. */
export function eq5dQuestionnaire(texts: InstrumentTexts, variant: 'self' | 'proxy' = 'self') {
  return {
    resourceType: 'Questionnaire',
    id: variant === 'proxy' ? EQ5D_PROXY_ID : EQ5D_ID,
    url: variant === 'proxy' ? EQ5D_PROXY_URL : EQ5D_URL,
    version: EQ5D_VERSION,
    // The proxy version (0015): the same linkIds, worded for someone answering on the person's behalf.
    ...(variant === 'proxy' ? { derivedFrom: [`${EQ5D_URL}|${EQ5D_VERSION}`] } : {}),
    title: variant === 'proxy' ? 'EQ-5D-5L and EQ VAS, proxy version' : 'EQ-5D-5L and EQ VAS',
    status: 'active',
    language: 'nb',
    item: [
      ...DIMENSIONS.map((d, i) => ({
        linkId: d,
        type: 'choice',
        required: true,
        text: texts.nb.dimensions[i]!.heading,
        _text: translated(texts, (l) => texts[l].dimensions[i]!.heading),
        answerOption: texts.nb.dimensions[i]!.levels.map((label, l) => ({
          valueCoding: {
            system: LEVEL_SYSTEM,
            code: String(l + 1),
            display: label,
            _display: translated(texts, (lang) => texts[lang].dimensions[i]!.levels[l]!),
          },
        })),
      })),
      {
        linkId: 'vas',
        type: 'integer',
        required: true,
        text: texts.nb.vas.heading,
        _text: translated(texts, (l) => texts[l].vas.heading),
        extension: [
          { url: `${EXT}questionnaire-itemControl`, valueCodeableConcept: { coding: [{ code: 'slider' }] } },
          { url: `${EXT}minValue`, valueInteger: 0 },
          { url: `${EXT}maxValue`, valueInteger: 100 },
        ],
      },
    ],
  };
}

/** Built once per loaded texts and variant: the texts do not change while a process runs. */
const built = new WeakMap<InstrumentTexts, Map<'self' | 'proxy', Instrument>>();

export function eq5dInstrument(texts: InstrumentTexts, variant: 'self' | 'proxy' = 'self'): Instrument {
  const cached = built.get(texts)?.get(variant);
  if (cached) return cached;
  const read = readQuestionnaire(eq5dQuestionnaire(texts, variant));
  if (!read.ok) throw new Error(`EQ-5D-5L questionnaire: ${read.errors.join('; ')}`);
  // The proxy version is asked in EQ-5D's place (its own pages, columns and index): same id, its own url.
  const instrument = { ...read.instrument, id: EQ5D_ID };
  built.set(texts, (built.get(texts) ?? new Map<'self' | 'proxy', Instrument>()).set(variant, instrument));
  return instrument;
}
