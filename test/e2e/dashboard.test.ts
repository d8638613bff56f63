// The dashboard's layout in Chromium: at 1280 px nothing scrolls sideways —
// not the page and not the breakdown table inside its container — for every breakdown and role;
// at 390 px wide tables scroll inside their own focusable region named by its caption, and the
// page itself never does. The trend chart draws months on a time axis, hollow where fewer than
// 20 were invited. axe: 0 violations at 390, 320 and 1280 px. Screenshots in /tmp/prom-screens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { BREAKDOWNS } from '../../src/reports/dashboard.ts';
import { assertNoAxeViolations, launchBrowser, newPage, SCREEN_DIR } from '../support/browser.ts';
import { checkStaffPage, E2E_SESSION_SECRET, startStaffServer, type StaffServer } from '../support/staff-browser.ts';
import { createStaff, nextCode, type TestStaff } from '../support/staff.ts';
import { writeCohort, writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';

let browser: Browser;
let server: StaffServer;
let staff: Record<'admin' | 'registrar' | 'analyst' | 'gap', TestStaff>;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  const db = server.database.db;
  await writeTestHospitals(db);
  await writeCohort(db, { size: 600, seed: 18 });
  staff = {
    admin: await createStaff(db, E2E_SESSION_SECRET, { email: 'admin@dash.test', role: 'admin' }),
    registrar: await createStaff(db, E2E_SESSION_SECRET, {
      email: 'reg@dash.test',
      role: 'registrar',
      hospitals: ['OUS', 'TINY'],
    }),
    analyst: await createStaff(db, E2E_SESSION_SECRET, { email: 'analyst@dash.test', role: 'analyst' }),
    gap: await createStaff(db, E2E_SESSION_SECRET, { email: 'gap@dash.test', role: 'registrar', hospitals: ['GAP'] }),
  };
  // A hospital with arrests in January and April only: February and March are empty months.
  for (const [i, day] of ['2025-01-15', '2025-04-15'].entries()) {
    const id = await writeSurvivor(db, {
      registerId: `GAP${i}`,
      nationalIdSeed: 900 + i,
      hospital: 'GAP',
      givenName: 'Gap',
    });
    await db.updateTable('arrest_events').set({ arrest_date: day }).where('survivor_id', '=', id).execute();
  }
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

/** Tables whose content is wider than their container, and whether the page scrolls sideways. */
function overflow(page: Page) {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    tables: Array.from(document.querySelectorAll('.table-scroll'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.getAttribute('aria-labelledby')}: ${el.scrollWidth} > ${el.clientWidth}`),
  }));
}

/** Every scrolling container is a focusable region named by its table's caption. */
function unnamedRegions(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.table-scroll'))
      .filter((el) => {
        const caption = document.getElementById(el.getAttribute('aria-labelledby') ?? '');
        return (
          el.getAttribute('role') !== 'region' ||
          el.getAttribute('tabindex') !== '0' ||
          caption?.tagName !== 'CAPTION' ||
          !el.contains(caption)
        );
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

test('no sideways scroll at 1280 px for any breakdown or role; at 390 px wide tables scroll in their own captioned region', async () => {
  for (const role of ['admin', 'registrar', 'analyst'] as const) {
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await login(page, staff[role]);
      for (const by of BREAKDOWNS) {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.goto(`/staff?by=${by}`);
        if (by === 'hospital')
          await page
            .locator('section[aria-labelledby="breakdown"]')
            .screenshot({ path: `${SCREEN_DIR}/staff-dashboard-${role}-breakdown-1280.png` });
        assert.deepEqual(await overflow(page), { page: false, tables: [] }, `${role}, by ${by}, at 1280 px`);
        await page.setViewportSize({ width: 390, height: 844 });
        assert.equal(
          (await overflow(page)).page,
          false,
          `${role}, by ${by}: the page never scrolls sideways at 390 px`,
        );
        assert.deepEqual(await unnamedRegions(page), [], `${role}, by ${by}`);
      }
      await page.goto('/staff?by=hospital');
      await page.setViewportSize({ width: 390, height: 844 });
      await assertNoAxeViolations(page, `dashboard (${role}) at 390 px`);
      await page.screenshot({ path: `${SCREEN_DIR}/staff-dashboard-${role}-390.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: `${SCREEN_DIR}/staff-dashboard-${role}-1280.png`, fullPage: true });
      await checkStaffPage(page, `dashboard-layout-${role}`);
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  }
});

test('the trend chart: one marker per month with data, on a calendar axis; hollow markers where fewer than 20 were invited', async () => {
  const { context, page } = await newPage(browser, server.base);
  try {
    // The registrar's hospitals include TINY, whose months are small.
    await login(page, staff.registrar);
    await page.goto('/staff');
    const chart = await page.evaluate(() => {
      const circles = Array.from(document.querySelectorAll('svg.chart circle'));
      const xs = circles.map((c) => Number(c.getAttribute('cx')));
      const steps = xs.slice(1).map((x, i) => x - xs[i]!);
      return {
        n: circles.length,
        small: circles.filter((c) => c.getAttribute('data-small') === 'true').length,
        steps,
        titles: circles.map((c) => c.textContent ?? ''),
      };
    });
    const rows = await page.locator('#trend ~ .trend tbody tr').count();
    const fewRows = await page.locator('#trend ~ .trend tbody tr .few-mark').count();
    assert.ok(chart.n > 3 && chart.n <= rows, `markers ${chart.n}, rows ${rows}`);
    assert.ok(chart.small > 0, 'some months have fewer than 20 invited');
    assert.equal(chart.small, fewRows, 'the table marks the same months');
    assert.ok(chart.titles.filter((t) => t.includes('færre enn 20 invitert')).length === chart.small);
    // Equal calendar steps are equal distances: every step is a whole multiple of the smallest.
    const unit = Math.min(...chart.steps);
    for (const s of chart.steps)
      assert.ok(Math.abs(s / unit - Math.round(s / unit)) < 0.01, `step ${s} is a whole number of months of ${unit}`);
  } finally {
    await context.close();
  }
});

test('an empty month is a gap on the time axis: January and April are three months apart, with no line between', async () => {
  const { context, page } = await newPage(browser, server.base);
  try {
    await login(page, staff.gap);
    await page.goto('/staff');
    const chart = await page.evaluate(() => ({
      xs: Array.from(document.querySelectorAll('svg.chart circle')).map((c) => Number(c.getAttribute('cx'))),
      ticks: Array.from(document.querySelectorAll('svg.chart line'))
        .filter((l) => l.getAttribute('x1') === l.getAttribute('x2'))
        .map((l) => Number(l.getAttribute('x1'))),
      path: document.querySelector('svg.chart path')?.getAttribute('d') ?? '',
    }));
    assert.equal(chart.xs.length, 2);
    assert.equal(chart.ticks.length, 4, 'a tick for each of January, February, March and April');
    const month = chart.ticks[1]! - chart.ticks[0]!;
    assert.ok(
      Math.abs(chart.xs[1]! - chart.xs[0]! - 3 * month) < 0.2,
      `${chart.xs.join(', ')} with months ${month} apart`,
    );
    assert.equal(chart.path.match(/L/g), null, 'no line is drawn across the empty months');
    assert.equal(await page.locator('#trend ~ .trend tbody tr').count(), 2, 'the table lists the months with data');
  } finally {
    await context.close();
  }
});
