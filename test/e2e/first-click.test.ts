// The first click works: a fresh e-mailed link and a fresh letter code each land on the start
// page (who asks and why, before the first question) in Chromium, never on "session ended". The link's answer (303 to /s) used to leave
// before the new session was saved, so the browser could ask for /s before the row existed.
// On both databases whatever TEST_DB says: the race is real on PostgreSQL (a network round trip
// for the insert); the in-process PGlite finishes the insert before the next request is read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startSurveyServer, type SurveyServer } from '../support/browser.ts';
import { createInvitation, type TestInvitation } from '../support/survey-fixtures.ts';

/** Tries per database: the race is PostgreSQL's; on PGlite a few show the path works (each try is a page load or two). */
const FRESH = { postgres: 50, pglite: 15 };
let browser: Browser;
let server: SurveyServer;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Where a browser without cookies ends up: the path and the page's heading. */
async function landing(page: Page, open: () => Promise<void>): Promise<string> {
  await page.context().clearCookies();
  await open();
  await page.waitForLoadState('load');
  return `${new URL(page.url()).pathname} ${(await page.locator('h1').first().textContent())?.trim()}`;
}

async function countMisses(kind: string, open: (page: Page, inv: TestInvitation) => Promise<void>): Promise<void> {
  const fresh = FRESH[server.database.kind];
  const invitations: TestInvitation[] = [];
  for (let i = 0; i < fresh; i++) invitations.push(await createInvitation(server.database.db));
  const misses: string[] = [];
  const started = Date.now();
  const context = await browser.newContext({ baseURL: server.base, locale: 'nb-NO' });
  try {
    const page = await context.newPage();
    for (const inv of invitations) {
      const where = await landing(page, () => open(page, inv));
      if (!where.startsWith('/s/start ')) misses.push(where);
    }
  } finally {
    await context.close();
  }
  console.log(
    `# ${kind} (${server.database.kind}): ${misses.length} of ${fresh} fresh ones missed the start page (${Date.now() - started} ms)`,
  );
  assert.deepEqual(misses, [], `${kind}: landed elsewhere`);
}

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`on ${kind}`, () => {
    before(async () => {
      server = await startSurveyServer(undefined, { database: kind });
    });
    after(async () => {
      await server?.close();
    });

    test(`${FRESH[kind]} fresh e-mailed links all open on the start page`, async () => {
      await countMisses('links', async (page, inv) => {
        await page.goto(`/s/${inv.token}`);
      });
    });

    test(`${FRESH[kind]} fresh letter codes all open on the start page`, async () => {
      await countMisses('codes', async (page, inv) => {
        await page.goto('/kode');
        await page.locator('#code').fill(inv.shortCode);
        await Promise.all([
          page.waitForURL('**/s/start', { timeout: 5000 }).catch(() => {}),
          page.getByRole('button', { name: 'Fortsett' }).click(),
        ]);
      });
    });
  });
}
