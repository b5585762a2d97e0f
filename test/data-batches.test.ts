import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  evalClips,
  loadSuiteFile,
  MultiTaskBatches,
  prepareFeatures,
  resolveSuite,
  TaskBatcher,
  type FeatureStore,
} from '../src/data/index.js';
import { fsddDigitTask, fsddSubset, tempDir, writeSuite } from './data-fixtures.js';

const P = 96;
const B = 64;
const SILENCE = Math.fround(Math.log(0.001));
let store: FeatureStore;

before(async () => {
  const dir = tempDir('batches');
  const fsdd = fsddSubset(dir, [0, 1, 2, 3], ['george', 'jackson', 'theo'], [0, 5, 10, 11, 12]);
  const tasks = [
    fsddDigitTask(fsdd),
    { ...fsddDigitTask(fsdd), name: 'shifted', augment: { crop: 'offset', gainDb: [-6, 6] } },
  ];
  const suite = await resolveSuite(loadSuiteFile(writeSuite(dir, { name: 's', tasks })));
  store = await prepareFeatures(suite, { cacheDir: join(dir, 'cache'), progress: false, workers: 2 });
});
after(() => store.close());

test('an epoch visits every training clip once, shuffled per epoch, reproducibly from the seed', () => {
  const t = store.task('digit');
  const b = new TaskBatcher(store, 'digit', { batchSize: 10, seed: 1 });
  const train = t.clips.flatMap((c, i) => (c.split === 'train' ? [i] : []));
  assert.equal(train.length, 36);
  const order = (e: number, batcher = b) => [...batcher.epoch(e)].flatMap((x) => [...x.clips]);
  const e0 = order(0);
  assert.deepEqual(
    [...e0].sort((a, c) => a - c),
    train,
  );
  assert.deepEqual(
    [...b.epoch(0)].map((x) => x.size),
    [10, 10, 10, 6],
  );
  assert.notDeepEqual(order(1), e0);
  assert.deepEqual(order(0, new TaskBatcher(store, 'digit', { batchSize: 10, seed: 1 })), e0);
  assert.notDeepEqual(order(0, new TaskBatcher(store, 'digit', { batchSize: 10, seed: 2 })), e0);
});

test('batch patches are the cached frames with silence padding, labels match the clips', () => {
  const t = store.task('digit');
  for (const batch of new TaskBatcher(store, 'digit', { batchSize: B, seed: 4 }).epoch(0)) {
    assert.equal(batch.x.length, batch.size * P * 64);
    for (let k = 0; k < batch.size; k++) {
      const c = batch.clips[k];
      assert.equal(batch.y[k], t.clips[c].label);
      const clip = store.clipFrames(t, c);
      const n = Math.min(P, clip.frames);
      const patch = batch.x.subarray(k * P * 64, (k + 1) * P * 64);
      assert.deepEqual(patch.subarray(0, n * 64), clip.data.subarray(0, n * 64)); // crop `cycle`, epoch 0: first patch
      assert.ok(patch.subarray(n * 64).every((v) => v === SILENCE));
    }
  }
});

test('crop `offset` places a short clip at a random offset with silence around it', () => {
  const t = store.task('shifted');
  const offsets = new Set<number>();
  for (const batch of new TaskBatcher(store, 'shifted', { batchSize: B, seed: 5 }).epoch(0)) {
    for (let k = 0; k < batch.size; k++) {
      const frames = t.frames[batch.clips[k]];
      assert.ok(frames < P, 'FSDD clips are shorter than a patch');
      const patch = batch.x.subarray(k * P * 64, (k + 1) * P * 64);
      let first = 0;
      while (first < P && patch.subarray(first * 64, (first + 1) * 64).every((v) => v === SILENCE)) first++;
      assert.ok(first <= P - frames, `content starts at ${first}, too late for ${frames} frames`);
      offsets.add(first);
      for (let f = first + frames; f < P; f++) {
        assert.ok(
          patch.subarray(f * 64, (f + 1) * 64).every((v) => v === SILENCE),
          `frame ${f} after the clip`,
        );
      }
    }
  }
  assert.ok(offsets.size > 5, 'offsets vary');
});

test('validation batches are never augmented; multi-task steps give one batch per task; eval view has every clip', () => {
  const t = store.task('shifted');
  const val = new TaskBatcher(store, 'shifted', { split: 'val' });
  for (const batch of val.epoch(3)) {
    for (let k = 0; k < batch.size; k++) {
      const clip = store.clipFrames(t, batch.clips[k]);
      assert.deepEqual(batch.x.subarray(k * P * 64, k * P * 64 + clip.data.length), clip.data);
    }
  }
  const mt = new MultiTaskBatches(store, { batchSize: 16, seed: 0 });
  for (let step = 0; step < 5; step++) {
    const batches = mt.next();
    assert.deepEqual(
      batches.map((b) => b.task),
      ['digit', 'shifted'],
    );
  }
  assert.deepEqual(mt.epochsDone, [1, 1]); // 36 clips = 3 batches of 16 per epoch; step 4 starts epoch 1
  const test = [...evalClips(store, 'digit', 'test')];
  assert.equal(test.length, 12);
  for (const e of test) assert.equal(e.patches.count, 1);
});
