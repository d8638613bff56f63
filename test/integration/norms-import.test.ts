// Norm files are checked like patient data: each fault is refused with one message naming the
// stratum, column or file, never a stack trace, and nothing is stored; valid files still import;
// `prom norms list`. Every fault is read by the file reader that `prom norms import` calls; four
// of them (JSON, CSV, an option, a file that is not there) also go through the real command,
// which prints that reader's message alone and exits 1 (a child process costs seconds each).
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). The store's functions run on both databases in staff-report.test.ts.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { NormFileRefused, readNormFile } from '../../src/reports/norms/store.ts';
import type { ValueSetId } from '../../src/reports/eq5d/types.ts';
import { prom } from '../support/processes.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { ROOT } from '../support/processes.ts';

const cli = useCliWorld('norms');

interface Stat {
  value: number;
  source: string;
}
interface Stratum {
  sex: string;
  age: string;
  n: Stat;
  dimensions: { mobility: { shares: number[]; source: string } } & Record<string, unknown>;
  vas: { mean: Stat; sd: Stat | null; median: Stat | null; groups: null };
  index: { mean: Stat; sd: Stat; valueSet: string };
}
/** A prom-norms file with two strata, which a fault below may change. */
interface NormFile extends Record<string, unknown> {
  strata: [Stratum, Stratum, ...Stratum[]];
}

function stratum(sex: string, age: string): Stratum {
  const stat = (value: number) => ({ value, source: 'test' });
  return {
    sex,
    age,
    n: stat(100),
    dimensions: {
      mobility: { shares: [0.8, 0.1, 0.05, 0.03, 0.02], source: 'test' },
      self_care: null,
      usual_activities: null,
      pain_discomfort: null,
      anxiety_depression: null,
    },
    vas: { mean: stat(80), sd: stat(15), median: null, groups: null },
    index: { mean: stat(0.85), sd: stat(0.1), valueSet: 'NO-2024' },
  };
}

function normFile(change: (set: NormFile) => void = () => {}): NormFile {
  const set: NormFile = {
    format: 'prom-norms',
    formatVersion: 1,
    id: 'TEST',
    version: '1',
    title: 'Test',
    population: 'test',
    sources: { test: 'A test source' },
    strata: [stratum('female', '30-39'), stratum('male', '30-39')],
  };
  change(set);
  return set;
}

const MICRO_HEADER = 'age,sex,mobility,self_care,usual_activities,pain_discomfort,anxiety_depression,vas,weight';
const micro = (lines: string[], header = MICRO_HEADER) => [header, ...lines].join('\n') + '\n';
const GOOD_ROWS = ['34,female,1,1,1,2,1,85,1', '61,male,2,1,2,2,1,70,1.5', '47,female,1,1,1,1,1,90,'];

/** Through the real command: exit code 1 and the reader's message alone on stderr. */
async function refusedByCommand(name: string, content: string, pattern: RegExp, extra: string[] = []): Promise<string> {
  const file = path.join(cli.dir, name);
  writeFileSync(file, content);
  const r = await prom(['norms', 'import', file, ...extra], cli.env);
  assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return r.stderr;
}

/** Through the reader `prom norms import` calls: the same refusal and message, in this process. */
function refusedByReader(name: string, content: string, pattern: RegExp, extra: string[] = []): string {
  const file = path.join(cli.dir, name);
  writeFileSync(file, content);
  const valueSet = extra[0] === '--value-set' ? (extra[1] as ValueSetId) : undefined;
  try {
    readNormFile(file, { valueSet });
  } catch (err) {
    assert.ok(err instanceof NormFileRefused, `${name}: ${String(err)}`);
    assert.match(err.message, pattern);
    return err.message;
  }
  assert.fail(`${name} was not refused`);
}

/** The faults that also go through the command: one of each kind of file, and one with an option. */
const BY_COMMAND = new Set(['dup.json', 'stated.json', 'column.csv', 'broken.json']);

before(async () => {
  await cli.ready;
  const r = await prom(['migrate'], cli.env);
  assert.equal(r.code, 0, r.stderr);
});

const faults: [string, string, string, RegExp, string[]?][] = [
  [
    'a duplicate stratum',
    'dup.json',
    JSON.stringify(
      normFile((s) =>
        s.strata.push({
          ...stratum('female', '30-39'),
          vas: { mean: { value: 60, source: 'test' }, sd: null, median: null, groups: null },
        }),
      ),
    ),
    /stratum female\/30-39 appears more than once/,
  ],
  [
    'an EQ VAS mean of 150',
    'vas.json',
    JSON.stringify(normFile((s) => (s.strata[0].vas.mean.value = 150))),
    /stratum female\/30-39: EQ VAS mean 150 is outside 0 to 100/,
  ],
  [
    'an index mean of 3.2',
    'index.json',
    JSON.stringify(normFile((s) => (s.strata[1].index.mean.value = 3.2))),
    /stratum male\/30-39: index mean 3\.2 is outside -0\.\d+ to 1/,
  ],
  [
    'a negative SD',
    'sd.json',
    JSON.stringify(normFile((s) => (s.strata[0].vas.sd!.value = -4))),
    /stratum female\/30-39: EQ VAS SD -4 is negative/,
  ],
  [
    'a negative n',
    'n.json',
    JSON.stringify(normFile((s) => (s.strata[1].n.value = -7.5))),
    /stratum male\/30-39: n -7\.5 is negative/,
  ],
  [
    'shares adding up to 1.003',
    'shares.json',
    JSON.stringify(normFile((s) => (s.strata[0].dimensions.mobility.shares = [0.803, 0.1, 0.05, 0.03, 0.02]))),
    /stratum female\/30-39: mobility levels add up to 1\.003, not 1/,
  ],
  [
    'strata with different value sets',
    'sets.json',
    JSON.stringify(normFile((s) => (s.strata[1].index.valueSet = 'EN-2018'))),
    /stratum male\/30-39 uses value set EN-2018, the others NO-2024/,
  ],
  [
    'a value set other than --value-set',
    'stated.json',
    JSON.stringify(normFile()),
    /value set NO-2024, not DK-2021 as --value-set says/,
    ['--value-set', 'DK-2021'],
  ],
  [
    'an empty age cell in microdata',
    'empty-age.csv',
    micro([...GOOD_ROWS, ',male,1,1,1,1,1,80,1']),
    /line 5: age: is empty/,
  ],
  [
    'a non-numeric age in microdata',
    'text-age.csv',
    micro([...GOOD_ROWS, 'forty,male,1,1,1,1,1,80,1']),
    /line 5: age: must be a number/,
  ],
  [
    'a misspelt column',
    'column.csv',
    micro(GOOD_ROWS, MICRO_HEADER.replace('mobility', 'mobilty')),
    /unknown column "mobilty" \(did you mean mobility\?\); missing column mobility/,
  ],
  [
    'a short CSV row',
    'short.csv',
    micro([...GOOD_ROWS, '50,male,1,1']),
    /short\.csv cannot be read as CSV: .*; nothing was imported/,
  ],
  [
    'a tab-separated file',
    'tabs.csv',
    micro(
      GOOD_ROWS.map((l) => l.replace(/,/g, '\t')),
      MICRO_HEADER.replace(/,/g, '\t'),
    ),
    /looks tab-separated; save it as comma- or semicolon-separated CSV/,
  ],
  [
    'malformed JSON',
    'broken.json',
    '{ "format": "prom-norms", ',
    /broken\.json is not valid JSON \(.+\); nothing was imported/,
  ],
];

for (const [what, file, content, pattern, extra] of faults) {
  test(`refused: ${what}${BY_COMMAND.has(file) ? ' (by prom norms import)' : ''}`, async () => {
    const message = refusedByReader(file, content, pattern, extra);
    if (BY_COMMAND.has(file)) assert.equal(await refusedByCommand(file, content, pattern, extra), `${message}\n`);
    if (file === 'column.csv')
      assert.equal(message.match(/mobilty/g)!.length, 1, 'the column is named once, not once per line');
  });
}

test('refused: a file that is not there, in one sentence naming it', async () => {
  const r = await prom(['norms', 'import', path.join(cli.dir, 'nowhere.json')], cli.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Cannot read the norm file .*nowhere\.json: there is no such file\.\n$/);
});

test('nothing refused was stored; the shipped file and valid microdata import; prom norms list shows them', async () => {
  const before = await prom(['norms', 'list'], cli.env);
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual(
    before.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0]),
    ['NO-2019'],
    'only the shipped set',
  );
  assert.match(before.stdout, /\(shipped\)/);
  const shipped = await prom(['norms', 'import', path.join(ROOT, 'norms/no-2019.json')], cli.env);
  assert.equal(shipped.code, 0, shipped.stderr);
  const valid = path.join(cli.dir, 'valid.json');
  writeFileSync(valid, JSON.stringify(normFile()));
  assert.equal((await prom(['norms', 'import', valid, '--value-set', 'NO-2024'], cli.env)).code, 0);
  const microFile = path.join(cli.dir, 'survey.csv');
  writeFileSync(microFile, micro(GOOD_ROWS));
  const m = await prom(['norms', 'import', microFile, '--id', 'SURVEY', '--version', 'v1'], cli.env);
  assert.equal(m.code, 0, m.stderr);
  const list = await prom(['norms', 'list'], cli.env);
  const lines = list.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  assert.deepEqual(
    lines.map((l) => l[0]),
    ['NO-2019', 'SURVEY', 'TEST'],
  );
  assert.deepEqual(lines.find((l) => l[0] === 'SURVEY')!.slice(1, 3), ['v1', 'NO-2024']);
  assert.deepEqual(lines.find((l) => l[0] === 'TEST')!.slice(1, 4), ['1', 'NO-2024', 'Test']);
  assert.doesNotMatch(list.stdout, /shipped/, 'the imported NO-2019 replaces the shipped one');
});

// Sets stored before today's checks existed: written straight into norm_sets, as an
// older version of the program could have, they are checked again when a report loads them and
// by `prom norms check`; a faulty one is not used, and the set and its fault are named once.
test('stored sets are checked again: prom norms check, prom report and prom norms list name the faulty set once', async () => {
  const duplicate = normFile((s) => {
    s.id = 'OLD-DUP';
    s.strata.push({
      ...stratum('female', '30-39'),
      vas: { mean: { value: 60, source: 'test' }, sd: null, median: null, groups: null },
    });
  });
  const outside = normFile((s) => {
    s.id = 'OLD-VAS';
    s.strata[1].vas.mean.value = 140;
  });
  await cli.withDatabase(async (h) => {
    for (const set of [duplicate, outside])
      await h.db
        .insertInto('norm_sets')
        .values({ id: String(set.id), version: 'old', data: JSON.stringify(set) })
        .execute();
  });
  const check = await prom(['norms', 'check'], cli.env);
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.match(
    check.stderr,
    /Norm set OLD-DUP version old \(the version reports use\) fails the checks and is not used:\n {2}stratum female\/30-39 appears more than once/,
  );
  assert.match(
    check.stderr,
    /Norm set OLD-VAS version old .*\n {2}stratum male\/30-39: EQ VAS mean 140 is outside 0 to 100/,
  );
  assert.equal(check.stderr.match(/appears more than once/g)?.length, 1, 'each fault once');
  assert.match(check.stdout, /stored norm set versions checked: 2 fail/);
  assert.doesNotMatch(check.stderr, /\n\s+at /, 'no stack trace');

  const report = await prom(['report', '--format', 'csv', '--norms', 'OLD-DUP'], cli.env);
  assert.equal(report.code, 1, report.stdout);
  assert.equal(report.stdout, '', 'no table from a faulty set');
  assert.match(
    report.stderr,
    /Norm set OLD-DUP \(version old\) is not used: .*stratum female\/30-39 appears more than once/,
  );
  assert.doesNotMatch(report.stderr, /\n\s+at /, 'no stack trace');

  const list = await prom(['norms', 'list'], cli.env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^OLD-DUP\told\t-\tTest \(not used: fails the checks, see prom norms check\)$/m);
});
