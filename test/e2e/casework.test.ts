// A registrar takes one survivor through a phone call in Chromium with the keyboard alone: a new
// address → send paper now (in the print worklist at once, and in the next print batch) → stop
// contact (first without the confirmation) → undo → record the death. The case history shows
// each step with who and when; axe finds nothing on any page state (1280 and 320 px, reflow, text
// spacing, 200 % zoom). Another hospital's registrar gets 404 for each action.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { osloDay, systemClock } from '../../src/clock.ts';
import { letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { launchBrowser, newPage, SCREEN_DIR } from '../support/browser.ts';
import { setTestProfile } from '../support/register.ts';
import {
  checkStaffPage,
  E2E_SESSION_SECRET,
  startStaffServer,
  tabTo,
  type StaffServer,
} from '../support/staff-browser.ts';
import { createStaff, nextCode, type TestStaff } from '../support/staff.ts';
import { writeTestHospitals } from '../support/staff-cohort.ts';
import { createInvitation, type TestInvitation } from '../support/survey-fixtures.ts';

let browser: Browser;
let server: StaffServer;
let registrar: TestStaff;
let other: TestStaff;
let inv: TestInvitation;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  const db = server.database.db;
  await writeTestHospitals(db);
  await setTestProfile(db);
  inv = await createInvitation(db);
  await db
    .updateTable('survivors')
    .set({ given_name: 'Sigrid', family_name: 'Telefon' })
    .where('id', '=', inv.survivorId)
    .execute();
  const sent = new Date(Date.now() - 3 * 86_400_000);
  await db
    .insertInto('outbox')
    .values({
      invitation_id: inv.invitationId,
      step: 'invitation',
      channel: 'email',
      state: 'sent',
      due_at: sent,
      sent_at: sent,
      created_at: sent,
    })
    .execute();
  await db
    .insertInto('outbox')
    .values({
      invitation_id: inv.invitationId,
      step: 'reminder1',
      channel: 'email',
      due_at: new Date(Date.now() + 86_400_000),
      created_at: new Date(),
    })
    .execute();
  registrar = await createStaff(db, E2E_SESSION_SECRET, {
    email: 'telefon@register.test',
    role: 'registrar',
    hospitals: ['OUS'],
  });
  other = await createStaff(db, E2E_SESSION_SECRET, {
    email: 'annen@register.test',
    role: 'registrar',
    hospitals: ['HUS'],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function keyboardLogin(page: Page, who: TestStaff): Promise<void> {
  await page.goto('/staff/login');
  await tabTo(page, '#email');
  await page.keyboard.type(who.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(who.password);
  await Promise.all([page.waitForURL('**/staff/login/code'), page.keyboard.press('Enter')]);
  await tabTo(page, '#code');
  await page.keyboard.type(await nextCode(who));
  await Promise.all([page.waitForURL((u) => u.pathname === '/staff'), page.keyboard.press('Enter')]);
}

/** Tab to a control and press a key; Enter on a submit button waits for the next page. */
async function press(page: Page, selector: string, key: 'Enter' | 'Space'): Promise<void> {
  await tabTo(page, selector, 120);
  if (key === 'Enter') await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  else await page.keyboard.press('Space');
}

async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector, 120);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

test('a phone call with the keyboard alone: address, paper now, stop, undo, death; each step in the history', async () => {
  const { context, page, cspViolations } = await newPage(browser, server.base);
  const survivor = `/staff/survivors/${inv.survivorId}`;
  const flash = () => page.locator('.flash').innerText();
  try {
    await keyboardLogin(page, registrar);
    await page.goto(survivor);
    await checkStaffPage(page, 'casework-survivor');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREEN_DIR}/staff-casework-survivor-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    await typeInto(page, '#contact-address_line', 'Storgata 5');
    await typeInto(page, '#contact-postal_code', '0155');
    await typeInto(page, '#contact-city', 'Oslo');
    await press(page, `form[action="${survivor}/contact"] button`, 'Enter');
    assert.match(await flash(), /Kontaktopplysningene er lagret/);
    await checkStaffPage(page, 'casework-contact-saved');

    await press(page, `form[action="${survivor}/paper-now"] button`, 'Enter');
    assert.match(await flash(), /klart for utskrift/);
    await page.goto('/staff/worklists');
    assert.match(await page.locator('[data-worklist="lettersToPrint"]').innerText(), /Sigrid Telefon/);
    const db = server.database.db;
    const batch = await makeBatch(
      {
        db,
        views: createViews(),
        instruments: loadInstruments(),
        publicUrl: server.base,
        codeKey: letterCodeKey(E2E_SESSION_SECRET),
      },
      systemClock,
      mkdtempSync(path.join(tmpdir(), 'prom-e2e-case-')),
      'test',
    );
    assert.equal(batch.files?.letters, 1, 'the next print batch takes the letter');

    await page.goto(survivor);
    await press(page, `form[action="${survivor}/stop-contact"] button`, 'Enter');
    await page.waitForSelector('.error-summary');
    assert.match(await page.locator('.error-summary').innerText(), /Kryss av for at kontakten skal stoppes/);
    await checkStaffPage(page, 'casework-stop-error');
    // A radio group is one Tab stop; the arrow keys choose within it.
    await tabTo(page, '#stop-source-person', 120);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'stop-source-relative');
    await press(page, '#stop-confirm', 'Space');
    await press(page, `form[action="${survivor}/stop-contact"] button`, 'Enter');
    assert.match(await flash(), /All kontakt er stoppet/);
    await checkStaffPage(page, 'casework-stopped');

    await press(page, '#resume-confirm', 'Space');
    await press(page, `form[action="${survivor}/resume-contact"] button`, 'Enter');
    assert.match(await flash(), /Kontakten er gjenopptatt/);

    await typeInto(page, '#death-date', osloDay(new Date()));
    await press(page, '#death-confirm', 'Space');
    await press(page, `form[action="${survivor}/death"] button`, 'Enter');
    assert.match(await flash(), /Dødsfallet er registrert/);
    await checkStaffPage(page, 'casework-death');

    const history = await page.locator('section[aria-labelledby="history"] tbody').innerText();
    for (const event of [
      'Kontaktopplysninger endret',
      'Papirskjema bestilt',
      'All kontakt stoppet',
      'Kontakten gjenopptatt',
      'Dødsfall registrert',
    ]) {
      assert.match(history, new RegExp(`\\d{2}\\.\\d{2}\\.\\d{4}[^\\n]*telefon@register\\.test[^\\n]*${event}`), event);
    }
    assert.deepEqual(cspViolations, []);
  } finally {
    await context.close();
  }
});

test('a registrar of another hospital gets 404 for the page and for each action', async () => {
  const { context, page } = await newPage(browser, server.base);
  try {
    await keyboardLogin(page, other);
    const res = await page.goto(`/staff/survivors/${inv.survivorId}`);
    assert.equal(res?.status(), 404);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    for (const action of ['paper-now', 'contact', 'stop-contact', 'resume-contact', 'death', 'notes', 'withdraw']) {
      const r = await page.request.post(`/staff/survivors/${inv.survivorId}/${action}`, {
        form: { _csrf: csrf, confirm: 'yes', date: osloDay(new Date()), text: 'x' },
      });
      assert.equal(r.status(), 404, action);
    }
  } finally {
    await context.close();
  }
});
