// End to end: a small conv net learns a separable toy problem (bar orientation in noisy 8×8 images)
// to 100% training accuracy with the engine's layers and Adam; the same seed gives bit-identical
// weights; and steady-state steps allocate no new WebAssembly memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/common/index.js';
import {
  Adam,
  BatchNorm,
  Conv2d,
  createEngine,
  Dense,
  GlobalMaxPool,
  MaxPool2d,
  Sequential,
  SoftmaxCrossEntropy,
  type Engine,
} from '../src/engine/index.js';

const SIZE = 8;
const CLASSES = 3;
const EXAMPLES = 48;

/** Class 0: a vertical bar, 1: a horizontal bar, 2: a diagonal, at random positions, in noise. */
function toyData(seed: number): { x: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const x = new Float32Array(EXAMPLES * SIZE * SIZE);
  const labels: number[] = [];
  for (let e = 0; e < EXAMPLES; e++) {
    const label = e % CLASSES;
    labels.push(label);
    const at = 1 + rng.int(SIZE - 2);
    for (let i = 0; i < SIZE; i++)
      for (let j = 0; j < SIZE; j++) {
        const on = label === 0 ? j === at : label === 1 ? i === at : i === j;
        x[(e * SIZE + i) * SIZE + j] = (on ? 1 : 0) + 0.3 * rng.normal();
      }
  }
  return { x, labels };
}

function buildNet(engine: Engine): Sequential {
  return new Sequential('toy', [
    new Conv2d(engine, 'c1', { inChannels: 1, outChannels: 8, kernel: 3 }),
    new BatchNorm(engine, 'bn1', 8, { relu: true, momentum: 0.1 }),
    new MaxPool2d(engine, 'p1', 2),
    new Conv2d(engine, 'c2', { inChannels: 8, outChannels: 12, kernel: [3, 1] }),
    new BatchNorm(engine, 'bn2', 12, { relu: true, momentum: 0.1 }),
    new GlobalMaxPool(engine, 'gp'),
    new Dense(engine, 'head', 12, CLASSES),
  ]);
}

interface Run {
  losses: number[];
  trainAccuracy: number;
  weights: Float32Array[];
  memoryBytes: number[];
  scratchHighWater: number[];
}

async function train(seed: number, steps: number): Promise<Run> {
  const engine = await createEngine({ seed });
  const net = buildNet(engine);
  const loss = new SoftmaxCrossEntropy(engine, 'loss', CLASSES);
  const opt = new Adam(net.params(), { lr: 0.02 });
  const { x: data, labels } = toyData(1);
  const run: Run = { losses: [], trainAccuracy: 0, weights: [], memoryBytes: [], scratchHighWater: [] };
  for (let step = 0; step < steps; step++) {
    const mark = engine.mark();
    const x = engine.fromValues([EXAMPLES, SIZE, SIZE, 1], data);
    engine.zeroGrads();
    const { loss: value, dlogits } = loss.forward(net.forward(x, 'train'), labels);
    net.backward(dlogits);
    opt.step();
    run.losses.push(value);
    engine.reset(mark);
    run.memoryBytes.push(engine.arena.memoryBytes());
    run.scratchHighWater.push(engine.arena.scratch.highWater());
  }
  const mark = engine.mark();
  const logits = net.forward(engine.fromValues([EXAMPLES, SIZE, SIZE, 1], data), 'eval').data();
  let correct = 0;
  labels.forEach((y, e) => {
    const row = Array.from(logits.subarray(e * CLASSES, (e + 1) * CLASSES));
    if (row.indexOf(Math.max(...row)) === y) correct++;
  });
  engine.reset(mark);
  run.trainAccuracy = correct / EXAMPLES;
  run.weights = net.params().map((p) => p.value().slice());
  return run;
}

test('a small conv net learns a separable toy problem to 100% training accuracy', async () => {
  const run = await train(5, 80);
  assert.equal(run.trainAccuracy, 1, `accuracy ${run.trainAccuracy}, losses ${run.losses.slice(-3)}`);
  assert.ok(
    run.losses[run.losses.length - 1] < 0.1 * run.losses[0],
    `loss ${run.losses[0]} → ${run.losses.at(-1)}`,
  );
});

test('training is deterministic: the same seed gives bit-identical weights', async () => {
  const [a, b] = [await train(9, 5), await train(9, 5)];
  a.weights.forEach((w, i) => assert.deepEqual(w, b.weights[i]));
  const c = await train(10, 5);
  assert.notDeepEqual(a.weights[0], c.weights[0]);
});

test('steady-state training steps allocate no new wasm memory and reuse the same scratch', async () => {
  const run = await train(3, 30);
  assert.ok(
    run.memoryBytes.every((m) => m === run.memoryBytes[1]),
    `memory ${new Set(run.memoryBytes).size} sizes`,
  );
  assert.ok(
    run.scratchHighWater.every((h) => h === run.scratchHighWater[0]),
    'scratch high-water mark changed after the first step',
  );
});
