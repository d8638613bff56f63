// The example instrument and a supertest walk through an invitation whose programme asks it.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Agent } from 'supertest';
import type { Db } from '../../src/db/database.ts';
import { saveProgramme } from '../../src/invitations/settings.ts';
import { pinInstruments } from '../../src/instruments/programme.ts';
import { addInstrument } from '../../src/instruments/store.ts';
import type { Instruments } from '../../src/instruments/eq5d-texts.ts';
import { csrfFrom, versionFrom } from './browser-less.ts';

export const EXAMPLE_PATH = new URL('../../instruments/followup-example/questionnaire.json', import.meta.url);

export function exampleQuestionnaire(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as Record<string, unknown>;
}

/** Adds the example and sets instruments=eq5d5l,followup-example; returns the programme version. */
export async function useExampleProgramme(db: Db, texts: Instruments): Promise<number> {
  await addInstrument(db, exampleQuestionnaire(), 'test');
  const saved = await saveProgramme(db, {}, 'test', (trx, version) =>
    pinInstruments(trx, texts, version, ['eq5d5l', 'followup-example']),
  );
  return saved.version;
}

export async function planWith(db: Db, invitationId: number, programmeVersion: number): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ programme_version: programmeVersion })
    .where('id', '=', invitationId)
    .execute();
}

/** Posts one page's fields and returns where it redirected (asserting 303). */
export async function post(agent: Agent, n: number, csrf: string, fields: Record<string, string>): Promise<string> {
  const res = await agent
    .post(`/s/q/${n}`)
    .type('form')
    .send({ _csrf: csrf, ...fields });
  assert.equal(res.status, 303, `page ${n}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.headers.location!;
}

/** EQ-5D's six pages, then the example's items from `fields` page by page; submits. */
export async function walkExample(
  agent: Agent,
  token: string,
  levels: number[],
  vas: number,
  example: [number, Record<string, string>][],
): Promise<void> {
  await agent.get(`/s/${token}`).expect(303);
  const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);
  for (let n = 1; n <= 6; n++) await post(agent, n, csrf, { answer: String(n <= 5 ? levels[n - 1] : vas) });
  for (const [n, fields] of example) await post(agent, n, csrf, fields);
  const check = await agent.get('/s/check').expect(200);
  await agent
    .post('/s/submit')
    .type('form')
    .send({ _csrf: csrf, version: versionFrom(check.text) })
    .expect(303)
    .expect('Location', '/s/done');
}
