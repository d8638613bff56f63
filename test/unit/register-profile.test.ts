// The register profile's schema (field-named refusals), its per-language view, and the From
// header built from senderName and MAIL_FROM's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addressOf, createMailer } from '../../src/invitations/mailer.ts';
import { unbroken } from '../../src/paper/letter.ts';
import { profileIn, registerProfileSchema } from '../../src/register/profile.ts';

const example = JSON.parse(
  readFileSync(new URL('../../docs/register-profile.example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const refusals = (input: unknown) => {
  const r = registerProfileSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('the shipped example is valid; only the four required fields are needed', () => {
  assert.deepEqual(refusals(example), []);
  assert.deepEqual(refusals({ name: 'R', organisation: 'O', controller: 'C', phone: '+47 00 00 00 00' }), []);
});

test('wrong shapes are refused with the field named', () => {
  assert.deepEqual(refusals({ ...example, name: undefined, phone: 'call us' }), [
    'name: is required',
    'phone: must be a telephone number, e.g. +47 00 00 00 00',
  ]);
  assert.deepEqual(refusals({ ...example, purpose: { nb: 'Hvorfor', se: 'Manne' } }), [
    'purpose.se: is not a language (use nb, nn and en)',
    'purpose.nn: is required',
    'purpose.en: is required',
  ]);
  assert.deepEqual(refusals({ ...example, email: 'kontakt', website: 'hjertestans.example' }), [
    'email: must be an e-mail address',
    'website: must be a web address starting with https://',
  ]);
  assert.deepEqual(refusals({ ...example, senderName: 'Registeret <x@y.no>', subject: 'Line\nbreak' }), [
    'senderName: must not contain < > @ or "',
    'subject: must be one line',
  ]);
  assert.deepEqual(refusals({ ...example, organisation: 7, controller: '  ' }), [
    'organisation: must be a text, or an object with the texts "nb", "nn" and "en"',
    'controller: must not be empty',
  ]);
  assert.match(refusals({ ...example, phon: '1' })[0]!, /^phon: is not a profile field \(known: name, organisation/);
  assert.deepEqual(refusals('not an object').length, 1);
});

test('the profile in one language: texts picked, tel: address, no-break phone, website without its scheme', () => {
  const nn = profileIn(registerProfileSchema.parse(example), 'nn');
  assert.equal(nn.name, 'Norsk hjertestansregister');
  assert.equal(nn.subject, 'Spørjeskjema om helsa di');
  assert.equal(nn.phoneHref, 'tel:+4700000000');
  assert.equal(nn.phoneUnbroken, '+47\u00a000\u00a000\u00a000\u00a000');
  assert.equal(nn.websiteShown, 'hjertestans.example');
  assert.equal(
    profileIn({ name: 'R', organisation: 'O', controller: 'C', phone: '22 00 00 00' }, 'en').email,
    undefined,
  );
});

test('From: the sender name with the address of MAIL_FROM, never the name MAIL_FROM had', async () => {
  assert.equal(addressOf('Spørreskjema <noreply@example.no>'), 'noreply@example.no');
  assert.equal(addressOf('noreply@example.no'), 'noreply@example.no');
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-from-'));
  const mailer = createMailer({ smtpUrl: undefined, outboxDir: dir, from: 'Old name <noreply@example.no>' });
  await mailer.send({
    to: 'a@example.no',
    subject: 'S',
    text: 't',
    html: '<p>t</p>',
    messageId: '<m1@example.no>',
    fromName: 'Spørreskjema om helse',
  });
  mailer.close();
  const eml = readFileSync(path.join(dir, readdirSync(dir)[0]!), 'utf8');
  const from = /^From: (.*)$/m.exec(eml)![1]!;
  assert.match(from, /noreply@example\.no/);
  assert.doesNotMatch(from, /Old name/);
});

test('web and e-mail addresses in letters carry word joiners at their break points', () => {
  assert.equal(unbroken('https://a.no/kode'), 'https:\u2060/\u2060/\u2060a.\u2060no/\u2060kode');
  assert.equal(unbroken('x@y.no').replace(/\u2060/g, ''), 'x@y.no');
});
