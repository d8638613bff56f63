// The FHIR R4 Questionnaire reader (src/instruments/questionnaire.ts): the supported subset is
// read, every other item feature is refused naming the item and the feature, linkIds are variable
// names; enableWhen with every R4 operator and enableBehavior; item answers parsed by their schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readQuestionnaire } from '../../src/instruments/questionnaire.ts';
import { isEnabled } from '../../src/instruments/enable-when.ts';
import { itemSchema } from '../../src/instruments/item-schema.ts';
import type { Condition, Item } from '../../src/instruments/model.ts';
import { answerItems } from '../../src/instruments/model.ts';
import { eq5dInstrument } from '../../src/instruments/eq5d.ts';
import { ADDED_RESERVED } from '../../src/instruments/store.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';

const example = () =>
  JSON.parse(
    readFileSync(new URL('../../instruments/followup-example/questionnaire.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

const withItem = (item: Record<string, unknown>) => ({
  resourceType: 'Questionnaire',
  id: 'test-q',
  url: 'urn:test',
  version: '1',
  publisher: 'ignored',
  meta: { profile: ['ignored'] },
  item: [{ linkId: 'first', type: 'boolean', text: 'First?' }, item],
});

function refusal(input: unknown): string {
  const read = readQuestionnaire(input, ADDED_RESERVED);
  assert.equal(read.ok, false, 'refused');
  return read.ok ? '' : read.errors.join('\n');
}

test('the example reads: three items, nb base texts with nn and en translations, the skip condition', () => {
  const read = readQuestionnaire(example(), ADDED_RESERVED);
  assert.ok(read.ok, read.ok ? '' : read.errors.join('; '));
  const items = answerItems(read.instrument);
  assert.deepEqual(
    items.map((i) => i.linkId),
    ['help_needed', 'help_from', 'recovery'],
  );
  assert.equal(items[0]!.text.en, 'Do you need help from someone for everyday activities?');
  assert.equal(items[0]!.options[2]!.display.nn, 'Ja, kvar dag');
  assert.deepEqual(items[1]!.enableWhen, [{ question: 'help_needed', operator: '!=', answer: 'no' }]);
  assert.deepEqual([items[2]!.min, items[2]!.max], [0, 10]);
});

test('EQ-5D-5L reads as the built-in instrument eq5d5l with its six variable names', () => {
  const eq5d = eq5dInstrument(loadInstruments());
  assert.deepEqual(
    answerItems(eq5d).map((i) => i.linkId),
    ['mobility', 'self_care', 'usual_activities', 'pain_discomfort', 'anxiety_depression', 'vas'],
  );
});

test('unsupported item types and features are refused, naming the item and the feature', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ linkId: 'photo', type: 'attachment', text: 'A photo' }, /item "photo": item type "attachment" is not supported/],
    [{ linkId: 'when', type: 'dateTime', text: 'When' }, /item "when": item type "dateTime" is not supported/],
    [{ linkId: 'many', type: 'string', text: 'x', repeats: true }, /item "many": "repeats" is not supported/],
    [
      { linkId: 'vs', type: 'choice', text: 'x', answerValueSet: 'http://x' },
      /item "vs": "answerValueSet" is not supported/,
    ],
    [
      { linkId: 'init', type: 'integer', text: 'x', initial: [{ valueInteger: 1 }] },
      /item "init": "initial" is not supported/,
    ],
    [
      {
        linkId: 'dd',
        type: 'choice',
        text: 'x',
        answerOption: [{ valueCoding: { code: 'a', display: 'A' } }],
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
            valueCodeableConcept: { coding: [{ code: 'drop-down' }] },
          },
        ],
      },
      /item "dd": itemControl "drop-down" is not supported on a choice item/,
    ],
    [
      { linkId: 'ext', type: 'string', text: 'x', extension: [{ url: 'http://example.org/other' }] },
      /item "ext": extension "http:\/\/example.org\/other" is not supported/,
    ],
    [
      { linkId: 'str', type: 'choice', text: 'x', answerOption: [{ valueString: 'a' }] },
      /item "str": answerOption "valueString" is not supported/,
    ],
    [{ linkId: 'noopt', type: 'choice', text: 'x' }, /item "noopt": a choice item needs inline answerOption/],
    [
      {
        linkId: 'sl',
        type: 'integer',
        text: 'x',
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
            valueCodeableConcept: { coding: [{ code: 'slider' }] },
          },
        ],
      },
      /item "sl": a slider needs minValue and maxValue/,
    ],
    [
      { linkId: 'ml', type: 'integer', text: 'x', maxLength: 3 },
      /item "ml": maxLength is only supported on a string item/,
    ],
    [
      {
        linkId: 'grp',
        type: 'group',
        text: 'x',
        item: [{ linkId: 'inner', type: 'group', item: [] }],
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
            valueCodeableConcept: { coding: [{ code: 'page' }] },
          },
        ],
      },
      /a group inside a page group is not supported/,
    ],
    [
      {
        linkId: 'later',
        type: 'boolean',
        text: 'x',
        enableWhen: [{ question: 'nothere', operator: '=', answerBoolean: true }],
      },
      /item "later": enableWhen refers to "nothere"/,
    ],
    [
      {
        linkId: 'op',
        type: 'boolean',
        text: 'x',
        enableWhen: [{ question: 'first', operator: 'like', answerBoolean: true }],
      },
      /item "op": enableWhen needs a question and an operator/,
    ],
    [
      {
        linkId: 'ex',
        type: 'boolean',
        text: 'x',
        enableWhen: [{ question: 'first', operator: 'exists', answerString: 'y' }],
      },
      /item "ex": enableWhen needs exactly one answer\[x\]/,
    ],
  ];
  for (const [item, message] of cases) assert.match(refusal(withItem(item)), message);
});

test('bad linkIds are refused naming the item: not a variable name, too long, used twice, an export column or an EQ-5D variable', () => {
  for (const [linkId, message] of [
    ['1st', /item "1st": linkId must be a variable name/],
    ['Help', /item "Help": linkId must be a variable name/],
    ['help-needed', /item "help-needed": linkId must be a variable name/],
    ['a'.repeat(33), /linkId must be a variable name/],
    ['first', /item "first": linkId is used twice/],
    ['register_id', /item "register_id": linkId is a reserved export column name/],
    ['mobility', /item "mobility": linkId is a reserved export column name/],
  ] as const)
    assert.match(refusal(withItem({ linkId, type: 'string', text: 'x' })), message);
  assert.match(
    refusal(withItem({ type: 'string', text: 'x' })),
    /an item without a linkId: linkId must be a variable name/,
  );
});

test('top-level metadata is ignored; id, url, version and the resource type are required', () => {
  const ok = readQuestionnaire(withItem({ linkId: 'second', type: 'date', text: 'When?' }), ADDED_RESERVED);
  assert.ok(ok.ok);
  assert.match(
    refusal({ ...withItem({ linkId: 'x', type: 'string', text: 'x' }), url: undefined }),
    /Questionnaire.url is missing/,
  );
  assert.match(
    refusal({ ...withItem({ linkId: 'x', type: 'string', text: 'x' }), version: undefined }),
    /Questionnaire.version is missing/,
  );
  assert.match(refusal({ resourceType: 'Patient' }), /not a FHIR Questionnaire/);
  assert.match(
    refusal({ ...withItem({ linkId: 'x', type: 'string', text: 'x' }), language: 'de' }),
    /language "de" is not nb, nn or en/,
  );
});

const when = (conditions: Condition[], behavior: 'all' | 'any' = 'all') => ({
  enableWhen: conditions,
  enableBehavior: behavior,
});

test('enableWhen: every R4 operator, exists true/false, enableBehavior all and any, unanswered questions', () => {
  const c = (operator: Condition['operator'], answer: Condition['answer']): Condition => ({
    question: 'q',
    operator,
    answer,
  });
  const table: [Condition, unknown, boolean][] = [
    [c('=', 'no'), 'no', true],
    [c('=', 'no'), 'yes', false],
    [c('!=', 'no'), 'yes', true],
    [c('!=', 'no'), undefined, false],
    [c('>', 5), 6, true],
    [c('>', 5), 5, false],
    [c('<', 5), 4.5, true],
    [c('>=', 5), 5, true],
    [c('<=', 5), 5.5, false],
    [c('>', '2026-01-01'), '2026-02-01', true],
    [c('=', true), true, true],
    [c('=', true), false, false],
    [c('exists', true), 'x', true],
    [c('exists', true), undefined, false],
    [c('exists', false), undefined, true],
    [c('exists', false), null, true],
    [c('>', 5), 'six', false],
  ];
  for (const [condition, answer, expected] of table)
    assert.equal(
      isEnabled(when([condition]), { q: answer }),
      expected,
      `${condition.operator} ${String(condition.answer)} vs ${String(answer)}`,
    );
  const two = [
    { question: 'a', operator: '=', answer: 1 },
    { question: 'b', operator: '=', answer: 2 },
  ] as Condition[];
  assert.equal(isEnabled(when(two, 'all'), { a: 1, b: 3 }), false);
  assert.equal(isEnabled(when(two, 'any'), { a: 1, b: 3 }), true);
  assert.equal(isEnabled(when([]), {}), true);
});

const item = (over: Partial<Item>): Item => ({
  linkId: 'x',
  type: 'string',
  text: { nb: 'x', nn: 'x', en: 'x' },
  required: true,
  options: [],
  slider: false,
  maxLength: 500,
  enableWhen: [],
  enableBehavior: 'all',
  ...over,
});

test('item answers: a decimal comma, integer without decimals, range, codes, yes/no, dates, length, required', () => {
  const parse = (i: Item, raw: string | undefined) => {
    const r = itemSchema(i).safeParse(raw);
    return r.success ? r.data : `error:${r.error.issues[0]!.message}`;
  };
  const dec = item({ type: 'decimal', min: 0, max: 10 });
  assert.equal(parse(dec, ' 7,5 '), 7.5);
  assert.equal(parse(dec, '7.5'), 7.5);
  assert.equal(parse(dec, '10,5'), 'error:range');
  assert.equal(parse(dec, 'sju'), 'error:number');
  assert.equal(parse(dec, ''), 'error:required');
  assert.equal(parse(item({ type: 'integer' }), '7,5'), 'error:whole');
  assert.equal(parse(item({ type: 'integer', required: false }), ''), undefined);
  const choice = item({ type: 'choice', options: [{ code: 'no', display: { nb: 'Nei', nn: 'Nei', en: 'No' } }] });
  assert.equal(parse(choice, 'no'), 'no');
  assert.equal(parse(choice, 'yes'), 'error:choose');
  assert.equal(parse(item({ type: 'boolean' }), 'false'), false);
  assert.equal(parse(item({ type: 'boolean' }), 'kanskje'), 'error:yesNo');
  assert.equal(parse(item({ type: 'date' }), '2026-02-30'), 'error:date');
  assert.equal(parse(item({ type: 'date' }), '2026-02-28'), '2026-02-28');
  assert.equal(parse(item({ maxLength: 3 }), 'abcd'), 'error:tooLong');
});
