// The analysts' comparison page in Chromium under disclosure control: the whole register, a year
// with merged categories and a withheld group (both with a chosen norm set), a withheld selection,
// an empty selection and an unknown hospital —
// each checked with axe (WCAG 2.0–2.2 A/AA, 0 violations) at 1280 and 390 px, for sideways
// scrolling outside the table regions, and screenshot to /tmp/prom-screens/report-*.png; also the
// norm's own intervals, a faulty stored norm set, and the analyst dashboard planned with the report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { assertNoAxeViolations, launchBrowser, newPage, SCREEN_DIR } from '../support/browser.ts';
import { E2E_SESSION_SECRET, startStaffServer, type StaffServer } from '../support/staff-browser.ts';
import { createStaff, nextCode, type TestStaff } from '../support/staff.ts';
import { disclosureCohort, writeDisclosureCohort } from '../support/disclosure-cohort.ts';

let browser: Browser;
let server: StaffServer;
let analyst: TestStaff;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  await writeDisclosureCohort(server.database.db, disclosureCohort());
  analyst = await createStaff(server.database.db, E2E_SESSION_SECRET, {
    email: 'report-analyst@register.test',
    role: 'analyst',
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function login(page: Page): Promise<void> {
  await page.goto('/staff/login');
  await page.locator('#email').fill(analyst.email);
  await page.locator('#password').fill(analyst.password);
  await Promise.all([page.waitForURL('**/staff/login/code'), page.locator('button[type=submit]').click()]);
  await page.locator('#code').fill(await nextCode(analyst));
  await Promise.all([page.waitForURL((u) => u.pathname === '/staff'), page.locator('button[type=submit]').click()]);
}

async function check(page: Page, name: string): Promise<void> {
  mkdirSync(SCREEN_DIR, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await assertNoAxeViolations(page, `${name} at ${width} px`);
    // Only the data tables may scroll sideways, inside their focusable regions.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `${name} at ${width} px: the page scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: `${SCREEN_DIR}/report-${name}-${width}.png`, fullPage: true });
  }
}

test('the report page under disclosure control passes axe at 1280 and 390 px in every state', async () => {
  const { context, page, cspViolations } = await newPage(browser, server.base);
  try {
    await login(page);
    await page.goto('/staff/report?norms=TESTNORM');
    assert.equal(await page.locator('[data-cell="OHCA|group_size|"]').textContent(), '99');
    assert.match((await page.locator('.bar-chart').textContent())!, /Norm standardisert til IHCA/);
    await check(page, 'whole-register');

    await page.goto('/staff/report?year=2025&norms=TESTNORM');
    assert.equal(await page.locator('[data-cell="IHCA|group_size|"]').textContent(), 'skjult');
    assert.ok((await page.locator('.merged').count()) > 0, 'merged categories are marked');
    await check(page, 'year-2025');

    await page.goto('/staff/report?year=2024&hospital=EDGE');
    assert.equal(await page.locator('td .merged').count(), 0);
    assert.match((await page.locator('main').textContent())!, /Ikke vist: gruppen/);
    await check(page, 'withheld');

    // This register records nobody's answer to "who is filling in": the proxy selection is empty, the
    // proxy counts of the whole register 0.
    await page.goto('/staff/report?respondent=proxy&norms=TESTNORM');
    assert.equal(await page.locator('#respondent').inputValue(), 'proxy');
    assert.match((await page.locator('main').textContent())!, /svart av noen andre på vegne av personen/);
    await check(page, 'by-proxy');
    await page.goto('/staff/report?norms=TESTNORM');
    assert.equal(await page.locator('[data-cell="OHCA|proxy_answers|"]').textContent(), '0');

    await page.goto('/staff/report?year=2001');
    assert.equal(await page.locator('#empty-selection').count(), 1);
    await check(page, 'empty');

    const bad = await page.goto('/staff/report?hospital=NOPE');
    assert.equal(bad?.status(), 400);
    assert.match((await page.locator('.error-summary').textContent())!, /Sykehuset «NOPE» finnes ikke/);
    await check(page, 'unknown-hospital');

    // The norm's own intervals: beside the standardised norm and on the crude norm's row.
    await page.goto('/staff/report?norms=TESTNORM');
    assert.match((await page.locator('[data-cell="norm_std_OHCA|vas_ci_low|"]').textContent())!, /^\d+,\d$/);
    assert.match((await page.locator('[data-cell="norm|vas_ci_high|"]').textContent())!, /^\d+,\d$/);

    // A norm set stored before today's checks, with a stratum twice: named once, not used.
    const testnorm = await server.database.db
      .selectFrom('norm_sets')
      .select('data')
      .where('id', '=', 'TESTNORM')
      .executeTakeFirstOrThrow();
    const data = (typeof testnorm.data === 'string' ? JSON.parse(testnorm.data) : testnorm.data) as {
      strata: unknown[];
    };
    await server.database.db
      .insertInto('norm_sets')
      .values({
        id: 'OLD-DUP',
        version: 'old',
        data: JSON.stringify({ ...data, id: 'OLD-DUP', strata: [...data.strata, data.strata[0]] }),
      })
      .execute();
    const faulty = await page.goto('/staff/report?norms=OLD-DUP');
    assert.equal(faulty?.status(), 400);
    assert.match(
      (await page.locator('.error-summary').textContent())!,
      /Normdatasettet «OLD-DUP» \(versjon old\) brukes ikke.*appears more than once/,
    );
    await check(page, 'faulty-norms');

    // The analyst dashboard, planned with the report.
    await page.goto('/staff');
    await check(page, 'analyst-dashboard');
    assert.deepEqual(cspViolations, []);
  } finally {
    await context.close();
  }
});
