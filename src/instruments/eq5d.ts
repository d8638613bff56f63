// EQ-5D-5L and the EQ VAS as the first instrument (id eq5d5l): a FHIR Questionnaire built from the
// loaded texts (the licensed ones from INSTRUMENT_DIR, else the preview texts), so nothing of its
// wording is stored in the database or the repository's code. Its pages keep their own templates.
import type { Instruments } from './eq5d-texts.ts';
import { DIMENSIONS } from './eq5d-texts.ts';
import type { Lang } from '../i18n/views.ts';
import { readQuestionnaire } from './questionnaire.ts';
import type { Instrument } from './model.ts';

export const EQ5D_ID = 'eq5d5l';
const EQ5D_URL = 'urn:prom-survey:questionnaire:eq5d5l-evas';
export const EQ5D_VERSION = '1';
export const EQ5D_LINK_IDS: readonly string[] = [...DIMENSIONS, 'vas'];
const LEVEL_SYSTEM = 'urn:prom-survey:codesystem:eq5d5l-level';
const EXT = 'http://hl7.org/fhir/StructureDefinition/';

function translated(texts: Instruments, pick: (lang: Lang) => string) {
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
export function eq5dQuestionnaire(texts: Instruments) {
  return {
    resourceType: 'Questionnaire',
    id: EQ5D_ID,
    url: EQ5D_URL,
    version: EQ5D_VERSION,
    title: 'EQ-5D-5L and EQ VAS',
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

export function eq5dInstrument(texts: Instruments): Instrument {
  const read = readQuestionnaire(eq5dQuestionnaire(texts));
  if (!read.ok) throw new Error(`EQ-5D-5L questionnaire: ${read.errors.join('; ')}`);
  return read.instrument;
}
