// Browser checks for the staff pages, on top of test/support/browser.ts (Chromium, axe-core):
// the app with queues on a loopback port, and a page check with the questionnaire's bar —
// axe (WCAG 2.0–2.2 A/AA) at 1280 and 320 px, no sideways scrolling or clipped text at 320 px
// (also with WCAG 1.4.12 text spacing) and at 200 % zoom. Data tables sit in focusable scroll
// regions and may scroll sideways inside them (the WCAG 1.4.10 exception for data tables);
// nothing outside them may.
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { systemClock, type Clock } from '../../src/clock.ts';
import { assertNoAxeViolations, SCREEN_DIR, startSurveyServer, type SurveyServer } from './browser.ts';

export const E2E_SESSION_SECRET = 'e2e-staff-secret-e2e-staff-secret-01234';

export type StaffServer = SurveyServer;

/** The app as the staff browser tests need it: their session secret (TOTP keys), queues, exports. */
export function startStaffServer(clock: Clock = systemClock): Promise<StaffServer> {
  return startSurveyServer(clock, {
    sessionSecret: E2E_SESSION_SECRET,
    queues: true,
    exportPseudonymKey: 'e2e-pseudonym-key-e2e-pseudonym-key-0123',
  });
}

// Plain JavaScript run in the page. Like browser.ts's check, with `.table-scroll` regions exempt.
const LAYOUT = `(() => {
  const problems = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth > width) problems.push('page scrolls sideways: ' + root.scrollWidth + ' > ' + width);
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const clips = (v) => v === 'hidden' || v === 'clip' || v === 'auto' || v === 'scroll';
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (el.closest('.visually-hidden, .skip-link, [hidden], script, style, .table-scroll, svg')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = (el.textContent || '').trim();
    if (text && clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1) problems.push('clipped sideways: ' + describe(el));
    if (text && clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1) problems.push('clipped below: ' + describe(el));
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '');
    const control = el.matches('input:not([type=hidden]), button, select, textarea, img');
    if (ownText || control) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 1 || box.left < -1)) problems.push('outside the viewport: ' + describe(el) + ' (' + Math.round(box.left) + '-' + Math.round(box.right) + ' of ' + width + ')');
    }
  }
  for (const region of Array.from(document.querySelectorAll('.table-scroll'))) {
    if (region.getAttribute('tabindex') !== '0' || !region.getAttribute('role')) problems.push('a scroll region must be focusable and named: ' + describe(region));
    const box = region.getBoundingClientRect();
    if (box.right > width + 1) problems.push('scroll region wider than the page: ' + describe(region));
  }
  return problems;
})()`;

const SPACING_ON = `(() => { for (const el of Array.from(document.querySelectorAll('body, body *'))) {
  el.dataset.before = el.getAttribute('style') === null ? '\\u0000' : el.style.cssText;
  el.style.setProperty('line-height', '1.5', 'important'); el.style.setProperty('letter-spacing', '0.12em', 'important');
  el.style.setProperty('word-spacing', '0.16em', 'important'); if (el.tagName === 'P') el.style.setProperty('margin-bottom', '2em', 'important'); } })()`;
const SPACING_OFF = `(() => { for (const el of Array.from(document.querySelectorAll('[data-before]'))) {
  if (el.dataset.before === '\\u0000') el.removeAttribute('style'); else el.style.cssText = el.dataset.before; delete el.dataset.before; } })()`;

/** Every check for one staff page state; leaves the viewport at 1280 × 800. */
export async function checkStaffPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREEN_DIR, { recursive: true });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nb', `${name}: lang`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await assertNoAxeViolations(page, `${name} at 1280 px`);
  assert.deepEqual(await page.evaluate(LAYOUT), [], `${name} at 1280 px`);
  await page.screenshot({ path: `${SCREEN_DIR}/staff-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 320, height: 640 });
  await assertNoAxeViolations(page, `${name} at 320 px`);
  assert.deepEqual(await page.evaluate(LAYOUT), [], `${name} at 320 px`);
  await page.evaluate(SPACING_ON);
  assert.deepEqual(await page.evaluate(LAYOUT), [], `${name} at 320 px with WCAG 1.4.12 text spacing`);
  await page.evaluate(SPACING_OFF);
  await page.screenshot({ path: `${SCREEN_DIR}/staff-${name}-320.png`, fullPage: true });
  await page.setViewportSize({ width: 640, height: 400 });
  assert.deepEqual(await page.evaluate(LAYOUT), [], `${name} at 200 % zoom`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Presses Tab until `selector` has focus (at most `max` times); returns the ids/tags passed on the way. */
export async function tabTo(page: Page, selector: string, max = 15): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el
        ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`
        : '';
    });
    seen.push(here);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return seen;
  }
  throw new Error(`Tab never reached ${selector}; passed ${seen.join(' → ')}`);
}
