// Browser tests: Debian's Chromium driven by playwright-core (never `npx playwright install`), the
// app on a loopback port with its own database, axe-core for WCAG checks, and layout checks for
// reflow at 320 px, 200 % zoom and text spacing. Screenshots go to /tmp/prom-screens/.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import assert from 'node:assert/strict';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { systemClock, type Clock } from '../../src/clock.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { openTestQueues } from './redis.ts';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const SCREEN_DIR = process.env.PROM_SCREEN_DIR ?? '/tmp/prom-screens';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One browser per test file; playwright gives it a fresh temporary profile, removed at close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface SurveyServer {
  base: string;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real app (helmet, sessions, CSRF, routes) on 127.0.0.1 with a fresh database; `queues`
 * adds a Redis prefix of its own (the staff queue page), removed at close.
 */
export async function startSurveyServer(
  clock: Clock = systemClock,
  opts: {
    sessionSecret?: string;
    queues?: boolean;
    exportPseudonymKey?: string;
    database?: 'pglite' | 'postgres';
  } = {},
): Promise<SurveyServer> {
  const database = await createTestDatabase({ kind: opts.database });
  const queues = opts.queues ? openTestQueues() : undefined;
  const app = createApp({
    db: database.db,
    views: createViews(),
    instruments: loadInstruments(),
    clock,
    sessionSecret: opts.sessionSecret ?? 'e2e-test-secret-e2e-test-secret-0123456',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
    queues,
    exportPseudonymKey: opts.exportPseudonymKey,
    erasureKey: 'e2e-erasure-key-e2e-erasure-key-012345678',
  });
  const http = await listenOnLoopback(app);
  return {
    base: http.base,
    database,
    close: async () => {
      await http.close();
      await queues?.cleanup();
      await database.drop();
    },
  };
}

/** Serves an app on 127.0.0.1 at a free port; close() also ends kept-alive browser connections. */
async function listenOnLoopback(app: {
  listen: (port: number, host: string) => Server;
}): Promise<{ base: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A context with the page's CSP enforced. Content-Security-Policy violations (an inline script
 * or style, an external resource) are collected and fail the test in `assertNoCspViolations`.
 */
export async function newPage(
  browser: Browser,
  base: string,
  opts: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 800 },
    locale: 'nb-NO',
    ...opts,
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  page.on('pageerror', (err) => cspViolations.push(`page error: ${err.message}`));
  return { context, page, cspViolations };
}

let axeSource: string | undefined;

/**
 * axe-core with the WCAG 2.0/2.1 A+AA and 2.2 AA tags. The pages forbid inline scripts (CSP), and
 * page.addScriptTag({ path }) adds an inline <script>, which the page refuses; so the same file
 * (node_modules/axe-core/axe.min.js) is evaluated through the DevTools protocol, which CSP does
 * not govern. The page's own CSP stays on (no bypassCSP), so the tests also see CSP breaches.
 */
async function axeViolations(
  page: Page,
): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]> {
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  if (!(await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined')))
    await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{
            violations: {
              id: string;
              impact: string | null;
              help: string;
              nodes: { target: unknown[]; failureSummary?: string }[];
            }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
    }));
  }, AXE_TAGS);
}

export async function assertNoAxeViolations(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${label}: axe violations\n${JSON.stringify(violations, null, 2)}`);
}

/**
 * Layout problems at the current viewport: the page scrolling sideways (scrollWidth > clientWidth),
 * text clipped by an ancestor with overflow hidden/clip/auto/scroll (its scroll size exceeds its
 * client size), and text or controls lying outside the viewport horizontally. Visually hidden
 * helper text (1 px clip by design) is left out.
 */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(LAYOUT_SCRIPT);
}

// Plain JavaScript (a string, so the TypeScript loader adds no helpers the page lacks).
const LAYOUT_SCRIPT = `(() => {
  const problems = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth > width) problems.push('page scrolls sideways: scrollWidth ' + root.scrollWidth + ' > clientWidth ' + width);
  function describe(el) {
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  }
  function clips(v) { return v === 'hidden' || v === 'clip' || v === 'auto' || v === 'scroll'; }
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (el.closest('.visually-hidden, .skip-link, [hidden], script, style')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = (el.textContent || '').trim();
    if (text && clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1) problems.push('clipped sideways: ' + describe(el) + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
    if (text && clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1) problems.push('clipped below: ' + describe(el) + ' (' + el.scrollHeight + ' > ' + el.clientHeight + ')');
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '');
    const control = el.matches('input:not([type=hidden]), button, select, textarea, [role=slider], img');
    if (ownText || control) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 1 || box.left < -1)) problems.push('outside the viewport: ' + describe(el) + ' (' + Math.round(box.left) + '-' + Math.round(box.right) + ' of ' + width + ')');
    }
  }
  return problems;
})()`;

/** WCAG 1.4.12 text spacing (line height 1.5, paragraph spacing 2, letter 0.12, word 0.16), set through CSSOM so CSP allows it; returns an undo. */
async function applyTextSpacing(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => {
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body, body *'))) {
      el.dataset.spacingBefore = el.getAttribute('style') === null ? '\u0000' : (el.style.cssText ?? '');
      el.style.setProperty('line-height', '1.5', 'important');
      el.style.setProperty('letter-spacing', '0.12em', 'important');
      el.style.setProperty('word-spacing', '0.16em', 'important');
      if (el.tagName === 'P') el.style.setProperty('margin-bottom', '2em', 'important');
    }
  });
  return async () => {
    await page.evaluate(() => {
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-spacing-before]'))) {
        const before = el.dataset.spacingBefore!;
        if (before === '\u0000') el.removeAttribute('style');
        else el.style.cssText = before;
        delete el.dataset.spacingBefore;
      }
    });
  };
}

/**
 * Every check for one page state, leaving the viewport at 1280 px:
 * - axe (WCAG 2.0–2.2 A/AA tags) at 1280 and at 320 px, 0 violations;
 * - 320 × 640 px (WCAG 1.4.10 reflow, = 1280 px at 400 %): no sideways scroll, nothing clipped,
 *   also with the 1.4.12 text-spacing overrides;
 * - 640 × 400 px = a 1280 × 800 window at 200 % zoom: browser zoom divides the CSS viewport by
 *   the zoom factor, so this is the layout Chromium produces at 200 % (media queries included);
 *   no sideways scroll and nothing clipped (1.4.4);
 * - full-page PNG screenshots at 320, 390 (a phone) and 1280 px into /tmp/prom-screens/<name>-<width>.png.
 */
export async function checkPageState(page: Page, name: string, opts: { screenshots?: boolean } = {}): Promise<void> {
  mkdirSync(SCREEN_DIR, { recursive: true });
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.match(lang, /^(nb|nn|en)$/, `${name}: <html lang> is ${lang}`);

  await page.setViewportSize({ width: 320, height: 640 });
  await assertNoAxeViolations(page, `${name} at 320 px`);
  assert.deepEqual(await layoutProblems(page), [], `${name} at 320 px`);
  const undo = await applyTextSpacing(page);
  assert.deepEqual(await layoutProblems(page), [], `${name} at 320 px with WCAG 1.4.12 text spacing`);
  await undo();
  if (opts.screenshots !== false) {
    await page.screenshot({ path: `${SCREEN_DIR}/${name}-320.png`, fullPage: true });
    // A common phone (390 × 844 CSS px), for people looking at the pages.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREEN_DIR}/${name}-390.png`, fullPage: true });
  }

  await page.setViewportSize({ width: 640, height: 400 });
  assert.deepEqual(await layoutProblems(page), [], `${name} at 200 % zoom (640 × 400 CSS px)`);

  await page.setViewportSize({ width: 1280, height: 800 });
  await assertNoAxeViolations(page, `${name} at 1280 px`);
  assert.deepEqual(await layoutProblems(page), [], `${name} at 1280 px`);
  if (opts.screenshots !== false) await page.screenshot({ path: `${SCREEN_DIR}/${name}-1280.png`, fullPage: true });
}

/**
 * Clicks a link or submit button and waits until the page it leads to has loaded (the click alone
 * does not wait for the next document, and assertions must not see the old one).
 */
export async function follow(page: Page, target: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), target.click()]);
}
