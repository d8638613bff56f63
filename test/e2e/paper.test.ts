// The paper path in Chromium: a registrar finds a returned letter by typing its return id and
// Enter (what a barcode/QR scanner acting as a keyboard does), enters the form; a second person
// enters it again with one answer read differently; the response is blocked until a third person
// resolves the mismatch side by side; then it is in the export with mode = paper. Every page
// state (find, entry, errors, waiting, comparison, final, print batches) is checked with axe-core
// (WCAG 2.0–2.2 A/AA: 0 violations) at 1280 and 320 px, for reflow, text spacing and 200 % zoom.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { addDays, fixedClock, osloDay, parseNow } from '../../src/clock.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { formatLetterId, letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { assertNoAxeViolations, launchBrowser, newPage, SCREEN_DIR } from '../support/browser.ts';
import { syntheticNationalId } from '../support/people.ts';
import {
  checkStaffPage,
  E2E_SESSION_SECRET,
  startStaffServer,
  tabTo,
  type StaffServer,
} from '../support/staff-browser.ts';
import { createStaff, nextCode, type TestStaff } from '../support/staff.ts';

let browser: Browser;
let server: StaffServer;
let staff: Record<'first' | 'second' | 'resolver', TestStaff>;
let letterId: number;
let batchId: number;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  const db = server.database.db;
  const s = await db
    .insertInto('survivors')
    .values({
      register_id: 'PAPER1',
      national_id: syntheticNationalId(4242),
      birth_date: '1948-03-02',
      sex: 'female',
      given_name: 'Åse',
      family_name: 'Ødegård',
      address_line: 'Kjølberggata 7B',
      postal_code: '0653',
      city: 'OSLO',
      language: 'nb',
      channel_rule: 'paper-only',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const arrest = addDays(osloDay(new Date()), -120);
  await db
    .insertInto('arrest_events')
    .values({ survivor_id: s.id, arrest_date: arrest, arrest_type: 'OHCA', hospital: 'OUS' })
    .execute();
  const clock = fixedClock(parseNow(addDays(arrest, 90))!);
  await runSchedulingPass(db, undefined, clock);
  const deps = {
    db,
    views: createViews(),
    instruments: loadInstruments(),
    publicUrl: server.base,
    codeKey: letterCodeKey(E2E_SESSION_SECRET),
  };
  const batch = await makeBatch(deps, clock, mkdtempSync(path.join(tmpdir(), 'prom-paper-e2e-')), 'e2e');
  batchId = batch.batchId!;
  letterId = (await db.selectFrom('letters').select('id').executeTakeFirstOrThrow()).id;
  staff = {
    first: await createStaff(db, E2E_SESSION_SECRET, {
      email: 'first@register.test',
      role: 'registrar',
      hospitals: ['OUS'],
    }),
    second: await createStaff(db, E2E_SESSION_SECRET, {
      email: 'second@register.test',
      role: 'registrar',
      hospitals: ['OUS'],
    }),
    resolver: await createStaff(db, E2E_SESSION_SECRET, { email: 'resolver@register.test', role: 'admin' }),
  };
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function login(page: Page, who: TestStaff): Promise<void> {
  await page.goto('/staff/login');
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL('**/staff/login/code'), page.press('#password', 'Enter')]);
  await page.fill('#code', await nextCode(who));
  await Promise.all([page.waitForURL((u) => u.pathname === '/staff'), page.press('#code', 'Enter')]);
}

/** As a scanner does it: the return id typed into the focused field, then Enter. */
async function scan(page: Page, returnId: string): Promise<void> {
  await page.goto('/staff/paper');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ref', 'the field has focus for the scanner');
  await page.keyboard.type(returnId);
  await Promise.all([page.waitForURL(`**/staff/paper/letters/${letterId}`), page.keyboard.press('Enter')]);
}

/**
 * Keys a form as a keyer does, without the mouse: from the focused first field, one character per
 * item and Enter (which moves to the next field), the VAS, then the date (selected on arrival, so
 * typing replaces it) and Enter, which saves.
 */
async function keyEntry(page: Page, levels: string[], vas: string, received: string): Promise<void> {
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'mobility', 'keying starts in the first field');
  for (const value of [...levels, vas]) {
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
  }
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'received_on',
    'Enter moved field by field to the date',
  );
  await page.keyboard.type(received);
  await Promise.all([page.waitForLoadState('load'), page.waitForURL(/done=/), page.keyboard.press('Enter')]);
}

/** The whole form (every field and the save button) is inside a 1280 × 800 window without scrolling. */
async function assertFormFits(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const outside = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll('form[data-phase="entry"] input:not([type=hidden]), form[data-phase="entry"] button'),
    )
      .filter((el) => el.getBoundingClientRect().bottom > window.innerHeight)
      .map((el) => `${el.id || el.tagName} at ${Math.round(el.getBoundingClientRect().bottom)} px`),
  );
  assert.deepEqual(outside, [], 'everything for one form is visible at 1280 × 800');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
}

/** Screenshots at 1280 × 800 and 390 × 844 (a phone), with axe at 390 px too. */
async function screens(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SCREEN_DIR}/staff-${name}-${width}x${height}.png` });
  }
  await assertNoAxeViolations(page, `${name} at 390 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const submit = (page: Page) =>
  Promise.all([
    page.waitForLoadState('load'),
    page.click('form[data-phase="entry"] button[type=submit], form[action$="/resolve"] button[type=submit]'),
  ]);

test('enter a paper form twice, resolve a mismatch, find it in the export with mode = paper; every page passes axe', async () => {
  const returnId = formatLetterId(letterId);
  const today = osloDay(new Date());

  const one = await newPage(browser, server.base);
  try {
    await login(one.page, staff.first);
    await one.page.goto('/staff/paper');
    await checkStaffPage(one.page, 'paper-find');
    // A reference that is not there: an error with a summary.
    await one.page.fill('#ref', 'L-999999');
    await Promise.all([one.page.waitForLoadState('load'), one.page.press('#ref', 'Enter')]);
    await one.page.waitForSelector('.error-summary');
    await checkStaffPage(one.page, 'paper-find-error');

    await one.page.setViewportSize({ width: 1280, height: 800 });
    await scan(one.page, returnId);
    await screens(one.page, 'paper-entry-keying');
    await assertFormFits(one.page);
    await checkStaffPage(one.page, 'paper-entry');
    // Saving with nothing chosen: every field has a message, the summary takes focus.
    await one.page.fill('#received_on', '');
    await submit(one.page);
    await one.page.waitForSelector('.error-summary');
    assert.ok((await one.page.title()).startsWith('Feil: '));
    assert.equal(await one.page.locator('.error-summary li').count(), 7);
    await checkStaffPage(one.page, 'paper-entry-errors');
    await screens(one.page, 'paper-entry-keying-errors');
    // The summary's first link leads to the first field; keying goes on from there.
    await tabTo(one.page, '.error-summary a');
    await one.page.keyboard.press('Enter');

    await keyEntry(one.page, ['1', '2', '3', '2', '1'], '75', today);
    await one.page.waitForSelector('[data-phase="waiting"]');
    await checkStaffPage(one.page, 'paper-waiting');
    await one.page.goto('/staff/paper');
    assert.equal(await one.page.locator('[data-worklist="awaitingSecond"] li').count(), 1);
    await checkStaffPage(one.page, 'paper-find-worklist');
    assert.deepEqual(one.cspViolations, []);
  } finally {
    await one.context.close();
  }

  const two = await newPage(browser, server.base);
  try {
    await login(two.page, staff.second);
    await scan(two.page, returnId);
    assert.equal(await two.page.inputValue('#mobility'), '', 'the first entry is not shown');
    assert.equal(await two.page.inputValue('#vas'), '');
    // 9: more than one box ticked, read differently from the first entry's 2.
    await keyEntry(two.page, ['1', '2', '3', '9', '1'], '75', today);
    await two.page.waitForSelector('[data-phase="mismatch"]');
    assert.equal(
      await server.database.db.selectFrom('responses').select('id').executeTakeFirst(),
      undefined,
      'blocked until resolved',
    );
    await checkStaffPage(two.page, 'paper-mismatch');
    assert.deepEqual(two.cspViolations, []);
  } finally {
    await two.context.close();
  }

  const three = await newPage(browser, server.base);
  try {
    await login(three.page, staff.resolver);
    await three.page.goto(`/staff/paper/letters/${letterId}`);
    assert.deepEqual(
      await three.page.locator('tr[data-differs]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field'))),
      ['pain_discomfort'],
    );
    await submit(three.page);
    await three.page.waitForSelector('.error-summary');
    await checkStaffPage(three.page, 'paper-mismatch-error');
    await three.page.check('#pain_discomfort-1');
    await submit(three.page);
    await three.page.waitForSelector('[data-phase="final"]');
    await checkStaffPage(three.page, 'paper-final');
    await three.page.goto('/staff/paper/batches');
    await checkStaffPage(three.page, 'paper-batches');
    await Promise.all([
      three.page.waitForURL(`**/staff/paper/batches/${batchId}/confirm`),
      three.page.click(`a[href="/staff/paper/batches/${batchId}/confirm"]`),
    ]);
    await checkStaffPage(three.page, 'paper-batch-confirm');
    await Promise.all([
      three.page.waitForURL('**/staff/paper/batches?done=confirmed'),
      three.page.click(`form[action="/staff/paper/batches/${batchId}/confirm"] button`),
    ]);
    await checkStaffPage(three.page, 'paper-batches-confirmed');
    await Promise.all([
      three.page.waitForURL('**/staff/paper/batches?done=undone'),
      three.page.click(`form[action="/staff/paper/batches/${batchId}/undo"] button`),
    ]);
    await checkStaffPage(three.page, 'paper-batches-undone');
    assert.deepEqual(three.cspViolations, []);
  } finally {
    await three.context.close();
  }

  const sink = new PassThrough();
  let csv = '';
  sink.on('data', (d: Buffer) => (csv += d.toString()));
  await exportResponsesCsv(server.database.db, sink);
  const rows = csv.trim().split('\n');
  assert.equal(rows.length, 2);
  const header = rows[0]!.split(',');
  const row = rows[1]!.split(',');
  const col = (name: string) => row[header.indexOf(name)];
  assert.equal(col('register_id'), 'PAPER1');
  assert.equal(col('mode'), 'paper');
  assert.deepEqual(
    ['mobility', 'self_care', 'usual_activities', 'pain_discomfort', 'anxiety_depression', 'vas'].map(col),
    ['1', '2', '3', '2', '1', '75'],
  );
});
