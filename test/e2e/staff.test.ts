// Staff pages in Chromium: login with the keyboard alone (password, then the code; and the first
// login's enrolment, reading the key as text), then every staff page state for each role checked
// with axe-core (WCAG 2.0–2.2 A/AA: 0 violations) at 1280 and 320 px, for reflow, text spacing
// and 200 % zoom, and for CSP violations. Screenshots in /tmp/prom-screens/staff-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { addDays, osloDay } from '../../src/clock.ts';
import { codeAt } from '../../src/staff/totp.ts';
import { addUser } from '../../src/staff/users.ts';
import { launchBrowser, newPage } from '../support/browser.ts';
import {
  checkStaffPage,
  E2E_SESSION_SECRET,
  startStaffServer,
  tabTo,
  type StaffServer,
} from '../support/staff-browser.ts';
import { createStaff, nextCode, type TestStaff } from '../support/staff.ts';
import { writeCohort, writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';

let browser: Browser;
let server: StaffServer;
let staff: Record<'admin' | 'registrar' | 'analyst', TestStaff>;
let survivorId: number;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  const db = server.database.db;
  await writeTestHospitals(db);
  await writeCohort(db, { size: 400, seed: 7 });
  const soon = addDays(osloDay(new Date()), 5);
  survivorId = await writeSurvivor(db, {
    registerId: 'E1',
    nationalIdSeed: 11,
    hospital: 'OUS',
    givenName: 'Eva',
    familyName: 'Nordmann',
    closesOn: soon,
  });
  await writeSurvivor(db, {
    registerId: 'E2',
    nationalIdSeed: 12,
    hospital: 'OUS',
    givenName: 'Erik',
    familyName: 'Feilsen',
    outboxState: 'failed',
  });
  staff = {
    admin: await createStaff(db, E2E_SESSION_SECRET, { email: 'admin@register.test', role: 'admin' }),
    registrar: await createStaff(db, E2E_SESSION_SECRET, {
      email: 'reg@register.test',
      role: 'registrar',
      hospitals: ['OUS', 'TINY'],
    }),
    analyst: await createStaff(db, E2E_SESSION_SECRET, { email: 'analyst@register.test', role: 'analyst' }),
  };
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Signs in with the keyboard only: Tab to each field, type, Enter. */
async function keyboardLogin(page: Page, who: TestStaff): Promise<void> {
  await page.goto('/staff/login');
  const passed = await tabTo(page, '#email');
  assert.equal(passed[0], 'a.skip-link', 'the skip link comes first');
  await page.keyboard.type(who.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await page.keyboard.type(who.password);
  await Promise.all([page.waitForURL('**/staff/login/code'), page.keyboard.press('Enter')]);
  await tabTo(page, '#code');
  await page.keyboard.type(await nextCode(who));
  await Promise.all([page.waitForURL((u) => u.pathname === '/staff'), page.keyboard.press('Enter')]);
}

test('login with the keyboard alone, including the first login’s enrolment; every login page state passes axe', async () => {
  const { context, page, cspViolations } = await newPage(browser, server.base);
  try {
    await page.goto('/staff/login');
    await checkStaffPage(page, 'login');

    // Enter on an empty form: an error summary that takes focus, and its link leads to the field.
    await tabTo(page, 'button[type=submit]');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('.error-summary');
    assert.ok((await page.title()).startsWith('Feil: '));
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
    await checkStaffPage(page, 'login-error');

    // A first login: the enrolment page shows the key as text too, so no camera is needed.
    const db = server.database.db;
    const fresh = await addUser(db, {
      email: 'new@register.test',
      role: 'analyst',
      password: 'a long and secret password',
    });
    await page.goto('/staff/login');
    await tabTo(page, '#email');
    await page.keyboard.type(fresh.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a long and secret password');
    await Promise.all([page.waitForURL('**/staff/login/enrol'), page.keyboard.press('Enter')]);
    await checkStaffPage(page, 'login-enrol');
    const secret = (await page.locator('#totp-secret').textContent())!.replace(/\s+/g, '');
    await tabTo(page, '#code');
    await page.keyboard.type('000000');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('.error-summary');
    await checkStaffPage(page, 'login-enrol-error');
    await tabTo(page, '#code');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(await codeAt(secret, new Date()));
    await Promise.all([page.waitForURL((u) => u.pathname === '/staff'), page.keyboard.press('Enter')]);
    assert.equal(pathOf(page), '/staff');

    // Log out with the keyboard, then a regular login and a wrong code.
    await tabTo(page, 'form[action="/staff/logout"] button');
    await Promise.all([page.waitForURL('**/staff/login'), page.keyboard.press('Enter')]);
    await tabTo(page, '#email');
    await page.keyboard.type(staff.analyst.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(staff.analyst.password);
    await Promise.all([page.waitForURL('**/staff/login/code'), page.keyboard.press('Enter')]);
    await checkStaffPage(page, 'login-code');
    await tabTo(page, '#code');
    await page.keyboard.type('123');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('.error-summary');
    await checkStaffPage(page, 'login-code-error');
    assert.deepEqual(cspViolations, []);
  } finally {
    await context.close();
  }
});

describe('staff pages for each role', { concurrency: false }, () => {
  test('analyst: dashboard with hidden small cells, breakdowns, downloads, a forbidden page', async () => {
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await keyboardLogin(page, staff.analyst);
      // The skip link moves focus to the main content.
      await page.goto('/staff');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
      await checkStaffPage(page, 'analyst-dashboard');
      assert.ok((await page.locator('.hidden-cell').count()) > 0, 'small cells are hidden for analysts');
      for (const by of ['hospital', 'region', 'channel']) {
        await page.goto(`/staff?by=${by}`);
        await checkStaffPage(page, `analyst-dashboard-${by}`);
      }
      await page.goto('/staff/exports');
      await checkStaffPage(page, 'analyst-exports');
      await page.goto('/staff/report');
      await checkStaffPage(page, 'analyst-report');
      await page.goto('/staff/worklists');
      await checkStaffPage(page, 'forbidden');
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  });

  test('registrar: dashboard, worklists, search, search results, survivor page, withdrawal error', async () => {
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await keyboardLogin(page, staff.registrar);
      await checkStaffPage(page, 'registrar-dashboard');
      await page.goto('/staff/worklists');
      assert.ok((await page.locator('[data-worklist="nearClose"] tbody tr').count()) >= 1);
      assert.ok((await page.locator('[data-worklist="deliveryProblems"] tbody tr').count()) >= 1);
      await checkStaffPage(page, 'registrar-worklists');
      await page.goto('/staff/survivors');
      await checkStaffPage(page, 'registrar-search');
      await tabTo(page, '#q');
      await page.keyboard.type('Nordmann');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.waitForSelector('#results');
      await checkStaffPage(page, 'registrar-search-results');
      await page.goto(`/staff/survivors/${survivorId}`);
      await checkStaffPage(page, 'registrar-survivor');
      await tabTo(page, 'form[action$="/withdraw"] button', 40);
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.waitForSelector('.error-summary');
      await checkStaffPage(page, 'registrar-survivor-error');
      await page.goto('/staff/survivors/999999');
      await checkStaffPage(page, 'not-found');
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  });

  test('admin: dashboard, users (with a form error), audit log, queues, hospitals, hospital edit, register profile (with a form error)', async () => {
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await keyboardLogin(page, staff.admin);
      await checkStaffPage(page, 'admin-dashboard');
      await page.goto('/staff/users');
      await checkStaffPage(page, 'admin-users');
      await page.locator('#new-email').fill('not an address');
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('form[action="/staff/users"] button[type=submit]').click(),
      ]);
      await page.waitForSelector('.error-summary');
      await checkStaffPage(page, 'admin-users-error');
      // A registrar's hospitals with a code too long: the error beside that row's field, the typed text kept.
      const field = page.locator(`#hospitals-${staff.registrar.id}`);
      await field.fill(`OUS, ${'X'.repeat(40)}`);
      await Promise.all([page.waitForLoadState('load'), field.press('Enter')]);
      await page.waitForSelector('.error-summary');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.equal(await field.inputValue(), `OUS, ${'X'.repeat(40)}`);
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /En sykehuskode kan ha høyst 32 tegn/);
      await checkStaffPage(page, 'admin-users-hospitals-error');
      await page.goto('/staff/audit');
      await checkStaffPage(page, 'admin-audit');
      await page.goto('/staff/audit?action=login');
      await checkStaffPage(page, 'admin-audit-filtered');
      await page.goto('/staff/queues');
      await checkStaffPage(page, 'admin-queues');
      assert.equal(await page.locator('table tbody tr').count(), 2);
      await page.goto('/staff/hospitals');
      await checkStaffPage(page, 'admin-hospitals');
      await page.goto('/staff/hospitals/OUS');
      await checkStaffPage(page, 'admin-hospital-edit');
      await page.goto('/staff/register');
      await checkStaffPage(page, 'admin-register');
      await page.locator('#rp-phone').fill('ring oss');
      await page.locator('#rp-purpose-en').fill('');
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('form[action="/staff/register"] button[type=submit]').click(),
      ]);
      await page.waitForSelector('.error-summary');
      assert.equal(await page.locator('.error-summary li').count(), 2, 'the phone and the English purpose');
      await checkStaffPage(page, 'admin-register-error');
      await page.goto('/staff/exports');
      await checkStaffPage(page, 'admin-exports');
      // Erasure at a person's request: the find form, its error, the minimal survivor page and its refusal.
      await page.goto('/staff/erasure');
      await checkStaffPage(page, 'admin-erasure');
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('form[action="/staff/erasure/find"] button').click(),
      ]);
      await page.waitForSelector('.error-summary');
      await checkStaffPage(page, 'admin-erasure-error');
      await page.goto(`/staff/erasure/${survivorId}`);
      await checkStaffPage(page, 'admin-erasure-person');
      await page.locator('#confirm_register_id').fill('not this one');
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator(`form[action="/staff/erasure/${survivorId}"] button`).click(),
      ]);
      await page.waitForSelector('.error-summary');
      await checkStaffPage(page, 'admin-erasure-confirm-error');
      await page.goto('/staff/help/svarprosent');
      await checkStaffPage(page, 'help-response-rates');
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  });
});
