// The example instrument's pages in Chromium, its last item as a slider: every page state (question, error,
// the enableWhen follow-up, the check page) with axe at 320 and 1280 px, reflow, text spacing and
// 200 % zoom, in nb, nn and en; a keyboard-only walk and a walk with JavaScript off, each ending
// in one stored response with the example's answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  checkPageState,
  follow,
  launchBrowser,
  newPage,
  startSurveyServer,
  type SurveyServer,
} from '../support/browser.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { exampleQuestionnaire, planWith, useExampleProgramme } from '../support/instruments.ts';
import { loadInstruments, type Instruments } from '../../src/instruments/eq5d-texts.ts';
import type { Db } from '../../src/db/database.ts';
import { addInstrument } from '../../src/instruments/store.ts';
import { pinInstruments } from '../../src/instruments/programme.ts';
import { saveProgramme } from '../../src/invitations/settings.ts';
import type { Lang } from '../../src/i18n/views.ts';

let browser: Browser;
let server: SurveyServer;
let programmeVersion: number;
before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startSurveyServer()]);
  programmeVersion = await useSliderExample(server.database.db, loadInstruments());
});

/**
 * The example with "recovery" as a slider (itemControl slider) under a new version, pinned by a
 * new programme version: the shipped example keeps its plain number field.
 */
async function useSliderExample(db: Db, texts: Instruments): Promise<number> {
  await useExampleProgramme(db, texts);
  const q = exampleQuestionnaire();
  q.version = '2';
  const recovery = (q.item as { linkId: string; extension: object[] }[]).find((i) => i.linkId === 'recovery')!;
  recovery.extension.push({
    url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
    valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'slider' }] },
  });
  await addInstrument(db, q, 'test');
  const saved = await saveProgramme(db, {}, 'test', (trx, version) =>
    pinInstruments(trx, texts, version, ['eq5d5l', 'followup-example']),
  );
  return saved.version;
}
after(async () => {
  await browser?.close();
  await server?.close();
});

const CONTINUE: Record<Lang, string> = { nb: 'Fortsett', nn: 'Hald fram', en: 'Continue' };
const path = (page: Page) => new URL(page.url()).pathname;

/** An invitation of the example programme with EQ-5D already answered (saved pages), at page 7. */
async function atExample(language: Lang) {
  const inv = await createInvitation(server.database.db, { language });
  await planWith(server.database.db, inv.invitationId, programmeVersion);
  await server.database.db
    .insertInto('answer_drafts')
    .values({
      invitation_id: inv.invitationId,
      answers: JSON.stringify({
        mobility: 1,
        self_care: 2,
        usual_activities: 3,
        pain_discomfort: 4,
        anxiety_depression: 5,
        vas: 60,
      }),
    })
    .execute();
  return inv;
}

async function storedItems(invitationId: number) {
  return server.database.db
    .selectFrom('responses')
    .select(['items', 'mobility', 'vas'])
    .where('invitation_id', '=', invitationId)
    .execute();
}

describe('the example instrument', { concurrency: 1 }, () => {
  for (const lang of ['nb', 'nn', 'en'] as const) {
    test(`every page state passes axe, reflow, text spacing and zoom (${lang})`, async () => {
      const inv = await atExample(lang);
      const { context, page, cspViolations } = await newPage(browser, server.base);
      try {
        await page.goto(`/s/${inv.token}`);
        assert.equal(path(page), '/s/q/7', 'resumes at the first unanswered page');
        await checkPageState(page, `example-${lang}-q7`);
        if (lang === 'nb') await page.screenshot({ path: `/work/shots/21/example/q7-${lang}.png`, fullPage: true });
        await follow(page, page.getByRole('button', { name: CONTINUE[lang] }));
        assert.ok((await page.title()).includes(':'), 'error page title');
        await checkPageState(page, `example-${lang}-q7-error`);
        await page.locator('#item-help_needed-3').check();
        await follow(page, page.getByRole('button', { name: CONTINUE[lang] }));
        assert.equal(path(page), '/s/q/8', 'the follow-up is asked after "every day"');
        await checkPageState(page, `example-${lang}-q8`);
        await page.locator('#item-help_from-1').check();
        await follow(page, page.getByRole('button', { name: CONTINUE[lang] }));
        assert.equal(path(page), '/s/q/9');
        await checkPageState(page, `example-${lang}-q9`);
        assert.equal(await page.locator('#item-recovery-range').isVisible(), true, 'the slider scale is shown');
        await page.locator('#item-recovery').fill('12');
        await follow(page, page.getByRole('button', { name: CONTINUE[lang] }));
        await checkPageState(page, `example-${lang}-q9-error`);
        await page.screenshot({ path: `/work/shots/21/example/q9-error-${lang}.png`, fullPage: true });
        await page.locator('#item-recovery').fill(lang === 'en' ? '6.5' : '6,5');
        await follow(page, page.getByRole('button', { name: CONTINUE[lang] }));
        assert.equal(path(page), '/s/check');
        await checkPageState(page, `example-${lang}-check`);
        await page.screenshot({ path: `/work/shots/21/example/check-${lang}.png`, fullPage: true });
        assert.deepEqual(cspViolations, []);
      } finally {
        await context.close();
      }
    });
  }

  test('keyboard only: the example pages answered with Tab, arrows, typing and Enter; one response stored', async () => {
    const inv = await atExample('nb');
    const { context, page } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      assert.equal(path(page), '/s/q/7');
      await page.locator('#item-help_needed-1').focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.locator('#item-help_needed-2').isChecked(), true);
      await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL('**/s/q/8'), page.keyboard.press('Enter')]);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.locator('#item-help_from-2').focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL('**/s/q/9'), page.keyboard.press('Enter')]);
      await page.locator('#item-recovery').focus();
      await page.keyboard.type('8,5');
      await Promise.all([page.waitForURL('**/s/check'), page.keyboard.press('Enter')]);
      const submit = page.locator('form[action="/s/submit"] button');
      await submit.focus();
      await Promise.all([page.waitForURL('**/s/done'), page.keyboard.press('Enter')]);
      const rows = await storedItems(inv.invitationId);
      assert.deepEqual(rows, [
        { items: { help_needed: 'sometimes', help_from: 'services', recovery: 8.5 }, mobility: 1, vas: 60 },
      ]);
    } finally {
      await context.close();
    }
  });

  test('slider: the range input sets the number field by keyboard, shows and announces the value; the field moves the range', async () => {
    const inv = await atExample('nb');
    const { context, page, cspViolations } = await newPage(browser, server.base);
    try {
      await page.goto(`/s/${inv.token}`);
      await page.locator('#item-help_needed-1').check();
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      assert.equal(path(page), '/s/q/9');
      const range = page.getByRole('slider', { name: 'Skala fra 0 til 10' });
      assert.equal(
        await range.getAttribute('aria-valuetext'),
        'Ikke valgt',
        'no value is announced before one is chosen',
      );
      assert.equal(await page.locator('.item-slider output').innerText(), 'Ikke valgt');
      await range.focus();
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.locator('#item-recovery').inputValue(), '9,9');
      assert.equal(await range.getAttribute('aria-valuetext'), '9,9');
      assert.equal(await page.locator('.item-slider output').innerText(), 'Valgt: 9,9');
      assert.equal(await page.locator('.item-slider output').getAttribute('aria-live'), 'polite');
      // Typing in the field moves the scale too.
      await page.locator('#item-recovery').fill('2,5');
      assert.equal(await range.inputValue(), '2.5');
      await page.locator('#item-recovery').fill('4');
      await checkPageState(page, 'example-nb-q9-slider-set');
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      assert.equal(path(page), '/s/check');
      await follow(page, page.locator('form[action="/s/submit"] button'));
      assert.deepEqual(await storedItems(inv.invitationId), [
        { items: { help_needed: 'no', recovery: 4 }, mobility: 1, vas: 60 },
      ]);
      assert.deepEqual(cspViolations, []);
    } finally {
      await context.close();
    }
  });

  test('JavaScript off: "no" skips the follow-up, a decimal comma is accepted, the check page lists every answered item', async () => {
    const inv = await atExample('nn');
    const { context, page } = await newPage(browser, server.base, { javaScriptEnabled: false });
    try {
      await page.goto(`/s/${inv.token}`);
      await page.locator('#item-help_needed-1').check();
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(path(page), '/s/q/9', 'the follow-up is skipped');
      await page.locator('#item-recovery').fill('9,25');
      await follow(page, page.getByRole('button', { name: 'Hald fram' }));
      assert.equal(path(page), '/s/check');
      const text = await page.locator('main').innerText();
      for (const expected of ['Treng du hjelp frå andre', 'Nei', '9,25', 'Mobilitet'])
        assert.ok(text.includes(expected), `check page lists ${expected}`);
      assert.ok(!text.includes('Kven hjelper deg'), 'a skipped question is not listed');
      await follow(page, page.locator('form[action="/s/submit"] button'));
      assert.equal(path(page), '/s/done');
      const rows = await storedItems(inv.invitationId);
      assert.deepEqual(rows, [{ items: { help_needed: 'no', recovery: 9.25 }, mobility: 1, vas: 60 }]);
    } finally {
      await context.close();
    }
  });
});
