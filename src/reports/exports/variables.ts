// The analyst export's variables: one list drives the CSV columns, the codebook and the label
// scripts for R, Stata and SPSS, so they can never disagree.
import { createHmac } from 'node:crypto';
import { ageBand } from '../norms/format.ts';
import { eq5dIndex, levelSumScore, type ValueSetId } from '../eq5d/engine.ts';
import { stateOf, type ResponseRow } from './rows.ts';

export type VariableType = 'string' | 'integer' | 'decimal';

export interface Variable {
  name: string;
  label: string;
  type: VariableType;
  /** Width for fixed-format readers (SPSS). */
  width: number;
  valueLabels?: readonly [number | string, string][];
  value(r: ResponseRow, ctx: ExportContext): string | number | null;
}

export interface ExportContext {
  valueSet: ValueSetId;
  pseudonym(kind: 'person' | 'response', id: string): string;
}

/** Generic level descriptors (not the licensed instrument wording). */
const LEVEL_LABELS: readonly [number, string][] = [
  [1, 'Level 1: no problems'],
  [2, 'Level 2: slight problems'],
  [3, 'Level 3: moderate problems'],
  [4, 'Level 4: severe problems'],
  [5, 'Level 5: unable to / extreme problems'],
];

export const MISSING_NOTE =
  'Empty cell = missing (not answered, or no index because a dimension is missing). No numeric missing codes are used.';

/** Keyed HMAC: stable for one export key, unlinkable across keys without the secret. */
export function pseudonymiser(secret: string, exportKey: string) {
  return (kind: 'person' | 'response', id: string) =>
    createHmac('sha256', secret).update(`${exportKey}\u0000${kind}\u0000${id}`).digest('hex').slice(0, 20);
}

const level = (name: string, label: string, pick: (r: ResponseRow) => number | null): Variable => ({
  name,
  label,
  type: 'integer',
  width: 1,
  valueLabels: LEVEL_LABELS,
  value: pick,
});

export function analysisVariables(valueSet: ValueSetId): Variable[] {
  return [
    {
      name: 'pid',
      label: 'Person pseudonym (keyed HMAC, stable within one export key)',
      type: 'string',
      width: 20,
      value: (r, c) => c.pseudonym('person', r.register_id),
    },
    {
      name: 'rid',
      label: 'Response pseudonym (joins the wide and long files)',
      type: 'string',
      width: 20,
      value: (r, c) => c.pseudonym('response', r.id),
    },
    {
      name: 'arrest_type',
      label: 'Cardiac arrest type',
      type: 'string',
      width: 4,
      valueLabels: [
        ['OHCA', 'Out-of-hospital cardiac arrest'],
        ['IHCA', 'In-hospital cardiac arrest'],
      ],
      value: (r) => r.arrest_type,
    },
    { name: 'hospital', label: 'Hospital code', type: 'string', width: 16, value: (r) => r.hospital },
    {
      name: 'arrest_year',
      label: 'Year of the arrest',
      type: 'integer',
      width: 4,
      value: (r) => Number(r.arrest_date.slice(0, 4)),
    },
    {
      name: 'arrest_month',
      label: 'Month of the arrest (1-12)',
      type: 'integer',
      width: 2,
      value: (r) => Number(r.arrest_date.slice(5, 7)),
    },
    {
      name: 'sex',
      label: 'Sex (from the population register)',
      type: 'string',
      width: 6,
      valueLabels: [
        ['female', 'Female'],
        ['male', 'Male'],
      ],
      value: (r) => r.sex,
    },
    {
      name: 'age',
      label: 'Age at the arrest, whole years',
      type: 'integer',
      width: 3,
      value: (r) => ageAt(r.birth_date, r.arrest_date),
    },
    {
      name: 'age_group',
      label: 'Age group at the arrest (norm bands)',
      type: 'string',
      width: 5,
      value: (r) => ageBand(ageAt(r.birth_date, r.arrest_date)),
    },
    {
      name: 'mode',
      label: 'How the response came in',
      type: 'string',
      width: 5,
      valueLabels: [
        ['web', 'Web questionnaire'],
        ['paper', 'Paper questionnaire'],
      ],
      value: (r) => r.mode,
    },
    {
      name: 'language',
      label: 'Questionnaire language',
      type: 'string',
      width: 2,
      valueLabels: [
        ['nb', 'Norwegian bokmål'],
        ['nn', 'Norwegian nynorsk'],
        ['en', 'English'],
      ],
      value: (r) => r.language,
    },
    {
      name: 'completed_year',
      label: 'Year the response was completed',
      type: 'integer',
      width: 4,
      value: (r) => Number(r.completed_at.slice(0, 4)),
    },
    level('mobility', 'EQ-5D-5L mobility (MO)', (r) => r.mobility),
    level('self_care', 'EQ-5D-5L self-care (SC)', (r) => r.self_care),
    level('usual_activities', 'EQ-5D-5L usual activities (UA)', (r) => r.usual_activities),
    level('pain_discomfort', 'EQ-5D-5L pain/discomfort (PD)', (r) => r.pain_discomfort),
    level('anxiety_depression', 'EQ-5D-5L anxiety/depression (AD)', (r) => r.anxiety_depression),
    {
      name: 'eq5d_state',
      label: 'EQ-5D-5L health state (MO SC UA PD AD)',
      type: 'string',
      width: 5,
      value: (r) => stateOf(r),
    },
    {
      name: 'eq5d_lss',
      label: 'EQ-5D-5L level sum score (5-25, unweighted)',
      type: 'integer',
      width: 2,
      value: (r) => (stateOf(r) ? levelSumScore(stateOf(r)!) : null),
    },
    {
      name: 'eq5d_index',
      label: `EQ-5D-5L index, value set ${valueSet}, unrounded`,
      type: 'decimal',
      width: 12,
      value: (r, c) => (stateOf(r) ? eq5dIndex(stateOf(r)!, c.valueSet) : null),
    },
    {
      name: 'vas',
      label: 'EQ VAS (0 worst - 100 best imaginable health)',
      type: 'integer',
      width: 3,
      value: (r) => r.vas,
    },
    RESPONDENT_VARIABLE,
  ];
}

/** 0015: who filled in the questionnaire; after the fixed variables, before the items of added instruments. */
const RESPONDENT_VARIABLE: Variable = {
  name: 'respondent',
  label: 'Who filled in the questionnaire (empty = not recorded)',
  type: 'string',
  width: 8,
  valueLabels: [
    ['self', 'The person'],
    ['assisted', 'The person, with help from someone'],
    ['proxy', "Someone else, on the person's behalf"],
  ],
  value: (r) => r.respondent,
};

/** Items of the long file: one row per response and item. */
export const LONG_ITEMS = [
  ['MO', 'mobility'],
  ['SC', 'self_care'],
  ['UA', 'usual_activities'],
  ['PD', 'pain_discomfort'],
  ['AD', 'anxiety_depression'],
  ['VAS', 'vas'],
] as const;

function ageAt(birth: string, at: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [ay, am, ad] = at.split('-').map(Number) as [number, number, number];
  return ay - by - (am < bm || (am === bm && ad < bd) ? 1 : 0);
}
