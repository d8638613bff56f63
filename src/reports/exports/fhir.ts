// FHIR R4: the EQ-5D-5L and EQ VAS as a Questionnaire, and each response as a
// QuestionnaireResponse, in one Bundle of type "collection". Subjects are pseudonyms only.
import type { InstrumentText } from '../../instruments/eq5d-texts.ts';
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import type { ResponseRow } from './rows.ts';
import type { ExportContext } from './variables.ts';
import { RESPONDENT_EXTENSION } from '../../instruments/response.ts';

const QUESTIONNAIRE_URL = 'urn:prom-survey:questionnaire:eq5d5l-evas';
const LEVEL_SYSTEM = 'urn:prom-survey:codesystem:eq5d5l-level';
const LINK_IDS = ['MO', 'SC', 'UA', 'PD', 'AD'] as const;

export function questionnaire(text: InstrumentText) {
  return {
    resourceType: 'Questionnaire',
    id: 'eq5d5l-evas',
    url: QUESTIONNAIRE_URL,
    name: 'EQ5D5L_EQVAS',
    title: `EQ-5D-5L and EQ VAS (${text.preview ? 'preview wording, not the licensed EuroQol text' : 'licensed wording'})`,
    status: 'active',
    language: text.language === 'en' ? 'en' : text.language === 'nn' ? 'nn' : 'nb',
    copyright: 'EQ-5D is a trade mark of the EuroQol Group. The EQ-5D-5L wording is used under licence from EuroQol.',
    item: [
      ...text.dimensions.map((d, i) => ({
        linkId: LINK_IDS[i]!,
        text: d.heading,
        type: 'choice',
        required: false,
        answerOption: d.levels.map((label, l) => ({
          valueCoding: { system: LEVEL_SYSTEM, code: String(l + 1), display: label },
        })),
      })),
      { linkId: 'VAS', text: text.vas.question, type: 'integer', required: false },
    ],
  };
}

export function questionnaireResponse(r: ResponseRow, ctx: ExportContext, text: InstrumentText) {
  const levels = DIMENSIONS.map((d) => r[d]);
  const items: object[] = [];
  levels.forEach((level, i) => {
    if (level === null) return; // missing: no answer item (never imputed)
    items.push({
      linkId: LINK_IDS[i]!,
      answer: [
        { valueCoding: { system: LEVEL_SYSTEM, code: String(level), display: text.dimensions[i]!.levels[level - 1] } },
      ],
    });
  });
  if (r.vas !== null) items.push({ linkId: 'VAS', answer: [{ valueInteger: r.vas }] });
  return {
    resourceType: 'QuestionnaireResponse',
    id: ctx.pseudonym('response', r.id),
    // Who filled it in, as on the stored QuestionnaireResponses.
    ...(r.respondent ? { extension: [{ url: RESPONDENT_EXTENSION, valueCode: r.respondent }] } : {}),
    questionnaire: QUESTIONNAIRE_URL,
    status: 'completed',
    subject: { identifier: { system: 'urn:prom-survey:pseudonym', value: ctx.pseudonym('person', r.register_id) } },
    authored: r.completed_at,
    item: items,
  };
}

interface StoredResponse {
  questionnaire: string;
  [key: string]: unknown;
}

/**
 * The other instruments' QuestionnaireResponses, as stored with the response when it was given
 *, with the export's pseudonyms. EQ-5D's stored one is left out: the response above
 * already carries it under the established questionnaire URL.
 */
export function otherQuestionnaireResponses(r: ResponseRow, ctx: ExportContext) {
  const stored = (r.questionnaire_responses ?? []) as StoredResponse[];
  return stored
    .filter((qr) => !qr.questionnaire.startsWith(`${QUESTIONNAIRE_URL}|`))
    .map((qr) => ({
      ...qr,
      // Keyed by response and questionnaire: stable per export key, distinct per instrument.
      id: ctx.pseudonym('response', `${r.id}|${qr.questionnaire}`),
      subject: { identifier: { system: 'urn:prom-survey:pseudonym', value: ctx.pseudonym('person', r.register_id) } },
      authored: r.completed_at,
    }));
}
