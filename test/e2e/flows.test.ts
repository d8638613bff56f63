// Whole journeys in Chromium: keyboard only, JavaScript off, resume after losing the session,
// the EQ VAS scale (click, keys, no default), language switching that keeps answers, and two
// tabs or a double click never making a second response.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { follow, launchBrowser, newPage, startSurveyServer, type SurveyServer } from '../support/browser.ts';
import { createInvitation } from '../support/survey-fixtures.ts';

let browser: Browser;
let server: SurveyServer;
before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startSurveyServer()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const path = (page: Page) => new URL(page.url()).pathname;

async function responses(invitationId: number) {
  return server.database.db.selectFrom('responses').selectAll().where('invitation_id', '=', invitationId).execute();
}

/** Presses Tab until the focused element matches `selector`; every stop must show a visible focus indicator. */
async function tabTo(page: Page, selector: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { matches: false, visible: true, what: 'body' };
      const style = getComputedStyle(el);
      const visible =
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { matches: el.matches(sel), visible, what: el.outerHTML.slice(0, 80) };
    }, selector);
    assert.ok(state.visible, `focus is visible on ${state.what}`);
    if (state.matches) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

const active = (page: Page) =>
  page.evaluate(
    () => document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName,
  );

describe('journeys', { concurrency: 2 }, () => {
  test('keyboard only: the whole questionnaire without a mouse, focus on the error summary after a failed Continue', async () => {
    const inv = await createInvitation(server.database.db);
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      // The start page first: its Start link-button is reached and followed with the keyboard.
      assert.equal(path(page), '/s/start');
      await tabTo(page, 'a.button-start');
      await page.keyboard.press('Enter');
      // Who is filling in: Continue with nothing chosen, focus on the error summary; then a choice by keyboard.
      await page.waitForURL('**/s/who');
      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
      await tabTo(page, 'input[type=radio]');
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#respondent-1').isChecked(), true);
      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/s/q/1');
      // Continue with nothing chosen: focus lands on the error summary, its link leads to the first radio.
      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/s/q/1');
      await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
      await tabTo(page, '.error-summary a');
      await page.keyboard.press('Enter');
      assert.equal(await active(page), 'answer-1');

      const levels = [2, 1, 3, 5, 4];
      for (let n = 1; n <= 5; n++) {
        if (n > 1) await tabTo(page, 'input[type=radio]');
        await page.keyboard.press('Space');
        for (let k = 1; k < levels[n - 1]!; k++) await page.keyboard.press('ArrowDown');
        assert.equal(await page.locator(`#answer-${levels[n - 1]}`).isChecked(), true, `question ${n}`);
        await tabTo(page, 'button[type=submit]');
        await page.keyboard.press('Enter');
        await page.waitForURL(`**/s/q/${n + 1}`);
      }

      // EQ VAS with the scale's keys: End = 100, Page Down −10, Up +1.
      await tabTo(page, '[role=slider]');
      await page.keyboard.press('End');
      for (let i = 0; i < 3; i++) await page.keyboard.press('PageDown');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
      assert.equal(await page.locator('#answer').inputValue(), '73');
      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/s/check');

      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/s/done');
      const rows = await responses(inv.invitationId);
      assert.equal(rows.length, 1);
      assert.deepEqual(
        [
          rows[0]!.mobility,
          rows[0]!.self_care,
          rows[0]!.usual_activities,
          rows[0]!.pain_discomfort,
          rows[0]!.anxiety_depression,
          rows[0]!.vas,
        ],
        [2, 1, 3, 5, 4, 73],
      );
      assert.equal(rows[0]!.respondent, 'self');
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  });

  test('JavaScript off: the questionnaire works with the number field; the error summary has focus through autofocus', async () => {
    const inv = await createInvitation(server.database.db, { language: 'nn' });
    const { context, page } = await newPage(browser, server.base, { javaScriptEnabled: false });
    try {
      await page.goto(`/s/${inv.token}`);
      assert.equal(path(page), '/s/start');
      await follow(page, page.getByRole('button', { name: 'Start no' }));
      // Who is filling in, without JavaScript: the error summary has focus, then a choice.
      assert.equal(path(page), '/s/who');
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(await active(page), 'error-summary');
      await page.getByRole('radio', { name: 'Eg gjer det, med hjelp frå nokon' }).check();
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(path(page), '/s/q/1');
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.ok((await page.title()).startsWith('Feil: '));
      assert.equal(await active(page), 'error-summary');
      for (let n = 1; n <= 5; n++) {
        await page.locator('#answer-3').check();
        await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      }
      assert.equal(path(page), '/s/q/6');
      assert.equal(await page.locator('[data-vas-scale]').isVisible(), false, 'no scale without JavaScript');
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(await active(page), 'error-summary');
      await page.getByRole('textbox', { name: 'Helsa di i dag' }).fill('42');
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(path(page), '/s/check');
      await follow(page, page.getByRole('button', { name: 'Send inn svara' }));
      assert.equal(path(page), '/s/done');
      const rows = await responses(inv.invitationId);
      assert.deepEqual([rows.length, rows[0]!.vas, rows[0]!.mobility, rows[0]!.language], [1, 42, 3, 'nn']);
      assert.equal(rows[0]!.respondent, 'assisted');
    } finally {
      await context.close();
    }
  });

  test('resume: three pages answered, session dropped, the link again continues at page four with the answers kept', async () => {
    const inv = await createInvitation(server.database.db);
    const { context, page } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      await follow(page, page.getByRole('button', { name: 'Start nå' }));
      await page.getByRole('radio', { name: 'Jeg gjør det', exact: true }).check();
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      for (const level of [4, 2, 5]) {
        await page.locator(`#answer-${level}`).check();
        await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      }
      assert.equal(path(page), '/s/q/4');
      await context.clearCookies();
      const ended = await page.goto('/s/q/4');
      assert.equal(ended!.status(), 401);

      await page.goto(`/s/${inv.token}`);
      assert.equal(path(page), '/s/q/4');
      assert.equal(await page.locator('input[type=radio]:checked').count(), 0);
      await follow(page, page.getByRole('link', { name: 'Tilbake' }));
      assert.equal(path(page), '/s/q/3');
      assert.equal(await page.locator('#answer-5').isChecked(), true);
      await page.goto('/s/check');
      const values = (await page.locator('.summary-row dd:not(.summary-action)').allTextContents()).map((v) =>
        v.trim(),
      );
      assert.deepEqual(values, [
        'Alvorlige problemer',
        'Små problemer',
        'Ute av stand til å utføre vanlige gjøremål',
        'Ikke besvart',
        'Ikke besvart',
        'Ikke besvart',
      ]);
    } finally {
      await context.close();
    }
  });

  test('EQ VAS scale: no default, set by a click without dragging, by keys, and kept in step with the visible field', async () => {
    const inv = await createInvitation(server.database.db, { language: 'en' });
    const { context, page, cspViolations } = await newPage(browser, server.base, {
      viewport: { width: 1280, height: 1000 },
    });
    try {
      await page.goto(`/s/${inv.token}`);
      await page.goto('/s/q/6');
      const slider = page.getByRole('slider', { name: 'Your health today' });
      const field = page.getByRole('textbox', { name: 'Your health today' });
      assert.equal(await field.inputValue(), '');
      assert.equal(await slider.getAttribute('aria-valuenow'), null);
      assert.equal(await slider.getAttribute('aria-valuetext'), 'Not chosen');
      assert.equal(await slider.getAttribute('aria-orientation'), 'vertical');
      assert.deepEqual(
        [await slider.getAttribute('aria-valuemin'), await slider.getAttribute('aria-valuemax')],
        ['0', '100'],
      );

      // A click a quarter of the way up the scale sets 25: a single click, no drag.
      await slider.scrollIntoViewIfNeeded();
      const rail = await page.locator('.vas-rail').boundingBox();
      assert.ok(rail && rail.y >= 0 && rail.y + rail.height <= 1000, 'the whole scale is in view');
      await page.mouse.click(rail.x + rail.width / 2, rail.y + rail.height * 0.75);
      assert.equal(await field.inputValue(), '25');
      assert.equal(await slider.getAttribute('aria-valuenow'), '25');
      assert.ok(await field.isVisible(), 'the number field stays visible');
      // 100 is at the top, 0 at the bottom.
      await page.mouse.click(rail.x + rail.width / 2, rail.y + 1);
      assert.equal(await field.inputValue(), '100');
      await page.mouse.click(rail.x + rail.width / 2, rail.y + rail.height - 1);
      assert.equal(await field.inputValue(), '0');

      await slider.focus();
      const steps: [string, string][] = [
        ['End', '100'],
        ['PageDown', '90'],
        ['ArrowDown', '89'],
        ['ArrowLeft', '88'],
        ['ArrowRight', '89'],
        ['PageUp', '99'],
        ['ArrowUp', '100'],
        ['ArrowUp', '100'],
        ['Home', '0'],
        ['ArrowDown', '0'],
        ['PageUp', '10'],
      ];
      for (const [key, expected] of steps) {
        await page.keyboard.press(key);
        assert.equal(await field.inputValue(), expected, key);
        assert.equal(await slider.getAttribute('aria-valuenow'), expected, key);
      }
      // Typing in the field moves the scale; clearing it leaves no value (never 50).
      await field.fill('12');
      assert.equal(await slider.getAttribute('aria-valuenow'), '12');
      await field.fill('');
      assert.equal(await slider.getAttribute('aria-valuenow'), null);
      assert.equal(await page.locator('.vas-thumb').isVisible(), false);
      await follow(page, page.getByRole('button', { name: 'Continue' }));
      assert.ok((await page.title()).startsWith('Error: '));
      const draft = await server.database.db
        .selectFrom('answer_drafts')
        .select('answers')
        .where('invitation_id', '=', inv.invitationId)
        .executeTakeFirst();
      assert.equal(draft?.answers.vas, undefined, 'an unanswered EQ VAS stays missing');
      assert.deepEqual(cspViolations, [], 'the scale works under the CSP (no inline script or style)');
    } finally {
      await context.close();
    }
  });

  test('language switch on a question keeps the answers and stays on the page', async () => {
    const inv = await createInvitation(server.database.db);
    const { context, page } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      await page.goto('/s/q/1');
      await page.locator('#answer-4').check();
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      await follow(page, page.getByRole('link', { name: 'English' }));
      assert.equal(path(page), '/s/q/2');
      assert.equal(new URL(page.url()).search, '');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      assert.equal(await page.getByRole('link', { name: 'English' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Nynorsk' }).getAttribute('lang'), 'nn');
      await follow(page, page.getByRole('link', { name: 'Back' }));
      assert.equal(await page.locator('#answer-4').isChecked(), true);
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Mobility (walking)');
      // On a change page the switch keeps the way back to the summary.
      await page.goto('/s/q/1?return=check');
      await follow(page, page.getByRole('link', { name: 'Nynorsk' }));
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/s/q/1?return=check');
      assert.equal(await page.locator('input[name=return]').count(), 1);
    } finally {
      await context.close();
    }
  });

  test('two tabs and a double click never make a second response', async () => {
    const inv = await createInvitation(server.database.db);
    const { context, page } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      await page.goto('/s/q/1');
      const other = await context.newPage();
      for (let n = 1; n <= 5; n++) {
        await page.locator('#answer-1').check();
        await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      }
      await page.getByRole('textbox', { name: 'Helsen din i dag' }).fill('80');
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      await other.goto('/s/check');
      await page.getByRole('button', { name: 'Send inn svarene' }).dblclick();
      await page.waitForURL('**/s/done');
      await follow(other, other.getByRole('button', { name: 'Send inn svarene' }));
      assert.equal(path(other), '/s/done', 'the second tab gets the same receipt');
      assert.equal((await responses(inv.invitationId)).length, 1);
    } finally {
      await context.close();
    }
  });
});
