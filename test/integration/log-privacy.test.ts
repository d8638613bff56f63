// A full run as operators and respondents make it — import, scheduling with delivery, the server
// answering a survey and refusing bad links, an export — with every line the processes print
// captured and searched: no national id, link token, e-mail address, name or answer may appear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { linkToken } from '../support/smtp.ts';
import { person, toCsv } from '../support/people.ts';
import { answerSurvey } from '../support/browser-less.ts';
import { ROOT, prom, sparePort } from '../support/processes.ts';
import { useCliWorld } from '../support/cli-world.ts';

const cli = useCliWorld('logs');
const output: string[] = [];
const serverOut: string[] = [];

async function run(args: string[]) {
  const r = await prom(args, cli.env);
  output.push(r.stdout, r.stderr);
  return r;
}

function startServer(port: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...cli.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => {
    output.push(d.toString('utf8'));
    serverOut.push(d.toString('utf8'));
  });
  child.stderr.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  return child;
}

async function healthy(port: number) {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not start');
}

test('no national id, token, e-mail, name or answer in anything the processes print', async () => {
  const people = [
    person(71, { given_name: 'Solveig', family_name: 'Kvernmo' }),
    person(72, { given_name: 'Tormod', family_name: 'Aasheim' }),
    person(73, { national_id: '12345678901' }),
  ];
  const csv = path.join(cli.dir, 'people.csv');
  writeFileSync(csv, toCsv(people));
  assert.equal((await run(['import', csv])).code, 1, 'one bad row');
  assert.equal((await run(['schedule', '--drain'])).code, 0);
  assert.equal(cli.smtp.messages.length, 2);
  const tokens = cli.smtp.messages.map(linkToken);

  const port = await sparePort();
  const server = startServer(port);
  try {
    await healthy(port);
    const base = `http://127.0.0.1:${port}`;
    await answerSurvey(request.agent(base), tokens[0]!, [4, 3, 2, 5, 1], 37);
    await request(base)
      .get(`/s/${'Z'.repeat(43)}`)
      .expect(404);
    await request(base).get('/s/not-a-token-at-all').expect(404);
    // Metrics from loopback (the default METRICS_ALLOW), read from the database.
    const metrics = await request(base).get('/metrics').expect(200);
    assert.match(metrics.text, /^prom_responses\{mode="web"\} 1$/m);
    assert.match(metrics.text, /^prom_outbox_messages\{channel="email",state="sent"\} 2$/m);
    assert.match(
      metrics.text,
      /^http_request_duration_seconds_count\{method="POST",route="\/s\/q\/:n",status_code="303"\} [1-9]/m,
    );
    assert.match(metrics.text, /^prom_queue_jobs\{queue="delivery",state="waiting"\} \d+$/m);
  } finally {
    await new Promise((resolve) => {
      server.once('exit', resolve);
      server.kill('SIGTERM');
    });
  }
  assert.equal((await run(['export', 'responses', '--format', 'csv', '--out', path.join(cli.dir, 'out.csv')])).code, 0);

  // The server writes structured JSON only, and every request line carries its request id.
  const lines = serverOut
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const requests = lines.filter((l) => l.msg === 'request');
  assert.ok(requests.length >= 10, `request lines: ${requests.length}`);
  for (const l of lines) assert.ok(typeof l.level === 'string' && typeof l.time === 'string', JSON.stringify(l));
  for (const l of requests) assert.match(String(l.reqId), /^[0-9a-f-]{36}$/, JSON.stringify(l));
  assert.ok(
    requests.some((l) => l.route === '/s/:token'),
    'requests are named by route pattern, not URL',
  );
  assert.ok(
    lines.some((l) => l.msg === 'unknown survey link' && l.reqId),
    'guessing is logged with its request id',
  );

  const logs = output.join('\n');
  assert.ok(logs.length > 200, 'the run printed something to search');
  const secrets = [
    ...people.map((p) => p.national_id),
    ...tokens,
    'Z'.repeat(43),
    ...people.flatMap((p) => [p.email, p.given_name!, p.family_name!]),
  ];
  for (const s of secrets) assert.ok(!logs.includes(s), `logs contain ${s.slice(0, 6)}…`);
  assert.doesNotMatch(logs, /\b\d{11}\b/, 'nothing that looks like a national id');
  assert.doesNotMatch(logs, /"answer"|\b4,3,2,5,1\b|vas.{0,5}37/i, 'no answers');
});
