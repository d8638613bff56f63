// Every respondent page state in Chromium: empty, with errors, filled, check answers, receipt,
// "already answered", each language, the token error pages, the short-code page, the contact
// choices and the accessibility statement. Each state: axe (WCAG 2.0–2.2 A/AA) 0 violations at
// 320 and 1280 px, no sideways scroll or clipped text at 320 px (also with 1.4.12 text spacing)
// and at 200 % zoom, screenshots at 320 and 1280 px in /tmp/prom-screens/.
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
import type { Lang } from '../../src/i18n/views.ts';
import { profileIn } from '../../src/register/profile.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { TEST_PROFILE } from '../support/register.ts';

let browser: Browser;
let server: SurveyServer;
before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startSurveyServer()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const TEXT = {
  nb: {
    continue: 'Fortsett',
    back: 'Tilbake',
    error: 'Feil:',
    submit: 'Send inn svarene',
    change: 'Endre',
    already: 'Du har allerede svart',
    done: 'Takk, svarene dine er sendt inn',
  },
  nn: {
    continue: 'Hald fram',
    back: 'Tilbake',
    error: 'Feil:',
    submit: 'Send inn svara',
    change: 'Endre',
    already: 'Du har alt svart',
    done: 'Takk, svara dine er sende inn',
  },
  en: {
    continue: 'Continue',
    back: 'Back',
    error: 'Error:',
    submit: 'Send your answers',
    change: 'Change',
    already: 'You have already answered',
    done: 'Thank you, your answers have been sent',
  },
} as const;

const path = (page: Page) => new URL(page.url()).pathname;
const WHO = {
  nb: { title: 'Hvem fyller ut dette skjemaet?', self: 'Jeg gjør det', proxy: 'Noen andre, på vegne av meg' },
  nn: { title: 'Kven fyller ut dette skjemaet?', self: 'Eg gjer det', proxy: 'Nokon andre, på vegner av meg' },
  en: { title: 'Who is filling in this questionnaire?', self: 'I am', proxy: 'Someone else, on my behalf' },
} as const;
const START = { nb: 'Start nå', nn: 'Start no', en: 'Start now' } as const;
const REGISTER = {
  nb: profileIn(TEST_PROFILE, 'nb'),
  nn: profileIn(TEST_PROFILE, 'nn'),
  en: profileIn(TEST_PROFILE, 'en'),
};

/** The question form's submit buttons: exactly one, Continue, and it comes first. */
async function assertContinueFirst(page: Page, lang: Lang) {
  const buttons = page.locator('main form[method=post] button[type=submit], main form[method=post] input[type=submit]');
  assert.equal(await buttons.count(), 1);
  assert.equal((await buttons.first().textContent())?.trim(), TEXT[lang].continue);
}

async function assertErrorState(page: Page, lang: Lang) {
  assert.ok((await page.title()).startsWith(`${TEXT[lang].error} `), await page.title());
  // Focus is on the error summary; each link in it points at a field that exists.
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
  for (const href of await page
    .locator('.error-summary a')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    if (href!.startsWith('#')) assert.equal(await page.locator(href!).count(), 1, href!);
  }
  // The same text beside the field.
  const summary = (await page.locator('.error-summary li').first().textContent())!.trim();
  assert.ok((await page.locator('.error-message').first().textContent())!.includes(summary));
}

describe('page states', { concurrency: 2 }, () => {
  for (const lang of ['nb', 'nn', 'en'] as const) {
    test(`questionnaire in ${lang}: every question, errors, check answers, change, receipt, back after submit`, async () => {
      const inv = await createInvitation(server.database.db, { language: lang });
      const { context, page, cspViolations } = await newPage(browser, server.base);
      try {
        await page.goto(`/s/${inv.token}`);
        // The token is traded for a cookie and the browser lands on the start page, without the token.
        assert.equal(path(page), '/s/start');
        assert.ok(!page.url().includes(inv.token));
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        assert.equal(await page.locator('main form, main input').count(), 0, 'no question on the start page');
        for (const shown of [
          REGISTER[lang].name,
          REGISTER[lang].organisation,
          REGISTER[lang].phone,
          REGISTER[lang].purpose!,
        ]) {
          assert.ok((await page.locator('main').textContent())!.includes(shown), `${lang} start page: ${shown}`);
        }
        await checkPageState(page, `${lang}-start`);
        await follow(page, page.getByRole('button', { name: START[lang] }));
        // Who is filling in: its own page between the start page and question 1.
        assert.equal(path(page), '/s/who');
        assert.equal(await page.locator('fieldset > legend > h1').textContent(), WHO[lang].title);
        assert.equal(await page.locator('input[type=radio]:checked').count(), 0, 'nothing pre-selected');
        await checkPageState(page, `${lang}-who-empty`);
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/who');
        await assertErrorState(page, lang);
        await checkPageState(page, `${lang}-who-error`);
        await page.getByRole('radio', { name: WHO[lang].self, exact: true }).check();
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/q/1');
        assert.equal(await page.locator('input[type=radio]:checked').count(), 0, 'nothing pre-selected');
        assert.equal(await page.locator('.back-link').count(), 0, 'no back link on the first question');
        assert.equal(await page.locator('h1').count(), 1);
        assert.equal(await page.locator('fieldset > legend > h1').count(), 1, 'the legend is the page heading');
        assert.equal(
          await page
            .locator('input[type=radio][name=answer]')
            .evaluateAll((rs) => rs.map((r) => (r as HTMLInputElement).value).join()),
          '1,2,3,4,5',
        );
        await assertContinueFirst(page, lang);
        await checkPageState(page, `${lang}-q1-empty`);

        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/q/1');
        await assertErrorState(page, lang);
        await checkPageState(page, `${lang}-q1-error`);

        assert.equal(await page.locator('input[type=radio]:checked').count(), 0);
        await page.goto('/s/q/1');
        await page.locator('#answer-2').check();
        await checkPageState(page, `${lang}-q1-filled`);
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));

        for (const n of [2, 3, 4, 5]) {
          assert.equal(path(page), `/s/q/${n}`);
          assert.equal(await page.locator('.back-link').getAttribute('href'), `/s/q/${n - 1}`);
          if (n === 2) await checkPageState(page, `${lang}-q2-empty`);
          else if (lang === 'nb') await checkPageState(page, `${lang}-q${n}-empty`);
          await page.locator(`#answer-${n}`).check();
          await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        }

        // EQ VAS: empty field, scale without a value, both visible with JavaScript.
        assert.equal(path(page), '/s/q/6');
        assert.equal(await page.locator('#answer').inputValue(), '');
        assert.ok(await page.locator('#answer').isVisible());
        const slider = page.getByRole('slider');
        assert.ok(await slider.isVisible());
        assert.equal(await slider.getAttribute('aria-valuenow'), null);
        await checkPageState(page, `${lang}-vas-empty`);
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        await assertErrorState(page, lang);
        assert.equal(await page.locator('#answer').getAttribute('aria-invalid'), 'true');
        await checkPageState(page, `${lang}-vas-error`);
        await page.locator('#answer').fill('150');
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        await assertErrorState(page, lang);
        assert.equal(await page.locator('#answer').inputValue(), '150', 'the answer is kept on the error page');
        await page.locator('#answer').fill('73');
        assert.equal(await slider.getAttribute('aria-valuenow'), '73', 'the scale follows the field');
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));

        // Check your answers, then change question 3 and come straight back.
        assert.equal(path(page), '/s/check');
        const values = await page.locator('.summary-row dd:not(.summary-action)').allTextContents();
        assert.equal(values.length, 6);
        assert.equal(values[5]!.trim(), '73');
        await checkPageState(page, `${lang}-check`);
        // The filled EQ VAS page, reached by its change link.
        await follow(page, page.locator('.summary-row').nth(5).getByRole('link'));
        assert.equal(await page.locator('#answer').inputValue(), '73');
        assert.equal(await slider.getAttribute('aria-valuenow'), '73');
        await checkPageState(page, `${lang}-vas-filled`);
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/check');
        await follow(page, page.locator('.summary-row').nth(2).getByRole('link'));
        assert.equal(path(page), '/s/q/3');
        assert.equal(await page.locator('#answer-3').isChecked(), true, 'the saved answer is shown');
        assert.equal(await page.locator('.back-link').getAttribute('href'), '/s/check');
        await page.locator('#answer-1').check();
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/check');

        await follow(page, page.getByRole('button', { name: TEXT[lang].submit }));
        assert.equal(path(page), '/s/done');
        assert.equal((await page.locator('h1').textContent())?.trim(), TEXT[lang].done);
        assert.ok(
          (await page.locator('body').textContent())!.includes(REGISTER[lang].phone),
          'the receipt carries the contact line',
        );
        await checkPageState(page, `${lang}-receipt`);

        // Back after submitting: "already answered", never a form.
        await page.goBack();
        assert.equal(path(page), '/s/check');
        assert.equal((await page.locator('h1').textContent())?.trim(), TEXT[lang].already);
        assert.equal(await page.locator('main form').count(), 0);
        await checkPageState(page, `${lang}-already-answered`);

        const row = await server.database.db
          .selectFrom('responses')
          .selectAll()
          .where('invitation_id', '=', inv.invitationId)
          .execute();
        assert.equal(row.length, 1);
        assert.deepEqual(
          [
            row[0]!.mobility,
            row[0]!.self_care,
            row[0]!.usual_activities,
            row[0]!.pain_discomfort,
            row[0]!.anxiety_depression,
            row[0]!.vas,
            row[0]!.language,
          ],
          [2, 2, 1, 4, 5, 73, lang],
        );
        assert.deepEqual(cspViolations, []);
      } finally {
        await context.close();
      }
    });

    test(`check answers with unanswered questions in ${lang}`, async () => {
      const inv = await createInvitation(server.database.db, { language: lang });
      const { context, page } = await newPage(browser, server.base);
      try {
        await page.goto(`/s/${inv.token}`);
        await page.goto('/s/q/1');
        await page.locator('#answer-1').check();
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        await page.goto('/s/check');
        await follow(page, page.getByRole('button', { name: TEXT[lang].submit }));
        assert.equal(path(page), '/s/submit');
        await assertErrorState(page, lang);
        assert.equal(await page.locator('.error-summary li').count(), 5, 'one link per unanswered question');
        assert.equal(await page.locator('.error-summary a').first().getAttribute('href'), '/s/q/2?return=check');
        await checkPageState(page, `${lang}-check-error`);
      } finally {
        await context.close();
      }
    });
  }

  test('link and code pages: unknown and closed links, short code, session ended, CSRF failure, not found, accessibility', async () => {
    const { context, page } = await newPage(browser, server.base);
    try {
      let res = await page.goto('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(res!.status(), 404);
      assert.match((await page.locator('h1').textContent())!, /Vi finner ikke dette spørreskjemaet/);
      assert.equal(await page.getByRole('link', { name: 'Skriv inn koden fra brevet' }).getAttribute('href'), '/kode');
      await checkPageState(page, 'token-unknown');
      await follow(page, page.getByRole('link', { name: 'English' }));
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await checkPageState(page, 'token-unknown-en');

      const closed = await createInvitation(server.database.db, { state: 'expired', language: 'nn' });
      res = await page.goto(`/s/${closed.token}`);
      assert.equal(res!.status(), 410);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'nn', 'in the language from the register');
      assert.match((await page.locator('h1').textContent())!, /Spørjeskjemaet er stengt/);
      await checkPageState(page, 'token-closed');

      const optedOut = await createInvitation(server.database.db, { state: 'cancelled', cancelReason: 'opted_out' });
      res = await page.goto(`/s/${optedOut.token}`);
      assert.equal(res!.status(), 410);
      assert.match((await page.locator('h1').textContent())!, /Vi kontakter deg ikke igjen/);

      // Session ended (no cookie): a page saying what to do.
      res = await page.goto('/s/q/2');
      assert.equal(res!.status(), 401);
      await checkPageState(page, 'session-ended');

      res = await page.goto('/finnes-ikke');
      assert.equal(res!.status(), 404);
      await checkPageState(page, 'page-not-found');

      res = await page.goto('/tilgjengelighet');
      assert.equal(res!.status(), 200);
      await checkPageState(page, 'accessibility-statement');
      await page.goto('/tilgjengelighet?lang=nn');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'nn');

      // The short-code page: empty, error, wrong code, then the right code typed loosely.
      const inv = await createInvitation(server.database.db, { language: 'en' });
      await page.goto('/kode');
      await checkPageState(page, 'short-code-empty');
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      await assertErrorState(page, 'nb');
      await checkPageState(page, 'short-code-error');
      await page.getByLabel('Skriv inn koden fra brevet').fill('ABCD-EFGH-JK');
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      assert.match((await page.locator('.error-message').textContent())!, /Vi finner ikke denne koden/);
      assert.equal(
        await page.getByLabel('Skriv inn koden fra brevet').inputValue(),
        'ABCD-EFGH-JK',
        'what was typed is kept',
      );
      await checkPageState(page, 'short-code-not-found');
      await page.getByLabel('Skriv inn koden fra brevet').fill(` ${inv.shortCode.replace(/-/g, '').toLowerCase()} `);
      await follow(page, page.getByRole('button', { name: 'Fortsett' }));
      assert.equal(path(page), '/s/start', 'code visitors pass the start page too');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'in the language from the register');
      assert.ok((await page.locator('main').textContent())!.includes('Keep the letter and the code'));
      await page.goto('/s/q/1');

      // A form with a wrong CSRF token: 403 with a page saying what to do.
      await page.locator('input[name=_csrf]').evaluate((el) => ((el as HTMLInputElement).value = 'forged'));
      await page.locator('#answer-1').check();
      const posted = page.waitForResponse((r) => r.request().method() === 'POST');
      await follow(page, page.getByRole('button', { name: 'Continue' }));
      assert.equal((await posted).status(), 403);
      assert.match((await page.locator('h1').textContent())!, /The form could not be sent/);
      await checkPageState(page, 'csrf-failed');
    } finally {
      await context.close();
    }
  });

  test('the public page /, the accessibility statement, and the stop and paper pages name the register in nb, nn and en', async () => {
    const { context, page } = await newPage(browser, server.base);
    try {
      for (const lang of ['nb', 'nn', 'en'] as const) {
        const r = REGISTER[lang];
        let res = await page.goto(`/?lang=${lang}`);
        assert.equal(res!.status(), 200);
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        const home = (await page.locator('body').textContent())!;
        for (const shown of [r.name, r.phone, r.email!]) assert.ok(home.includes(shown), `${lang} /: ${shown}`);
        assert.ok((await page.locator('main a[href^="/kode"]').count()) === 1, 'the way in with a code');
        await checkPageState(page, `${lang}-home`);
        res = await page.goto(`/tilgjengelighet?lang=${lang}`);
        assert.equal(res!.status(), 200);
        const statement = (await page.locator('main').textContent())!;
        for (const shown of [r.organisation, r.phone, r.email!])
          assert.ok(statement.includes(shown), `${lang} statement: ${shown}`);
        await checkPageState(page, `${lang}-accessibility`);
        const inv = await createInvitation(server.database.db, { language: lang });
        for (const choice of ['stop', 'paper'] as const) {
          await page.goto(`/s/${inv.token}/${choice}`);
          assert.equal(path(page), `/s/${choice}`);
          assert.ok(
            (await page.locator('footer').textContent())!.includes(r.phone),
            `${lang} ${choice}: the contact line`,
          );
          await checkPageState(page, `${lang}-${choice}-confirm`);
        }
      }
    } finally {
      await context.close();
    }
  });

  test('contact choices: rather on paper, do not contact me again (from e-mail links and page links)', async () => {
    const { context, page } = await newPage(browser, server.base);
    const db = server.database.db;
    try {
      const inv = await createInvitation(db);
      await page.goto(`/s/${inv.token}/paper`);
      assert.equal(path(page), '/s/paper');
      assert.ok(!page.url().includes(inv.token));
      assert.equal(await page.locator('main form').count(), 1);
      await checkPageState(page, 'paper-confirm');
      // Cancelling changes nothing and goes back to the questionnaire.
      await follow(page, page.getByRole('link', { name: 'Nei, jeg vil svare her' }));
      assert.equal(path(page), '/s/start', 'nothing saved yet: the start page');
      await follow(page, page.getByRole('button', { name: 'Start nå' }));
      let survivor = await db
        .selectFrom('survivors')
        .select(['channel_rule', 'opted_out_at'])
        .where('id', '=', inv.survivorId)
        .executeTakeFirstOrThrow();
      assert.equal(survivor.channel_rule, 'email-or-paper');
      // The same choice from the footer link of a question page.
      await follow(page, page.getByRole('link', { name: 'Jeg vil heller svare på papir' }));
      await follow(page, page.getByRole('button', { name: 'Ja, jeg vil svare på papir' }));
      assert.equal(path(page), '/s/paper/done');
      await checkPageState(page, 'paper-done');
      survivor = await db
        .selectFrom('survivors')
        .select(['channel_rule', 'opted_out_at'])
        .where('id', '=', inv.survivorId)
        .executeTakeFirstOrThrow();
      assert.equal(survivor.channel_rule, 'paper-only');

      const other = await createInvitation(db, { language: 'en' });
      await page.goto(`/s/${other.token}/stop`);
      assert.equal(path(page), '/s/stop');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await checkPageState(page, 'stop-confirm-en');
      await follow(page, page.getByRole('link', { name: 'Bokmål' }));
      await checkPageState(page, 'stop-confirm');
      await follow(page, page.getByRole('button', { name: 'Ja, ikke kontakt meg igjen' }));
      assert.equal(path(page), '/s/stop/done');
      await checkPageState(page, 'stop-done');
      const s2 = await db
        .selectFrom('survivors')
        .select('opted_out_at')
        .where('id', '=', other.survivorId)
        .executeTakeFirstOrThrow();
      assert.ok(s2.opted_out_at instanceof Date);
      const invitation = await db
        .selectFrom('invitations')
        .select(['state', 'cancel_reason'])
        .where('id', '=', other.invitationId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(invitation, { state: 'cancelled', cancel_reason: 'opted_out' });
      // The questionnaire is now closed for this person, with the reason.
      const res = await page.goto('/s/q/1');
      assert.equal(res!.status(), 410);
      await checkPageState(page, 'opted-out-closed');
    } finally {
      await context.close();
    }
  });
});

describe('proxy wording', { concurrency: 3 }, () => {
  const proxy = loadInstruments().proxy;
  for (const lang of ['nb', 'nn', 'en'] as const) {
    test(`in ${lang}: someone answering on the person's behalf gets the proxy wording on every EQ-5D page, axe-clean, and the response says proxy`, async () => {
      const inv = await createInvitation(server.database.db, { language: lang });
      const { context, page, cspViolations } = await newPage(browser, server.base);
      try {
        await page.goto(`/s/${inv.token}`);
        await follow(page, page.getByRole('button', { name: START[lang] }));
        await page.getByRole('radio', { name: WHO[lang].proxy }).check();
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        for (let n = 1; n <= 5; n++) {
          assert.equal(path(page), `/s/q/${n}`);
          const dim = proxy[lang].dimensions[n - 1]!;
          assert.equal(await page.locator('fieldset > legend > h1').textContent(), dim.heading);
          assert.equal((await page.locator('#answer-question').textContent())?.trim(), dim.question);
          if (n === 1) await checkPageState(page, `${lang}-proxy-q1`);
          await page.locator('#answer-2').check();
          await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        }
        assert.equal(await page.locator('h1').textContent(), proxy[lang].vas.heading);
        await checkPageState(page, `${lang}-proxy-vas`);
        await page.getByRole('textbox', { name: proxy[lang].vas.heading }).fill('35');
        await follow(page, page.getByRole('button', { name: TEXT[lang].continue }));
        assert.equal(path(page), '/s/check');
        await checkPageState(page, `${lang}-proxy-check`);
        await follow(page, page.locator('main form[action="/s/submit"] button[type=submit]'));
        assert.equal(path(page), '/s/done');
        const rows = await server.database.db
          .selectFrom('responses')
          .select(['respondent', 'vas'])
          .where('invitation_id', '=', inv.invitationId)
          .execute();
        assert.deepEqual(rows, [{ respondent: 'proxy', vas: 35 }]);
        assert.deepEqual(cspViolations, []);
      } finally {
        await context.close();
      }
    });
  }
});
