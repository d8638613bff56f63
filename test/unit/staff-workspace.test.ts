// Pure parts of the staff workspace: who counts as eligible / invited / answered, aggregation
// and publishing with suppression, the SVG chart, TOTP secrets at rest and codes, CSV defusing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, classify, publish, type Fact } from '../../src/reports/dashboard.ts';
import { trendChartSvg } from '../../src/reports/chart.ts';
import {
  checkCode,
  codeAt,
  decryptSecret,
  encryptSecret,
  newTotpSecret,
  otpauthUri,
  totpKeyFrom,
} from '../../src/staff/totp.ts';
import { rowsToCsv } from '../../src/staff/exports.ts';

function fact(over: Partial<Fact> = {}): Fact {
  return {
    month: '2026-01',
    hospital: 'OUS',
    hospitalName: 'Oslo universitetssykehus',
    healthTrust: 'Oslo universitetssykehus HF',
    region: 'Helse Sør-Øst RHF',
    arrestType: 'OHCA',
    channel: 'email',
    language: 'nb',
    state: 'sent',
    cancelReason: null,
    sent: true,
    remindedSent: false,
    answerMode: null,
    ...over,
  };
}

test('classify: the definitions in docs/response-rates.md', () => {
  assert.deepEqual(classify(fact()), {
    eligible: true,
    invited: true,
    reminded: false,
    answeredWeb: false,
    answeredPaper: false,
    answered: false,
    expired: false,
    cancelled: false,
    reason: undefined,
  });
  // died before anything was sent: cancelled, not eligible
  const died = classify(fact({ state: 'cancelled', cancelReason: 'died', sent: false }));
  assert.equal(died.eligible, false);
  assert.equal(died.cancelled, true);
  assert.equal(died.reason, 'died');
  // died after the invitation went out: stays eligible and invited
  assert.equal(classify(fact({ state: 'cancelled', cancelReason: 'died', sent: true })).eligible, true);
  // a reason added later leaves the person eligible
  assert.equal(classify(fact({ state: 'cancelled', cancelReason: 'duplicate', sent: false })).eligible, true);
  // missed the window before any pass: eligible, never invited, expired
  const missed = classify(fact({ state: 'expired', cancelReason: 'window_closed', sent: false }));
  assert.deepEqual([missed.eligible, missed.invited, missed.expired], [true, false, true]);
  // an answer makes the invitation invited even when no send was confirmed
  const paper = classify(fact({ state: 'answered', sent: false, answerMode: 'paper' }));
  assert.deepEqual([paper.invited, paper.answered, paper.answeredPaper, paper.answeredWeb], [true, true, true, false]);
  assert.equal(classify(fact({ state: 'cancelled', cancelReason: null, sent: false })).reason, 'unspecified');
});

test('aggregate: every dimension adds up to the total; unknown categories sort last', () => {
  const facts = [
    fact({ answerMode: 'web', state: 'answered' }),
    fact({ hospital: 'XX', hospitalName: null, healthTrust: '', region: '', channel: '' }),
    fact({
      hospital: 'HUS',
      hospitalName: 'Haukeland',
      healthTrust: 'Helse Bergen HF',
      region: 'Helse Vest RHF',
      month: '2026-02',
      state: 'cancelled',
      cancelReason: 'withdrawn',
      sent: false,
    }),
  ];
  const a = aggregate(facts);
  assert.equal(a.total.eligible, 2);
  assert.equal(a.total.invited, 2);
  assert.equal(a.total.answered, 1);
  assert.deepEqual(a.total.cancelledBy, { withdrawn: 1 });
  assert.deepEqual(a.reasons, ['withdrawn']);
  for (const d of ['month', 'hospital', 'health_trust', 'region', 'arrest_type', 'channel', 'language'] as const) {
    assert.equal(
      a.tables[d].reduce((s, g) => s + g.counts.eligible, 0),
      a.total.eligible,
      d,
    );
  }
  assert.equal(a.tables.health_trust.at(-1)!.key, '', 'unknown trust last');
  assert.equal(a.trustOf.get('XX'), '');
});

test('publish with suppression hides 1–4 and partners; rates follow their counts', () => {
  const facts: Fact[] = [];
  for (let i = 0; i < 40; i++)
    facts.push(fact({ state: i % 2 ? 'answered' : 'sent', answerMode: i % 2 ? 'web' : null }));
  for (let i = 0; i < 3; i++)
    facts.push(fact({ hospital: 'SMALL', hospitalName: 'Lite', healthTrust: 'Lite HF', region: 'Helse Nord RHF' }));
  const open = publish(aggregate(facts), { suppress: false });
  assert.ok(Object.values(open.total.cells).every((c) => !c.hidden));
  const view = publish(aggregate(facts), { suppress: true });
  const small = view.tables.hospital.find((l) => l.key === 'SMALL')!;
  assert.equal(small.cells.invited.hidden, true);
  assert.equal(small.rateInvited.hidden, true);
  // SMALL is the only hospital of its trust and the only trust of its region: those are 3 too.
  assert.equal(view.tables.region.find((l) => l.key === 'Helse Nord RHF')!.cells.invited.hidden, true);
  // With OUS the only other hospital, hiding SMALL forces OUS (or the total) to be hidden too.
  const ous = view.tables.hospital.find((l) => l.key === 'OUS')!;
  assert.ok(ous.cells.invited.hidden || view.total.cells.invited.hidden);
  assert.equal(view.total.rateInvited.hidden, view.total.cells.invited.hidden || view.total.cells.answered.hidden);
});

test('trend chart: an accessible SVG with a gap for hidden months and no style attributes', () => {
  const svg = trendChartSvg(
    [
      { label: '2026-01', value: 0.5 },
      { label: '2026-02', value: null },
      { label: '2026-03', value: 0.75 },
    ],
    {
      id: 't',
      title: 'Svarprosent <&>',
      description: 'Fra januar til mars',
      percent: (s) => `${Math.round(s * 100)} %`,
      missing: 'skjult',
    },
  );
  assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="t-title t-desc"/);
  assert.match(svg, /<title id="t-title">Svarprosent &lt;&amp;&gt;<\/title>/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 2);
  assert.equal((svg.match(/M/g) ?? []).length, 2, 'the line breaks at the hidden month');
  assert.doesNotMatch(svg, /style=/);
});

test('TOTP secrets: encrypted at rest, bound to the user, codes with one step of drift and no replay', async () => {
  const key = totpKeyFrom('a-session-secret-a-session-secret-0123');
  const secret = newTotpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const stored = encryptSecret(key, 7, secret);
  assert.ok(stored.startsWith('v1.') && !stored.includes(secret));
  assert.notEqual(encryptSecret(key, 7, secret), stored, 'a fresh IV each time');
  assert.equal(decryptSecret(key, 7, stored), secret);
  assert.throws(() => decryptSecret(key, 8, stored), 'a secret copied to another user does not decrypt');
  assert.throws(() => decryptSecret(totpKeyFrom('another-secret-another-secret-012345'), 7, stored));
  const now = new Date('2026-11-24T10:00:10Z');
  const code = await codeAt(secret, now);
  const step = await checkCode(secret, code, now, null);
  assert.equal(step, Math.floor(now.getTime() / 30_000));
  assert.equal(await checkCode(secret, code, new Date(now.getTime() + 30_000), null), step, 'accepted one step late');
  assert.equal(
    await checkCode(secret, code, new Date(now.getTime() + 90_000), null),
    undefined,
    'not three steps late',
  );
  assert.equal(await checkCode(secret, code, now, step), undefined, 'a used step is refused');
  assert.equal(await checkCode(secret, 'abcdef', now, null), undefined);
  assert.equal(await checkCode(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now, null), step, 'spaces are ignored');
  assert.match(
    otpauthUri('kari@register.test', secret),
    /^otpauth:\/\/totp\/.*kari%40register\.test\?.*secret=[A-Z2-7]+/,
  );
});

test('exports: formula cells defused', () => {
  assert.equal(rowsToCsv([['=SUM(A1)', '+1', 'ok', '-x', '@y']]), "'=SUM(A1),'+1,ok,'-x,'@y\n");
});
