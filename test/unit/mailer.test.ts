import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classifySendError, createMailer } from '../../src/invitations/mailer.ts';

test('classifySendError: 4xx and no connection are transient, 5xx permanent, the rest unknown', () => {
  assert.equal(classifySendError({ responseCode: 421 }), 'transient');
  assert.equal(classifySendError({ responseCode: 450 }), 'transient');
  assert.equal(classifySendError({ responseCode: 550 }), 'permanent');
  assert.equal(classifySendError({ responseCode: 554 }), 'permanent');
  assert.equal(classifySendError({ code: 'ECONNECTION' }), 'transient');
  assert.equal(classifySendError({ code: 'ECONNREFUSED' }), 'transient');
  assert.equal(classifySendError({ command: 'CONN' }), 'transient');
  assert.equal(classifySendError({ code: 'ETIMEDOUT', command: 'DATA' }), 'unknown');
  assert.equal(classifySendError(new Error('socket hang up')), 'unknown');
  assert.equal(classifySendError({ responseCode: 250 }), 'unknown');
});

const root = mkdtempSync(path.join(tmpdir(), 'prom-mailer-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('without SMTP_URL each message is written as an .eml file in the outbox', async () => {
  const outboxDir = path.join(root, 'outbox');
  const mailer = createMailer({ smtpUrl: undefined, outboxDir, from: 'Spørreskjema <noreply@localhost>' });
  const result = await mailer.send({
    to: 'kari.nordmann@example.no',
    subject: 'Spørreskjema om helsen din',
    text: 'Hello Kari, please open https://prom.example.no/s/abc',
    html: '<p>Hello Kari</p>',
    messageId: '<outbox-42@prom.local>',
  });
  mailer.close();
  assert.equal(result.messageId, '<outbox-42@prom.local>');
  const files = readdirSync(outboxDir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /-_outbox-42_prom.local_\.eml$/);
  const file = path.join(outboxDir, files[0]!);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const eml = readFileSync(file, 'utf8');
  assert.match(eml, /^To: kari\.nordmann@example\.no$/m);
  assert.match(eml, /^Message-ID: <outbox-42@prom\.local>$/im);
  assert.match(eml, /^Subject: =\?UTF-8\?/m); // RFC 2047, the subject has non-ASCII letters
  assert.match(eml, /Hello Kari, please open https:\/\/prom\.example\.no\/s\/abc/);
});
