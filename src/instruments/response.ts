// A response as FHIR R4 QuestionnaireResponses, one per instrument asked, each naming the
// questionnaire's canonical URL and version ("url|version"), with the answers under their linkIds.
import type { Respondent } from '../db/schema.ts';
import type { Instrument, Item } from './model.ts';

/** 0015: who filled in the questionnaire, on each QuestionnaireResponse (self, assisted, proxy). */
export const RESPONDENT_EXTENSION = 'urn:prom-survey:extension:respondent';
import { answerItems } from './model.ts';

export function canonical(instrument: Instrument): string {
  return `${instrument.url}|${instrument.version}`;
}

/** `values` holds every answered item by linkId (EQ-5D's included); unanswered items have no answer. */
export function questionnaireResponses(
  instruments: Instrument[],
  values: Record<string, unknown>,
  authored: Date,
  respondent: Respondent | null = null,
) {
  return instruments.map((instrument) => ({
    resourceType: 'QuestionnaireResponse',
    ...(respondent ? { extension: [{ url: RESPONDENT_EXTENSION, valueCode: respondent }] } : {}),
    questionnaire: canonical(instrument),
    status: 'completed',
    authored: authored.toISOString(),
    item: answerItems(instrument)
      .filter((item) => values[item.linkId] !== undefined && values[item.linkId] !== null)
      .map((item) => ({ linkId: item.linkId, text: item.text.nb, answer: [answerOf(item, values[item.linkId])] })),
  }));
}

function answerOf(item: Item, value: unknown): Record<string, unknown> {
  switch (item.type) {
    case 'choice': {
      const option = item.options.find((o) => o.code === String(value));
      return {
        valueCoding: {
          ...(option?.system ? { system: option.system } : {}),
          code: String(value),
          display: option?.display.nb,
        },
      };
    }
    case 'integer':
      return { valueInteger: Number(value) };
    case 'decimal':
      return { valueDecimal: Number(value) };
    case 'boolean':
      return { valueBoolean: value === true };
    case 'date':
      return { valueDate: String(value) };
    default:
      return { valueString: String(value) };
  }
}
