// The analysis export's variables for instruments other than EQ-5D, generated from their
// definitions: one per item, named by its linkId, after EQ-5D's variables. The same list drives
// the wide CSV, the codebook and the R/Stata/SPSS label scripts.
import { formatValue } from '../../instruments/item-schema.ts';
import { answerItems, type Instrument, type Item } from '../../instruments/model.ts';
import type { Variable, VariableType } from './variables.ts';

/** Stata's and SPSS's variable labels are at most 80 characters. */
const LABEL_MAX = 80;

export function itemVariables(instruments: Instrument[]): Variable[] {
  const seen = new Set<string>();
  const out: Variable[] = [];
  for (const instrument of instruments)
    for (const item of answerItems(instrument)) {
      if (seen.has(item.linkId)) continue;
      seen.add(item.linkId);
      out.push(variableOf(instrument, item));
    }
  return out;
}

function variableOf(instrument: Instrument, item: Item): Variable {
  const label = `${instrument.id}: ${item.text.en}`;
  return {
    name: item.linkId,
    label: label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label,
    type: typeOf(item),
    width: widthOf(item),
    valueLabels: valueLabelsOf(item),
    value: (r) => {
      const text = formatValue(r.items?.[item.linkId]);
      return text === '' ? null : text;
    },
  };
}

function typeOf(item: Item): VariableType {
  if (item.type === 'integer' || item.type === 'boolean') return 'integer';
  if (item.type === 'decimal') return 'decimal';
  return 'string';
}

function widthOf(item: Item): number {
  if (item.type === 'choice') return Math.max(...item.options.map((o) => o.code.length));
  if (item.type === 'boolean') return 1;
  if (item.type === 'date') return 10;
  if (item.type === 'string') return item.maxLength;
  return 12;
}

function valueLabelsOf(item: Item): Variable['valueLabels'] {
  if (item.type === 'boolean')
    return [
      [1, 'Yes'],
      [0, 'No'],
    ];
  if (item.type === 'choice') return item.options.map((o) => [o.code, o.display.en] as const);
  return undefined;
}

/** The long file's extra rows: one per item with an answer. */
export function itemLongRows(instruments: Instrument[]): string[] {
  return itemVariables(instruments).map((v) => v.name);
}
