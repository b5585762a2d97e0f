// User errors of the engine: each is an MtaError with the right code and subject, never a crash or a
// silently wrong result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError } from '../src/common/index.js';
import {
  BatchNorm,
  Concat,
  Conv2d,
  createEngine,
  Dense,
  Dropout,
  ReLU,
  SoftmaxCrossEntropy,
  Split,
} from '../src/engine/index.js';

function throwsMta(fn: () => unknown, code: string, subject: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MtaError, `not an MtaError: ${String(e)}`);
    assert.equal(e.code, code, e.describe());
    if (typeof subject === 'string') assert.equal(e.subject, subject, e.describe());
    else assert.match(e.subject ?? '', subject, e.describe());
    return true;
  });
}

test('kernels that are not a valid module, or a missing kernels file, are typed errors', async () => {
  await assert.rejects(createEngine({ wasm: new Uint8Array([0, 97, 115, 109, 9, 9]) }), (e: unknown) => {
    assert.ok(e instanceof MtaError);
    assert.equal(e.code, 'BAD_DATA');
    assert.equal(e.subject, 'kernels.wasm');
    return true;
  });
  await assert.rejects(createEngine({ wasm: new URL('file:///nonexistent/kernels.wasm') }), (e: unknown) => {
    assert.ok(e instanceof MtaError);
    assert.equal(e.code, 'FILE_NOT_FOUND');
    assert.equal(e.subject, '/nonexistent/kernels.wasm');
    return true;
  });
});

test('bad shapes name the tensor or layer and say what was expected', async () => {
  const engine = await createEngine();
  throwsMta(() => engine.tensor([2, 0, 3], 'batch'), 'BAD_ARGUMENT', 'batch');
  throwsMta(() => engine.tensor([2, 1.5], 'batch'), 'BAD_ARGUMENT', 'batch');
  throwsMta(() => engine.tensor([1 << 15, 1 << 15], 'huge'), 'LIMIT_EXCEEDED', 'huge');
  throwsMta(() => engine.fromValues([2, 3], [1, 2, 3], 'input'), 'BAD_ARGUMENT', 'input');
  // Row views: in range they share memory (rows 1..2 of [4, 3]); out of range they are errors.
  const t = engine.fromValues(
    [4, 3],
    Array.from({ length: 12 }, (_, i) => i),
  );
  const view = t.rows(1, 2);
  assert.deepEqual([...view.shape], [2, 3]);
  assert.deepEqual([...view.data()], [3, 4, 5, 6, 7, 8]);
  for (const [start, count] of [
    [3, 2],
    [-1, 1],
    [0, 0],
    [1.5, 1],
  ]) {
    throwsMta(() => t.rows(start, count), 'BAD_ARGUMENT', 'rows');
  }

  const conv = new Conv2d(engine, 'enc.conv', { inChannels: 4, outChannels: 8, kernel: 3 });
  throwsMta(() => conv.forward(engine.tensor([1, 5, 5, 3])), 'BAD_ARGUMENT', 'enc.conv');
  throwsMta(() => conv.forward(engine.tensor([5, 5, 4])), 'BAD_ARGUMENT', 'enc.conv');
  const valid = new Conv2d(engine, 'v', { inChannels: 1, outChannels: 1, kernel: [5, 1], padding: 'valid' });
  throwsMta(() => valid.forward(engine.tensor([1, 4, 4, 1])), 'BAD_ARGUMENT', 'v');

  const dense = new Dense(engine, 'head', 16, 10);
  throwsMta(() => dense.forward(engine.tensor([4, 15])), 'BAD_ARGUMENT', 'head');
  const bn = new BatchNorm(engine, 'bn', 8);
  throwsMta(() => bn.forward(engine.tensor([2, 3, 3, 7]), 'train'), 'BAD_ARGUMENT', 'bn');

  const y = conv.forward(engine.tensor([1, 5, 5, 4]), 'train');
  throwsMta(() => conv.backward(engine.tensor([1, 5, 5, 7])), 'BAD_ARGUMENT', 'enc.conv output gradient');
  assert.deepEqual(y.shape, [1, 5, 5, 8]);

  throwsMta(
    () => new Concat(engine, 'cat').forward([engine.tensor([2, 3]), engine.tensor([3, 3])]),
    'BAD_ARGUMENT',
    'cat',
  );
  throwsMta(() => new Split(engine, 'split', [2, 2]).forward(engine.tensor([2, 5])), 'BAD_ARGUMENT', 'split');
});

test('backward before forward is an error, not garbage', async () => {
  const engine = await createEngine();
  throwsMta(() => new ReLU(engine, 'act').backward(engine.tensor([2])), 'BAD_ARGUMENT', 'act');
  const conv = new Conv2d(engine, 'c', { inChannels: 1, outChannels: 1, kernel: 1 });
  throwsMta(() => conv.backward(engine.tensor([1, 1, 1, 1])), 'BAD_ARGUMENT', 'c');
});

test('bad layer configurations are BAD_CONFIG or LIMIT_EXCEEDED naming the layer', async () => {
  const engine = await createEngine();
  new Conv2d(engine, 'dup', { inChannels: 1, outChannels: 1, kernel: 1 });
  throwsMta(
    () => new Conv2d(engine, 'dup', { inChannels: 1, outChannels: 1, kernel: 1 }),
    'BAD_CONFIG',
    'dup.weight',
  );
  throwsMta(
    () => new Conv2d(engine, 'k', { inChannels: 1, outChannels: 1, kernel: [0, 3] }),
    'BAD_CONFIG',
    'k.kernel',
  );
  throwsMta(
    () => new Conv2d(engine, 's', { inChannels: 1, outChannels: 1, kernel: 3, stride: 1.5 }),
    'BAD_CONFIG',
    's.stride',
  );
  throwsMta(
    () => new Conv2d(engine, 'big', { inChannels: 1, outChannels: 1, kernel: [100, 100] }),
    'LIMIT_EXCEEDED',
    'big.kernel',
  );
  throwsMta(() => new BatchNorm(engine, 'bn', 4, { eps: 0 }), 'BAD_CONFIG', 'bn');
  throwsMta(() => new Dropout(engine, 'drop', 1), 'BAD_CONFIG', 'drop');
  throwsMta(() => new Dense(engine, 'd', 0, 3), 'BAD_CONFIG', 'd');
  throwsMta(() => new SoftmaxCrossEntropy(engine, 'ce', 3, { classWeights: [1, 2] }), 'BAD_CONFIG', 'ce');
  throwsMta(() => new SoftmaxCrossEntropy(engine, 'ce', 3, { labelSmoothing: 1 }), 'BAD_CONFIG', 'ce');
});

test('bad labels are BAD_DATA, and an overflowing loss is NON_FINITE', async () => {
  const engine = await createEngine();
  const ce = new SoftmaxCrossEntropy(engine, 'task.loss', 3);
  const logits = engine.fromValues([2, 3], [0, 1, 2, 2, 1, 0]);
  throwsMta(() => ce.forward(logits, [0, 3]), 'BAD_DATA', 'task.loss');
  throwsMta(() => ce.forward(logits, [0, 1.5]), 'BAD_DATA', 'task.loss');
  throwsMta(() => ce.forward(logits, [0]), 'BAD_DATA', 'task.loss');
  const weighted = new SoftmaxCrossEntropy(engine, 'w', 3, { classWeights: [0, 1, 1] });
  throwsMta(() => weighted.forward(logits, [0, 0]), 'BAD_DATA', 'w');
  const inf = engine.fromValues([1, 3], [Infinity, 0, 0]);
  throwsMta(() => ce.forward(inf, [1]), 'NON_FINITE', 'task.loss');
});
