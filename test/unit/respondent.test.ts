// Who answered, the pure parts: the page's form schema, the draft's saved answer, the
// paper entry's one-character code, and the linkId check of a proxy variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { draftRespondent, respondentBodySchema } from '../../src/instruments/respondent.ts';
import { keyedRespondent, paperRespondent } from '../../src/paper/respondent-field.ts';
import { proxyProblems } from '../../src/instruments/proxy.ts';
import { eq5dInstrument } from '../../src/instruments/eq5d.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';

test('the page takes self, assisted or proxy (required), and return=check', () => {
  for (const respondent of ['self', 'assisted', 'proxy'])
    assert.deepEqual(respondentBodySchema.parse({ respondent, _csrf: 'x' }), { respondent });
  assert.deepEqual(respondentBodySchema.parse({ respondent: 'proxy', return: 'check' }), {
    respondent: 'proxy',
    return: 'check',
  });
  for (const body of [{}, { respondent: '' }, { respondent: 'neighbour' }, { respondent: ['self'] }])
    assert.equal(respondentBodySchema.safeParse(body).success, false, JSON.stringify(body));
});

test('a draft answer is read back only when it is one of the three', () => {
  assert.equal(draftRespondent({ respondent: 'assisted', mobility: 1 }), 'assisted');
  assert.equal(draftRespondent({ mobility: 1 }), null);
  assert.equal(draftRespondent({ respondent: 'someone' }), null);
});

test('paper: 1–3 the box ticked, 0 nothing ticked, 9 more than one; empty or absent is not keyed; anything else an error', () => {
  const keyed = (v: unknown) => keyedRespondent(v === undefined ? {} : { respondent: v });
  assert.deepEqual(['1', '2', '3', ' 3 ', '0', '9'].map(keyed), ['1', '2', '3', '3', '', '?']);
  assert.deepEqual([undefined, '', '  '].map(keyed), [undefined, undefined, undefined]);
  assert.deepEqual(['4', '5', '12', 'x', '?'].map(keyed), [null, null, null, null, null]);
  assert.deepEqual(['1', '2', '3', '', '?', undefined].map(paperRespondent), [
    'self',
    'assisted',
    'proxy',
    null,
    null,
    null,
  ]);
});

test("EQ-5D-5L's proxy version has the self version's linkIds, its own url, and derivedFrom naming the self version", () => {
  const texts = loadInstruments();
  const self = eq5dInstrument(texts);
  const proxy = eq5dInstrument(texts.proxy, 'proxy');
  assert.deepEqual(proxyProblems(self, proxy), []);
  assert.equal(proxy.id, self.id, 'asked in its place');
  assert.notEqual(proxy.url, self.url);
  assert.ok(texts.proxy.preview, 'the shipped proxy texts are marked as preview');
  const fewer = { ...proxy, pages: proxy.pages.slice(1) };
  assert.deepEqual(proxyProblems(self, fewer), [
    'a proxy variant must have the same linkIds as eq5d5l; missing: mobility',
  ]);
});

test('INSTRUMENT_DIR/proxy: a licensed proxy text replaces the preview one; a self text there is refused', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-proxy-'));
  mkdirSync(path.join(dir, 'proxy'));
  const shipped = (lang: string) =>
    JSON.parse(readFileSync(new URL(`../../instruments/eq5d5l-proxy/${lang}.json`, import.meta.url), 'utf8')) as {
      preview: boolean;
      intro: string;
    };
  writeFileSync(
    path.join(dir, 'proxy', 'nb.json'),
    JSON.stringify({ ...shipped('nb'), preview: false, intro: 'Lisensiert' }),
  );
  const texts = loadInstruments(dir);
  assert.equal(texts.proxy.nb.intro, 'Lisensiert');
  assert.equal(texts.nn.intro, loadInstruments().nn.intro, 'the self texts are untouched');
  const self = JSON.parse(readFileSync(new URL('../../instruments/eq5d5l/nb.json', import.meta.url), 'utf8')) as object;
  writeFileSync(path.join(dir, 'proxy', 'nb.json'), JSON.stringify(self));
  assert.throws(() => loadInstruments(dir), /variant must be "proxy" there/);
  writeFileSync(path.join(dir, 'nb.json'), JSON.stringify({ ...shipped('nb'), variant: 'proxy' }));
  assert.throws(() => loadInstruments(dir), /variant must be "self" there/);
});
