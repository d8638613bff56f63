// Helpers to walk the respondent pages with supertest the way a browser without JavaScript does.
import type { Agent } from 'supertest';

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
}

/** The draft version the check page shows, which the submit carries back. */
export function versionFrom(html: string): string {
  const m = /name="version" value="(\d+)"/.exec(html);
  if (!m) throw new Error('no draft version on the check page');
  return m[1]!;
}

/** Follows a token link, then answers every page and submits; returns the receipt page. */
export async function answerSurvey(agent: Agent, token: string, levels: number[], vas: number): Promise<string> {
  const open = await agent.get(`/s/${token}`).expect(303);
  if (open.headers.location !== '/s') throw new Error(`unexpected redirect ${open.headers.location}`);
  const first = await agent.get('/s/q/1').expect(200);
  const csrf = csrfFrom(first.text);
  const answers = [...levels, vas];
  for (let n = 1; n <= answers.length; n++) {
    await agent
      .post(`/s/q/${n}`)
      .type('form')
      .send({ _csrf: csrf, answer: String(answers[n - 1]) })
      .expect(303);
  }
  const check = await agent.get('/s/check').expect(200);
  await agent
    .post('/s/submit')
    .type('form')
    .send({ _csrf: csrf, version: versionFrom(check.text) })
    .expect(303)
    .expect('Location', '/s/done');
  return (await agent.get('/s/done').expect(200)).text;
}
