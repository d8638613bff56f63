// A rendered letter checked with the tools a print shop and a person would use: pdftotext for the
// text, zbarimg for the QR codes, and the page rendered at a known resolution to measure the
// EQ VAS scale (EuroQol's paper form wants it 200 mm long).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { letterPdf, MM, type LetterData } from '../../src/paper/letter.ts';
import { profileIn } from '../../src/register/profile.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews, type Lang } from '../../src/i18n/views.ts';
import { TEST_PROFILE } from '../support/register.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'prom-letter-'));
const views = createViews();
const instruments = loadInstruments();
const texts = {
  views,
  instrument: (l: Lang) => instruments[l],
  register: (l: Lang) => profileIn(TEST_PROFILE, l),
};

const letter: LetterData = {
  letterId: 'L-000042',
  kind: 'invitation',
  lang: 'nb',
  name: 'Åse Ødegård',
  address: ['Åse Ødegård', 'Kjølberggata 7B', '0653 OSLO'],
  shortCode: 'KXQT-7M4P-WR',
  codeUrl: 'https://prom.example.no/kode',
  webQrUrl: 'https://prom.example.no/kode?kode=KXQT-7M4P-WR',
  date: '24.11.2026',
};
let file: string;

before(async () => {
  file = path.join(dir, 'letter.pdf');
  writeFileSync(file, await letterPdf(letter, texts));
});

test('the text is real, extractable text with the person, every heading and level, and the code', () => {
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  for (const line of letter.address) assert.ok(text.includes(line), line);
  const nb = instruments.nb;
  for (const d of nb.dimensions) {
    assert.ok(text.includes(d.heading), d.heading);
    for (const level of d.levels) assert.ok(text.includes(level), level);
  }
  assert.ok(text.includes(nb.vas.best) && text.includes(nb.vas.worst), 'EQ VAS end labels');
  assert.ok(text.includes('KXQT-7M4P-WR'));
  assert.equal((text.match(/Retur-ID: L-000042/g) ?? []).length, 4, 'the return id on every page');
  const info = execFileSync('pdffonts', [file], { encoding: 'utf8' });
  assert.match(info, /DejaVuSans/);
  assert.ok(
    info
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .every((l) => / yes /.test(l)),
    'every font embedded',
  );
});

test('the envelope window holds only the recipient; the letterhead is above it', () => {
  // The window area (20–110 mm from the left, 45–85 mm from the top) of page 1, with a margin.
  const window = execFileSync(
    'pdftotext',
    ['-f', '1', '-l', '1', '-x', '57', '-y', '122', '-W', '255', '-H', '119', file, '-'],
    { encoding: 'utf8' },
  );
  assert.deepEqual(
    window
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    letter.address,
  );
  const head = execFileSync(
    'pdftotext',
    ['-f', '1', '-l', '1', '-x', '0', '-y', '0', '-W', '400', '-H', '120', file, '-'],
    { encoding: 'utf8' },
  );
  for (const shown of [TEST_PROFILE.name, TEST_PROFILE.organisation, TEST_PROFILE.address])
    assert.ok(head.includes(shown as string), `letterhead: ${shown as string}`);
});

test('the cover says who asks, why, that it is voluntary, how to stop, the privacy paragraph and contact', () => {
  const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const nb = profileIn(TEST_PROFILE, 'nb');
  for (const shown of [
    nb.name,
    nb.organisation,
    nb.controller,
    nb.phone,
    nb.email!,
    nb.purpose!,
    nb.privacyUrl!,
    nb.websiteShown!,
    'Norsk hjertestansregister',
    'Med vennlig hilsen',
    'Det er frivillig å svare',
    'Om personvern',
    'https://prom.example.no/kode',
  ]) {
    assert.ok(cover.includes(shown), shown);
  }
  assert.match(cover, /Ring \+47 00 00 00 00, eller gå til https:\/\/prom\.example\.no\/kode/);
  assert.match(cover, /trekke tilbake samtykket/);
});

test('body text is 12 pt or more; only the return id and the page footer are below 10 pt', () => {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  const small = new Set<string>();
  for (const m of html.matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    // DejaVu's line box is 1.164 em: a word under 11.6 pt high was set below 10 pt.
    if (Number(m[2]) - Number(m[1]) < 11.6) small.add(m[3]!);
  }
  assert.deepEqual([...small].sort(), ['1', '2', '3', '4', 'L-000042', 'Retur-ID:', 'Side', 'av'].sort());
});

test('the cover ends above the footer, and the letter stays four pages in every language and kind', async () => {
  for (const lang of ['nb', 'nn', 'en'] as const) {
    for (const kind of ['invitation', 'reminder', 'requested'] as const) {
      const f = path.join(dir, `fit-${lang}-${kind}.pdf`);
      writeFileSync(f, await letterPdf({ ...letter, lang, kind }, texts));
      assert.match(execFileSync('pdfinfo', [f], { encoding: 'utf8' }), /Pages:\s+4\n/, `${lang} ${kind}`);
      const footer = execFileSync(
        'pdftotext',
        ['-f', '1', '-l', '1', '-x', '0', '-y', String(Math.floor(280 * MM)), '-W', '600', '-H', '100', f, '-'],
        { encoding: 'utf8' },
      );
      assert.deepEqual(
        footer
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        [views.t(lang, 'letter.page', { n: 1, total: 4 })],
        `${lang} ${kind}: only the footer below 280 mm`,
      );
    }
  }
  const requested = execFileSync('pdftotext', ['-f', '1', '-l', '1', path.join(dir, 'fit-nb-requested.pdf'), '-'], {
    encoding: 'utf8',
  });
  assert.match(requested.replace(/\s+/g, ' '), /Du ba om å få skjemaet på papir/);
});

test('the QR codes decode to the return id on every page and to the web address on the cover', () => {
  execFileSync('pdftoppm', ['-r', '150', '-png', file, path.join(dir, 'page')]);
  const decoded = [1, 2, 3, 4].map((n) =>
    execFileSync('zbarimg', ['--quiet', '--raw', path.join(dir, `page-${n}.png`)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .sort(),
  );
  assert.deepEqual(decoded[0], [letter.letterId, letter.webQrUrl].sort());
  for (const page of decoded.slice(1)) assert.deepEqual(page, [letter.letterId]);
});

test('the EQ VAS scale measures 200 mm ± 1 mm', () => {
  // 254 dpi = 10 pixels per millimetre; a greyscale PGM is easy to read byte by byte.
  execFileSync('pdftoppm', ['-r', '254', '-gray', '-f', '4', '-l', '4', file, path.join(dir, 'vas')]);
  const pgm = readFileSync(path.join(dir, 'vas-4.pgm'));
  const { width, height, pixels } = parsePgm(pgm);
  // The scale's axis is the longest dark vertical run on the page.
  let longest = 0;
  for (let x = 0; x < width; x++) {
    let run = 0;
    for (let y = 0; y < height; y++) {
      run = pixels[y * width + x]! < 128 ? run + 1 : 0;
      if (run > longest) longest = run;
    }
  }
  const mm = longest / 10;
  assert.ok(Math.abs(mm - 200) <= 1, `scale is ${mm} mm`);
});

test('nynorsk and English letters use their own texts', async () => {
  for (const lang of ['nn', 'en'] as const) {
    const f = path.join(dir, `letter-${lang}.pdf`);
    writeFileSync(f, await letterPdf({ ...letter, lang, kind: 'reminder' }, texts));
    const text = execFileSync('pdftotext', [f, '-'], { encoding: 'utf8' });
    assert.ok(text.includes(instruments[lang].dimensions[0]!.heading));
    assert.ok(text.includes(views.t(lang, 'letter.returnTitle')));
    assert.ok(
      text.replace(/\s+/g, ' ').includes(profileIn(TEST_PROFILE, lang).purpose!),
      `${lang}: the register's purpose in ${lang}`,
    );
  }
});

function parsePgm(buf: Buffer): { width: number; height: number; pixels: Buffer } {
  // Header: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
  const header = buf.subarray(0, 64).toString('latin1');
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  if (!m) throw new Error('not a binary PGM');
  const width = Number(m[1]);
  const height = Number(m[2]);
  return { width, height, pixels: buf.subarray(m[0].length, m[0].length + width * height) };
}

test('who is filling in: the question and its three tick boxes open the first questionnaire page, above its questions, in every language', async () => {
  for (const lang of ['nb', 'nn', 'en'] as const) {
    const f = path.join(dir, `respondent-${lang}.pdf`);
    writeFileSync(f, await letterPdf({ ...letter, lang }, texts));
    assert.match(execFileSync('pdfinfo', [f], { encoding: 'utf8' }), /Pages:\s+4\n/, lang);
    const page2 = execFileSync('pdftotext', ['-f', '2', '-l', '2', '-layout', f, '-'], { encoding: 'utf8' });
    const at = (key: string) => page2.indexOf(views.t(lang, `respondent.${key}`));
    for (const key of ['title', 'self', 'assisted', 'proxy']) assert.ok(at(key) >= 0, `${lang}: ${key}`);
    assert.ok(at('proxy') < page2.indexOf(instruments[lang].dimensions[0]!.heading), `${lang}: before question 1`);
    // The last level of question 3 is still on the page, above the page number.
    assert.ok(page2.includes(instruments[lang].dimensions[2]!.levels[4]!), `${lang}: question 3 fits`);
  }
});
