import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce } from '../../src/db/coalesce.ts';

/** A batch function that records its batches and answers when released. */
function recorder() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (inputs: number[]) => {
    batches.push(inputs);
    await new Promise<void>((r) => gates.push(r));
    if (inputs.includes(13)) throw new Error('unlucky');
    return inputs.map((n) => n * 10);
  };
  const releaseAll = async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      gates.splice(0).forEach((g) => g());
    }
  };
  return { batches, run, releaseAll };
}

test('a request alone runs at once, in a batch of its own', async () => {
  const r = recorder();
  const one = coalesce(r.run);
  const p = one(1);
  await new Promise((res) => setImmediate(res));
  assert.deepEqual(r.batches, [[1]], 'started without waiting for more');
  await r.releaseAll();
  assert.equal(await p, 10);
});

test('requests made while a batch is in flight are served together by the next, each with its own answer', async () => {
  const r = recorder();
  const one = coalesce(r.run);
  const all = Promise.all([1, 2, 3, 4, 5].map((n) => one(n)));
  await r.releaseAll();
  assert.deepEqual(await all, [10, 20, 30, 40, 50]);
  assert.deepEqual(r.batches, [[1], [2, 3, 4, 5]]);
});

test('maxBatch and maxInFlight bound the batches', async () => {
  const r = recorder();
  const one = coalesce(r.run, { maxBatch: 2, maxInFlight: 2 });
  const all = Promise.all([1, 2, 3, 4, 5, 6].map((n) => one(n)));
  await new Promise((res) => setImmediate(res));
  assert.equal(r.batches.length, 2, 'two in flight at once');
  await r.releaseAll();
  assert.deepEqual(await all, [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(r.batches, [[1], [2], [3, 4], [5, 6]]);
});

test('a failed batch rejects its own callers only; the next batch runs', async () => {
  const r = recorder();
  const one = coalesce(r.run);
  const results = Promise.allSettled([1, 12, 13, 14].map((n) => one(n)));
  await r.releaseAll();
  const later = one(2);
  await r.releaseAll();
  assert.deepEqual(
    (await results).map((s) => s.status),
    ['fulfilled', 'rejected', 'rejected', 'rejected'],
  );
  assert.equal(await later, 20);
});

test('a batch answering with the wrong number of outputs rejects its callers', async () => {
  const one = coalesce((inputs: number[]) => Promise.resolve(inputs.slice(1)));
  await assert.rejects(one(1), /0 outputs for 1 inputs/);
});
