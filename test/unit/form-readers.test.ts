// The form readers beside each route (src/form-fields.ts): a field that is missing or sent more than
// once reads as the routes have always read it, unknown keys (the CSRF token) are left out, and
// a body that was never parsed reads as an empty form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { issueField, optionalText, readForm, text, trimmedText } from '../../src/form-fields.ts';

const form = z.object({ code: text, confirm: optionalText, email: trimmedText });

test('text fields: a string as sent, else empty or absent', () => {
  assert.deepEqual(readForm(form, { code: 'ABCD', confirm: 'yes', email: '  a@b.no ', _csrf: 't' }), {
    code: 'ABCD',
    confirm: 'yes',
    email: 'a@b.no',
  });
  assert.deepEqual(readForm(form, {}), { code: '', email: '' });
  assert.deepEqual(readForm(form, { code: ['A', 'B'], confirm: ['yes', 'yes'], email: { x: '1' } }), {
    code: '',
    confirm: undefined,
    email: '',
  });
  assert.deepEqual(readForm(form, undefined), { code: '', email: '' });
  assert.deepEqual(readForm(form, 'not an object'), { code: '', email: '' });
});

test('issueField names the field an issue is about, or the fallback for the whole form', () => {
  const wrongA = z.object({ a: z.string() }).safeParse({ a: 1 });
  assert.equal(issueField(wrongA.error!.issues[0]!, 'confirm'), 'a');
  const whole = z
    .object({ a: z.string() })
    .refine(() => false, { message: 'whole' })
    .safeParse({ a: 'x' });
  assert.equal(issueField(whole.error!.issues[0]!, 'confirm'), 'confirm');
});
