// Interface texts of the register profile work: every new section exists in bokmål,
// nynorsk and English with the same keys, and the templates that show them hold no text of
// their own (everything a person reads comes from locales/ or the register profile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const SECTIONS = ['contact', 'start', 'vas', 'registerAdmin'];
const TEMPLATES = [
  'templates/survey/start.hbs',
  'templates/survey/home.hbs',
  'templates/survey/accessibility.hbs',
  'templates/partials/contact-line.hbs',
  'templates/staff/register.hbs',
  'templates/email/invitation.html.hbs',
  'templates/email/invitation.txt.hbs',
];

function leaves(node: unknown, prefix = ''): Map<string, unknown> {
  if (node === null || typeof node !== 'object') return new Map([[prefix, node]]);
  return new Map(Object.entries(node).flatMap(([k, v]) => [...leaves(v, prefix ? `${prefix}.${k}` : k)]));
}

test('every new section has the same keys in nb, nn and en, each a non-empty text with the same {placeholders}', () => {
  for (const section of SECTIONS) {
    const [nb, nn, en] = ['nb', 'nn', 'en'].map((l) =>
      leaves(JSON.parse(readFileSync(new URL(`locales/${l}/${section}.json`, root), 'utf8'))),
    );
    for (const [lang, texts] of [
      ['nn', nn!],
      ['en', en!],
    ] as const) {
      assert.deepEqual([...texts.keys()].sort(), [...nb!.keys()].sort(), `${section}: ${lang} has the keys of nb`);
      for (const [key, value] of texts) {
        assert.ok(typeof value === 'string' && value.trim() !== '', `${lang}/${section}.${key}`);
        const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        assert.deepEqual(vars(value), vars(nb!.get(key) as string), `${lang}/${section}.${key}: placeholders`);
      }
    }
  }
});

test('the templates hold no text of their own', () => {
  for (const file of TEMPLATES) {
    const source = readFileSync(new URL(file, root), 'utf8');
    const bare = source
      .replace(/\{\{!--[\s\S]*?--\}\}/g, ' ')
      .replace(/\{\{\{?[\s\S]*?\}?\}\}/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&[a-z]+;/g, ' ')
      .replace(/\buutilsynet\.no\b/g, ' '); // a web address shown as itself
    assert.match(bare, /^[\s.,:;·()–-]*$/, `${file}: ${bare.replace(/\s+/g, ' ').trim()}`);
  }
});
