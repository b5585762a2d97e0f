// The op suite: every engine op, one table, three checks per entry.
//   1. forward: wasm kernels vs the float64 TypeScript reference (src/engine/reference), elementwise
//      |wasm − ref| ≤ tol·(|ref| + rms(ref)), printing the first mismatching index;
//   2. backward: wasm gradients vs central finite differences of Σ dy·ref(inputs) in float64 (and,
//      where the reference has its own backward, that too against the finite differences);
//   3. forward and backward vs @tensorflow/tfjs-core on its CPU backend (an independent oracle).
//
// How to add an op: append an entry to OPS with
//   - inputs: name → shape of every differentiable input, layer input(s) first, then parameters;
//   - run(engine, values): builds the layer, copies the values in (parameters through .value()),
//     runs forward in the wanted mode and returns { y, backward(dy) → gradients in input order };
//   - ref(values): the float64 reference forward; refBackward(values, dy) if the reference has one;
//   - tfjs(tf, tensors): the same function in tfjs ops (tf.grads differentiates it);
//   - optional: gen (value generator, e.g. to keep ReLU inputs away from the kink), tol, gradTol, eps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's gradient functions are registered by the tfjs-layers node bundle, not by tfjs-core alone.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../src/common/index.js';
import {
  BatchNorm,
  ChannelScale,
  Concat,
  Conv2d,
  type Conv2dOptions,
  convGeometry,
  createEngine,
  Dense,
  Dropout,
  GlobalPool,
  MaxPool2d,
  ReLU,
  SoftmaxCrossEntropy,
  Split,
  type Engine,
  type Padding,
  type Tensor,
} from '../src/engine/index.js';
import { conv2dBackward, conv2dForward } from '../src/engine/reference/conv2d.js';
import { batchNormBackward, batchNormForward, batchStats } from '../src/engine/reference/batchnorm.js';
import {
  globalPoolBackward,
  globalPoolForward,
  maxPoolBackward,
  maxPoolForward,
} from '../src/engine/reference/pool.js';
import {
  channelScaleBackward,
  channelScaleForward,
  concatChannels,
  denseForward,
  reluBackward,
  reluForward,
} from '../src/engine/reference/elementwise.js';

type Values = Float32Array[];
type Gen = (rng: Rng, input: number) => number;

interface OpCase {
  name: string;
  inputs: Record<string, number[]>;
  run(engine: Engine, v: Values): { y: Tensor; backward(dy: Tensor): Float32Array[] };
  ref(v: Float64Array[]): Float64Array;
  refBackward?(v: Float64Array[], dy: Float64Array): Float64Array[];
  tfjs(t: typeof tf, x: tf.Tensor[]): tf.Tensor;
  gen?: Gen;
  tol?: number;
  gradTol?: number;
  eps?: number;
}

const normal: Gen = (rng) => rng.normal();
/** Keeps values at least 0.05 from 0, so finite differences never straddle a ReLU kink. */
const awayFromZero: Gen = (rng) => {
  const v = rng.normal();
  return Math.sign(v || 1) * (0.05 + Math.abs(v));
};

const EPS = 1e-3;
const copyInto = (dst: Float32Array, src: Float32Array): void => dst.set(src);

function convCase(
  name: string,
  [B, H, W, C]: [number, number, number, number],
  N: number,
  kernel: [number, number],
  stride: number,
  padding: Padding,
  bias: boolean,
  relu = false,
): OpCase {
  const g = convGeometry([B, H, W, C], kernel, [stride, stride], padding, name);
  const inputs: Record<string, number[]> = { x: [B, H, W, C], w: [...kernel, C, N] };
  if (bias) inputs.b = [N];
  return {
    name,
    inputs,
    gen: relu ? awayFromZero : normal,
    run(engine, v) {
      const conv = new Conv2d(engine, name, {
        inChannels: C,
        outChannels: N,
        kernel,
        stride,
        padding,
        bias,
        activation: relu ? 'relu' : 'none',
      });
      copyInto(conv.weight.value(), v[1]);
      if (bias) copyInto(conv.bias!.value(), v[2]);
      const y = conv.forward(engine.fromValues(inputs.x, v[0]), 'train');
      return {
        y,
        backward: (dy) => {
          const dx = conv.backward(dy).data();
          return bias ? [dx, conv.weight.grad(), conv.bias!.grad()] : [dx, conv.weight.grad()];
        },
      };
    },
    ref: (v) => conv2dForward(v[0], v[1], bias ? v[2] : undefined, g, N, relu),
    refBackward: relu
      ? undefined
      : (v, dy) => {
          const r = conv2dBackward(v[0], v[1], dy, g, N);
          return bias ? [r.dx, r.dw, r.db] : [r.dx, r.dw];
        },
    tfjs: (t, [x, w, b]) => {
      let y = t.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, padding);
      if (b) y = t.add(y, b);
      return relu ? t.relu(y) : y;
    },
  };
}

function batchNormCase(
  name: string,
  shape: number[],
  mode: 'train' | 'eval',
  relu: boolean,
  pool = 1,
): OpCase {
  const C = shape[shape.length - 1];
  const stats = new Rng(99);
  const runMean = Float32Array.from({ length: C }, () => stats.normal());
  const runVar = Float32Array.from({ length: C }, () => 0.5 + stats.next());
  const fixed = { mean: Float64Array.from(runMean), variance: Float64Array.from(runVar) };
  return {
    name,
    inputs: { x: shape, gamma: [C], beta: [C] },
    run(engine, v) {
      const bn = new BatchNorm(engine, name, C, { eps: EPS, relu, pool });
      copyInto(bn.gamma.value(), v[1]);
      copyInto(bn.beta.value(), v[2]);
      bn.runningMean.data().set(runMean);
      bn.runningVar.data().set(runVar);
      const y = bn.forward(engine.fromValues(shape, v[0]), mode);
      return { y, backward: (dy) => [bn.backward(dy).data(), bn.gamma.grad(), bn.beta.grad()] };
    },
    ref: (v) => {
      const y = batchNormForward(v[0], v[1], v[2], mode === 'train' ? batchStats(v[0], C) : fixed, EPS, relu);
      return pool > 1 ? maxPoolForward(y, shape, [pool, pool], [pool, pool]).y : y;
    },
    refBackward:
      mode === 'train' && pool === 1
        ? (v, dy) => {
            const r = batchNormBackward(v[0], v[1], v[2], dy, EPS, relu);
            return [r.dx, r.dgamma, r.dbeta];
          }
        : undefined,
    tfjs: (t, [x, gamma, beta]) => {
      const axes = shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } =
        mode === 'train' ? t.moments(x, axes) : { mean: t.tensor(runMean), variance: t.tensor(runVar) };
      const y = t.batchNorm(x, mean, variance, beta, gamma, EPS);
      const a = relu ? t.relu(y) : y;
      return pool > 1 ? t.maxPool(a as tf.Tensor4D, pool, pool, 'valid') : a;
    },
  };
}

function maxPoolCase(name: string, shape: [number, number, number, number], k: number, s: number): OpCase {
  return {
    name,
    inputs: { x: shape },
    run(engine, v) {
      const pool = new MaxPool2d(engine, name, k, s);
      const y = pool.forward(engine.fromValues(shape, v[0]));
      return { y, backward: (dy) => [pool.backward(dy).data()] };
    },
    ref: (v) => maxPoolForward(v[0], shape, [k, k], [s, s]).y,
    refBackward: (v, dy) => [
      maxPoolBackward(maxPoolForward(v[0], shape, [k, k], [s, s]).argmax, dy, v[0].length),
    ],
    tfjs: (t, [x]) => t.maxPool(x as tf.Tensor4D, k, s, 'valid'),
  };
}

function globalPoolCase(kind: 'max' | 'avg', shape: [number, number, number, number]): OpCase {
  return {
    name: `global ${kind} pool ${shape.join('x')}`,
    inputs: { x: shape },
    run(engine, v) {
      const pool = new GlobalPool(engine, 'pool', kind);
      const y = pool.forward(engine.fromValues(shape, v[0]));
      return { y, backward: (dy) => [pool.backward(dy).data()] };
    },
    ref: (v) => globalPoolForward(v[0], shape, kind),
    refBackward: (v, dy) => [globalPoolBackward(v[0], shape, kind, dy)],
    tfjs: (t, [x]) => (kind === 'max' ? t.max(x, [1, 2]) : t.mean(x, [1, 2])),
  };
}

function denseCase(B: number, inF: number, outF: number): OpCase {
  return {
    name: `dense ${B}x${inF} -> ${outF}`,
    inputs: { x: [B, inF], w: [inF, outF], b: [outF] },
    run(engine, v) {
      const dense = new Dense(engine, 'dense', inF, outF);
      copyInto(dense.weight.value(), v[1]);
      copyInto(dense.bias!.value(), v[2]);
      const y = dense.forward(engine.fromValues([B, inF], v[0]), 'train');
      return { y, backward: (dy) => [dense.backward(dy).data(), dense.weight.grad(), dense.bias!.grad()] };
    },
    ref: (v) => denseForward(v[0], v[1], v[2], inF, outF),
    tfjs: (t, [x, w, b]) => t.add(t.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
  };
}

const SHAPE_A = [2, 3, 4, 5];
const SHAPE_B = [2, 3, 4, 7];
const DROP_SHAPE = [3, 4, 6];
const CE_CLASSES = 5;
const CE_LABELS = [0, 3, 4, 3, 1, 2];
const CE_WEIGHTS = [1, 0.5, 2, 1.5, 0.25];
const CE_SMOOTHING = 0.1;

/** Independent float64 weighted, smoothed softmax cross-entropy (the layer's documented definition). */
function crossEntropyRef(z: ArrayLike<number>): number {
  const K = CE_CLASSES;
  let total = 0;
  let weight = 0;
  CE_LABELS.forEach((y, b) => {
    const row = Array.from({ length: K }, (_, k) => z[b * K + k]);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const ce = row.reduce(
      (s, v, k) => s - ((k === y ? 1 - CE_SMOOTHING : 0) + CE_SMOOTHING / K) * (v - lse),
      0,
    );
    total += CE_WEIGHTS[y] * ce;
    weight += CE_WEIGHTS[y];
  });
  return total / weight;
}

const OPS: OpCase[] = [
  convCase('conv 3x3 same, bias, C=5 N=11 (channel tails)', [2, 5, 6, 5], 11, [3, 3], 1, 'same', true),
  convCase('conv 3x1 same, C=8 N=8 (encoder time conv)', [2, 8, 4, 8], 8, [3, 1], 1, 'same', false),
  convCase('conv 1x3 same, C=4 N=16 (encoder mel conv)', [3, 4, 6, 4], 16, [1, 3], 1, 'same', false),
  convCase(
    'conv 1x3 same, C=8 N=12, fused ReLU (flat taps, rows 32 bytes apart)',
    [2, 3, 9, 8],
    12,
    [1, 3],
    1,
    'same',
    true,
    true,
  ),
  convCase('conv 3x2 valid stride 2, C=8 N=9', [2, 9, 8, 8], 9, [3, 2], 2, 'valid', true),
  convCase('conv 5x5 same stride 2, C=3 N=4, fused ReLU', [1, 7, 8, 3], 4, [5, 5], 2, 'same', true, true),
  convCase('conv 1x1 on 1 input channel, N=2', [2, 6, 3, 1], 2, [1, 1], 1, 'valid', false),
  convCase(
    'conv 3x1 same on 1 input channel, N=8, bias + ReLU',
    [2, 7, 5, 1],
    8,
    [3, 1],
    1,
    'same',
    true,
    true,
  ),
  convCase(
    'conv 3x1 same on 1 input channel, N=3, bias + ReLU',
    [2, 6, 9, 1],
    3,
    [3, 1],
    1,
    'same',
    true,
    true,
  ),
  convCase('conv 1x3 same on 1 input channel, N=13', [2, 4, 6, 1], 13, [1, 3], 1, 'same', true),
  convCase('conv 5x5 same stride 2 on 1 input channel, N=9', [1, 7, 8, 1], 9, [5, 5], 2, 'same', false),
  denseCase(6, 20, 9),
  batchNormCase('batch norm train, C=6', [2, 3, 4, 6], 'train', false),
  batchNormCase('batch norm train + fused ReLU, C=8', [3, 4, 2, 8], 'train', true),
  batchNormCase('batch norm eval + fused ReLU, C=5', [2, 3, 3, 5], 'eval', true),
  batchNormCase(
    'batch norm train + ReLU + fused 2x2 max-pool, odd H and W, C=6',
    [2, 5, 7, 6],
    'train',
    true,
    2,
  ),
  batchNormCase('batch norm train + fused 3x3 max-pool (no ReLU), C=9', [1, 6, 7, 9], 'train', false, 3),
  batchNormCase('batch norm train + ReLU + fused 2x2 max-pool, C=8, odd W', [2, 4, 5, 8], 'train', true, 2),
  batchNormCase('batch norm train + fused 2x2 max-pool (no ReLU), C=4', [2, 4, 4, 4], 'train', false, 2),
  batchNormCase('batch norm eval + ReLU + fused 2x2 max-pool, C=4', [2, 4, 6, 4], 'eval', true, 2),
  {
    name: 'relu',
    inputs: { x: [2, 3, 5, 3] },
    gen: awayFromZero,
    run(engine, v) {
      const relu = new ReLU(engine, 'relu');
      const y = relu.forward(engine.fromValues([2, 3, 5, 3], v[0]));
      return { y, backward: (dy) => [relu.backward(dy).data()] };
    },
    ref: (v) => reluForward(v[0]),
    refBackward: (v, dy) => [reluBackward(v[0], dy)],
    tfjs: (t, [x]) => t.relu(x),
  },
  maxPoolCase('max pool 2x2, C=6', [2, 6, 5, 6], 2, 2),
  maxPoolCase('max pool 3x3 stride 2 (overlapping), C=5', [1, 7, 8, 5], 3, 2),
  globalPoolCase('max', [3, 4, 3, 6]),
  globalPoolCase('avg', [2, 5, 3, 9]),
  {
    name: 'concat over channels (5 + 7)',
    inputs: { a: SHAPE_A, b: SHAPE_B },
    run(engine, v) {
      const cat = new Concat(engine, 'cat');
      const y = cat.forward([engine.fromValues(SHAPE_A, v[0]), engine.fromValues(SHAPE_B, v[1])]);
      return { y, backward: (dy) => cat.backward(dy).map((t) => t.data()) };
    },
    ref: (v) => concatChannels(v, [5, 7]),
    tfjs: (t, xs) => t.concat(xs, -1),
  },
  {
    name: 'split over channels (3 + 9)',
    inputs: { x: [2, 4, 3, 12] },
    run(engine, v) {
      const split = new Split(engine, 'split', [3, 9]);
      const [a, b] = split.forward(engine.fromValues([2, 4, 3, 12], v[0]));
      // Expose both parts as one output (their channel concatenation) to the harness.
      const y = engine.fromValues([2, 4, 3, 12], concatChannels([a.data(), b.data()], [3, 9]));
      return {
        y,
        backward: (dy) => {
          const d = dy.data();
          const parts = [3, 9].map((c, k) =>
            engine.fromValues(
              [2, 4, 3, c],
              Array.from(
                { length: 24 * c },
                (_, i) => d[Math.floor(i / c) * 12 + (k === 0 ? 0 : 3) + (i % c)],
              ),
            ),
          );
          return [split.backward(parts).data()];
        },
      };
    },
    ref: (v) => Float64Array.from(v[0]),
    tfjs: (t, [x]) => t.concat(t.split(x, [3, 9], -1), -1),
  },
  {
    name: 'channel scale (adapter gate), C=6',
    inputs: { x: [2, 3, 4, 6], s: [6] },
    run(engine, v) {
      const gate = new ChannelScale(engine, 'gate', 6);
      copyInto(gate.scale.value(), v[1]);
      const y = gate.forward(engine.fromValues([2, 3, 4, 6], v[0]));
      return { y, backward: (dy) => [gate.backward(dy).data(), gate.scale.grad()] };
    },
    ref: (v) => channelScaleForward(v[0], v[1]),
    refBackward: (v, dy) => {
      const r = channelScaleBackward(v[0], v[1], dy);
      return [r.dx, r.ds];
    },
    tfjs: (t, [x, s]) => t.mul(x, s),
  },
  (() => {
    // Dropout's mask is random; the reference and tfjs replay the mask the layer drew.
    let mask = new Float32Array(0);
    return {
      name: 'dropout 0.3 (train)',
      inputs: { x: DROP_SHAPE },
      run(engine: Engine, v: Values) {
        const drop = new Dropout(engine, 'drop', 0.3, 7);
        const x = engine.fromValues(DROP_SHAPE, v[0]);
        const y = drop.forward(x, 'train');
        const yv = y.data();
        mask = Float32Array.from(v[0], (xv, i) => yv[i] / xv);
        return { y, backward: (dy: Tensor) => [drop.backward(dy).data()] };
      },
      ref: (v: Float64Array[]) => Float64Array.from(v[0], (xv, i) => xv * mask[i]),
      tfjs: (t: typeof tf, [x]: tf.Tensor[]) => t.mul(x, t.tensor(mask, DROP_SHAPE)),
      gen: awayFromZero,
    } satisfies OpCase;
  })(),
  {
    name: 'softmax cross-entropy, class weights + label smoothing',
    inputs: { logits: [CE_LABELS.length, CE_CLASSES] },
    run(engine, v) {
      const ce = new SoftmaxCrossEntropy(engine, 'ce', CE_CLASSES, {
        classWeights: CE_WEIGHTS,
        labelSmoothing: CE_SMOOTHING,
      });
      const { loss, dlogits } = ce.forward(
        engine.fromValues([CE_LABELS.length, CE_CLASSES], v[0]),
        CE_LABELS,
      );
      return {
        y: engine.fromValues([1], [loss]),
        backward: (dy) => [Float32Array.from(dlogits.data(), (d) => d * dy.data()[0])],
      };
    },
    ref: (v) => Float64Array.of(crossEntropyRef(v[0])),
    tfjs: (t, [z]) => {
      const onehot = t.oneHot(t.tensor1d(CE_LABELS, 'int32'), CE_CLASSES);
      const w = t.tensor1d(CE_LABELS.map((y) => CE_WEIGHTS[y]));
      const sum = t.losses.softmaxCrossEntropy(onehot, z, w, CE_SMOOTHING, t.Reduction.SUM);
      return t.reshape(t.div(sum, t.sum(w)), [1]);
    },
  },
];

/** Elementwise |a − r| ≤ tol·(|r| + rms(r)); fails naming the first mismatching index. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let ss = 0;
  for (let i = 0; i < expected.length; i++) ss += expected[i] * expected[i];
  const rms = Math.sqrt(ss / Math.max(1, expected.length));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * (Math.abs(expected[i]) + rms))) {
      assert.fail(
        `${what}: first mismatch at index ${i}: got ${actual[i]}, expected ${expected[i]} (rms ${rms})`,
      );
    }
  }
}

/** Central differences of Σ dy·f(v) in float64, over all elements (≤ 400) or a seeded sample. */
function finiteDifferences(
  op: OpCase,
  v: Float64Array[],
  dy: Float64Array,
  input: number,
  rng: Rng,
): Map<number, number> {
  const h = op.eps ?? 1e-6;
  const n = v[input].length;
  const indices =
    n <= 400 ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: 400 }, () => rng.int(n));
  const loss = (): number => op.ref(v).reduce((s, y, i) => s + y * dy[i], 0);
  const out = new Map<number, number>();
  for (const i of indices) {
    const keep = v[input][i];
    v[input][i] = keep + h;
    const up = loss();
    v[input][i] = keep - h;
    const down = loss();
    v[input][i] = keep;
    out.set(i, (up - down) / (2 * h));
  }
  return out;
}

function assertGradients(got: ArrayLike<number>, fd: Map<number, number>, tol: number, what: string): void {
  const idx = [...fd.keys()];
  assertClose(
    idx.map((i) => got[i]),
    idx.map((i) => fd.get(i)!),
    tol,
    what,
  );
}

const kernelBytes = (await createEngine()).kernels; // loads once so a missing build fails here, clearly
void kernelBytes;
await tf.setBackend('cpu');

for (const op of OPS) {
  test(`op: ${op.name}`, async () => {
    const engine = await createEngine({ seed: 3 });
    const rng = Rng.derive(17, op.name);
    const gen = op.gen ?? normal;
    const names = Object.keys(op.inputs);
    const shapes = Object.values(op.inputs);
    const values = shapes.map((s, k) =>
      Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => gen(rng, k)),
    );
    const v64 = values.map((v) => Float64Array.from(v));
    const tol = op.tol ?? 1e-5;
    const gradTol = op.gradTol ?? 1e-5;

    // 1. forward vs the float64 reference
    const { y, backward } = op.run(
      engine,
      values.map((v) => v.slice()),
    );
    const yRef = op.ref(v64);
    assertClose(y.data(), yRef, tol, `${op.name}: forward`);

    // 2. backward vs finite differences (and the reference's own backward vs them)
    const dy = Float32Array.from({ length: y.size }, () => rng.normal());
    const dy64 = Float64Array.from(dy);
    const grads = backward(engine.fromValues(y.shape, dy)).map((g) => Float32Array.from(g));
    const refGrads = op.refBackward?.(v64, dy64);
    names.forEach((name, k) => {
      const fd = finiteDifferences(op, v64, dy64, k, rng);
      assertGradients(grads[k], fd, gradTol, `${op.name}: d/d${name} vs finite differences`);
      if (refGrads) {
        assertGradients(refGrads[k], fd, 1e-7, `${op.name}: reference d/d${name} vs finite differences`);
        assertClose(grads[k], refGrads[k], gradTol, `${op.name}: d/d${name} vs reference backward`);
      }
    });

    // 3. forward and backward vs tfjs
    const xs = values.map((v, k) => tf.tensor(v, shapes[k]));
    const yTf = op.tfjs(tf, xs);
    assert.deepEqual(yTf.shape, [...y.shape], `${op.name}: tfjs output shape`);
    assertClose(y.data(), yTf.dataSync(), 1e-4, `${op.name}: forward vs tfjs`);
    const dyTf = tf.tensor(dy, yTf.shape);
    const gradsTf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op.tfjs(tf, a), dyTf)))(xs);
    names.forEach((name, k) =>
      assertClose(grads[k], gradsTf[k].dataSync(), 1e-4, `${op.name}: d/d${name} vs tfjs`),
    );
    tf.dispose([...xs, yTf, dyTf, ...gradsTf]);
  });
}

test('the SIMD conv path ran: exact 4×8 tile counts for forward and backward filter', async () => {
  const engine = await createEngine();
  const k = engine.kernels;
  // 2 images of 2×4 pixels = 16 output pixels → 4 row tiles; 12 output channels → 2 column panels.
  const conv = new Conv2d(engine, 'c', { inChannels: 8, outChannels: 12, kernel: [3, 1] });
  const x = engine.fromValues([2, 2, 4, 8], new Float32Array(128).fill(1));
  const before = k.conv_simd_tiles();
  const y = conv.forward(x, 'train');
  assert.equal(k.conv_simd_tiles() - before, 4 * 2);
  const mid = k.conv_simd_tiles();
  conv.backwardParams(engine.fromValues(y.shape, new Float32Array(y.size).fill(1)));
  // backward filter: 3 taps × (8 channels / 4) × 2 column panels, one pass over the 16 pixels.
  assert.equal(k.conv_simd_tiles() - mid, 3 * 2 * 2);
});

test('inference conv + bias + ReLU + fused 2x2 max-pool = max-pool of the conv (reference and tfjs)', async () => {
  const cases: {
    x: [number, number, number, number];
    n: number;
    k: [number, number];
    s: number;
    pad: Padding;
  }[] = [
    { x: [2, 7, 9, 5], n: 11, k: [3, 3], s: 1, pad: 'same' },
    { x: [3, 12, 8, 8], n: 16, k: [3, 1], s: 1, pad: 'same' },
    { x: [1, 9, 11, 3], n: 4, k: [3, 2], s: 2, pad: 'valid' },
    // At most 4 output channels: two windows per register tile; odd window counts leave one alone.
    { x: [2, 6, 10, 4], n: 4, k: [1, 3], s: 1, pad: 'same' },
    { x: [1, 6, 6, 2], n: 2, k: [1, 3], s: 1, pad: 'same' },
    { x: [3, 5, 7, 6], n: 3, k: [3, 3], s: 1, pad: 'same' },
    // 1×kw at stride 1, more than 4 channels: windows along row pairs, edge windows from a padded
    // copy (odd sizes, partial panels and channel tails, padding wider than one window, kw = 1).
    { x: [2, 6, 16, 8], n: 8, k: [1, 3], s: 1, pad: 'same' },
    { x: [2, 7, 9, 3], n: 13, k: [1, 3], s: 1, pad: 'same' },
    { x: [1, 4, 12, 5], n: 9, k: [1, 5], s: 1, pad: 'same' },
    { x: [1, 4, 2, 4], n: 8, k: [1, 5], s: 1, pad: 'same' },
    { x: [2, 4, 11, 6], n: 16, k: [1, 3], s: 1, pad: 'valid' },
    { x: [1, 5, 6, 7], n: 12, k: [1, 1], s: 1, pad: 'same' },
  ];
  const engine = await createEngine();
  const rng = new Rng(11);
  for (const [i, c] of cases.entries()) {
    const [B, H, W, C] = c.x;
    const conv = new Conv2d(engine, `pool2.${i}`, {
      inChannels: C,
      outChannels: c.n,
      kernel: c.k,
      stride: c.s,
      padding: c.pad,
      bias: true,
      activation: 'relu',
      pool2: true,
    });
    conv.bias!.value().forEach((_, j, b) => (b[j] = 0.3 * rng.normal()));
    const xs = Float32Array.from({ length: B * H * W * C }, () => rng.normal());
    const y = conv.forward(engine.fromValues(c.x, xs));
    const g = convGeometry(c.x, c.k, [c.s, c.s], c.pad, 'ref');
    const full = conv2dForward(xs, conv.weight.value(), conv.bias!.value(), g, c.n, true);
    const ref = maxPoolForward(full, [B, g.OH, g.OW, c.n], [2, 2], [2, 2]);
    assert.deepEqual([...y.shape], ref.shape);
    assertClose(y.data(), ref.y, 1e-5, `case ${i} vs reference`);
    const yTf = tf.tidy(() => {
      const z = tf.conv2d(
        tf.tensor4d(xs, c.x),
        tf.tensor4d(conv.weight.value(), [...c.k, C, c.n]),
        c.s,
        c.pad,
      );
      return tf.maxPool(tf.relu(tf.add(z, tf.tensor1d(conv.bias!.value()))) as tf.Tensor4D, 2, 2, 'valid');
    });
    assertClose(y.data(), yTf.dataSync(), 1e-4, `case ${i} vs tfjs`);
    yTf.dispose();
  }
});

test('inference Winograd F(4,3), F(6,3) and F(3,3) for 3x1 and 1x3 convs (with and without the fused pool) = direct conv', async () => {
  // tile: the outputs per Winograd tile along the conv axis: 4 (F(4,3)), or 6 (F(6,3)) or 3 (F(3,3))
  // for 3×1 convs whose height takes fewer multiplies that way.
  const cases: {
    x: [number, number, number, number];
    n: number;
    k: [number, number];
    relu: boolean;
    pool: boolean;
    tile: 3 | 4 | 6;
  }[] = [
    { x: [2, 8, 5, 33], n: 35, k: [3, 1], relu: true, pool: false, tile: 4 },
    { x: [1, 3, 12, 32], n: 32, k: [1, 3], relu: false, pool: false, tile: 4 },
    { x: [3, 5, 8, 36], n: 40, k: [1, 3], relu: true, pool: true, tile: 4 },
    { x: [1, 4, 4, 32], n: 33, k: [1, 3], relu: true, pool: true, tile: 4 },
    { x: [2, 4, 8, 16], n: 16, k: [1, 3], relu: true, pool: true, tile: 4 },
    { x: [2, 8, 4, 16], n: 24, k: [3, 1], relu: true, pool: false, tile: 4 },
    { x: [1, 16, 3, 16], n: 16, k: [3, 1], relu: true, pool: false, tile: 4 },
    { x: [2, 12, 3, 40], n: 36, k: [3, 1], relu: true, pool: false, tile: 6 },
    { x: [3, 6, 4, 16], n: 16, k: [3, 1], relu: false, pool: false, tile: 6 },
    // Interior bands (all 8 inputs inside the image), with and without a channel tail.
    { x: [2, 24, 3, 16], n: 16, k: [3, 1], relu: true, pool: false, tile: 6 },
    { x: [1, 18, 2, 18], n: 20, k: [3, 1], relu: false, pool: false, tile: 6 },
    // Lengths that are not a multiple of the tile: the last tile of a line is partial.
    { x: [2, 6, 3, 32], n: 32, k: [3, 1], relu: true, pool: false, tile: 6 },
    { x: [3, 3, 2, 34], n: 40, k: [3, 1], relu: false, pool: false, tile: 3 },
    { x: [2, 3, 7, 32], n: 32, k: [1, 3], relu: true, pool: false, tile: 4 },
    { x: [1, 5, 8, 32], n: 32, k: [1, 3], relu: true, pool: true, tile: 4 },
    { x: [2, 11, 2, 18], n: 20, k: [3, 1], relu: true, pool: false, tile: 6 },
    { x: [1, 5, 3, 16], n: 17, k: [3, 1], relu: false, pool: false, tile: 6 },
    { x: [2, 3, 2, 32], n: 40, k: [3, 1], relu: true, pool: false, tile: 3 },
    { x: [2, 4, 6, 18], n: 20, k: [1, 3], relu: true, pool: false, tile: 4 },
    { x: [1, 2, 3, 17], n: 16, k: [1, 3], relu: false, pool: false, tile: 4 },
    { x: [1, 9, 3, 18], n: 16, k: [3, 1], relu: false, pool: false, tile: 3 },
  ];
  const engine = await createEngine();
  const rng = new Rng(12);
  for (const [i, c] of cases.entries()) {
    const [B, H, W, C] = c.x;
    const conv = new Conv2d(engine, `wino.${i}`, {
      inChannels: C,
      outChannels: c.n,
      kernel: c.k,
      bias: true,
      activation: c.relu ? 'relu' : 'none',
      pool2: c.pool,
      winograd: true,
    });
    conv.bias!.value().forEach((_, j, b) => (b[j] = 0.3 * rng.normal()));
    const xs = Float32Array.from({ length: B * H * W * C }, () => rng.normal());
    const before = engine.kernels.conv_simd_tiles();
    const y = conv.forward(engine.fromValues(c.x, xs));
    // Proof that Winograd ran with the expected tile: its tile + 2 GEMMs over the tiles (these small
    // layers take one chunk) compute exactly this many 4×8 register tiles.
    const along = c.k[0] === 1;
    const wTiles = c.pool ? (H & ~1) * (W / 4) : H * Math.ceil(W / 4);
    const P = B * (along ? wTiles : Math.ceil(H / c.tile) * W);
    const tiles = (c.tile + 2) * Math.ceil(P / 4) * Math.ceil(c.n / 8);
    assert.equal(engine.kernels.conv_simd_tiles() - before, tiles, `case ${i}: register tiles`);
    const g = convGeometry(c.x, c.k, [1, 1], 'same', 'ref');
    const full = conv2dForward(xs, conv.weight.value(), conv.bias!.value(), g, c.n, c.relu);
    const ref = c.pool
      ? maxPoolForward(full, [B, H, W, c.n], [2, 2], [2, 2])
      : { y: full, shape: [B, H, W, c.n] };
    assert.deepEqual([...y.shape], ref.shape);
    assertClose(y.data(), ref.y, 2e-5, `case ${i} vs reference`);
  }
});

test('a first block fused (one-channel kt×1 conv, then a pooled 1×kw conv) = the two convs and the pool (reference)', async () => {
  const engine = await createEngine();
  const rng = new Rng(31);
  const cases = [
    { x: [2, 8, 12, 1], n1: 8, n2: 8, kt: 3, kw: 3, relu: true },
    // Partial panels and more than one (N1 or N2 not a multiple of 8), odd sizes, other kernels.
    { x: [1, 7, 9, 1], n1: 5, n2: 11, kt: 3, kw: 3, relu: true },
    { x: [3, 6, 10, 1], n1: 12, n2: 3, kt: 2, kw: 5, relu: false },
    { x: [1, 4, 2, 1], n1: 16, n2: 17, kt: 1, kw: 1, relu: true },
  ];
  for (const [i, c] of cases.entries()) {
    const [B, H, W] = c.x;
    const init = (v: Float32Array) => v.forEach((_, j) => (v[j] = 0.5 * rng.normal()));
    const first = new Conv2d(engine, `fused.${i}.a`, {
      inChannels: 1, outChannels: c.n1, kernel: [c.kt, 1], bias: true, init, biasInit: init,
      activation: c.relu ? 'relu' : 'none', frozen: true,
    }); // prettier-ignore
    const second = new Conv2d(engine, `fused.${i}.b`, {
      inChannels: c.n1, outChannels: c.n2, kernel: [1, c.kw], bias: true, init, biasInit: init,
      activation: c.relu ? 'relu' : 'none', pool2: true, frozen: true,
    }); // prettier-ignore
    const xs = Float32Array.from({ length: B * H * W }, () => rng.normal());
    const y = first.forwardFused(second, engine.fromValues(c.x, xs));
    assert.ok(y, `case ${i}: the pair qualifies`);
    const g1 = convGeometry(c.x, [c.kt, 1], [1, 1], 'same', 'ref');
    const t = conv2dForward(xs, first.weight.value(), first.bias!.value(), g1, c.n1, c.relu);
    const g2 = convGeometry([B, H, W, c.n1], [1, c.kw], [1, 1], 'same', 'ref');
    const f = conv2dForward(t, second.weight.value(), second.bias!.value(), g2, c.n2, c.relu);
    const ref = maxPoolForward(f, [B, H, W, c.n2], [2, 2], [2, 2]);
    assert.deepEqual([...y.shape], ref.shape);
    assertClose(y.data(), ref.y, 1e-5, `case ${i} vs reference`);
  }
  // Pairs the fused kernel does not take: two input channels, 'valid' padding, no pool.
  let made = 0;
  const a = (o: Partial<Conv2dOptions>) =>
    new Conv2d(engine, `pair.${made++}`, {
      inChannels: 1,
      outChannels: 4,
      kernel: [3, 1],
      frozen: true,
      activation: 'relu',
      ...o,
    });
  const b = (o: Partial<Conv2dOptions>) =>
    new Conv2d(engine, `pair.${made++}`, {
      inChannels: 4,
      outChannels: 4,
      kernel: [1, 3],
      frozen: true,
      activation: 'relu',
      pool2: true,
      ...o,
    });
  const x1 = engine.fromValues([1, 4, 4, 1], new Float32Array(16));
  assert.ok(a({}).forwardFused(b({}), x1));
  assert.equal(a({ padding: 'valid' }).forwardFused(b({}), x1), undefined);
  assert.equal(a({}).forwardFused(b({ pool2: false }), x1), undefined);
  assert.equal(
    a({ inChannels: 2 }).forwardFused(b({}), engine.fromValues([1, 4, 4, 2], new Float32Array(32))),
    undefined,
  );
});

test('a frozen conv packs its weights once (widths ≤ 2: a 1×1 conv over rows, or F(2,2) at width 2): same output as packing per call, later weight writes ignored', async () => {
  const engine = await createEngine();
  const rng = new Rng(21);
  for (const [i, c] of [
    { x: [2, 8, 6, 16], k: [3, 1], winograd: false },
    { x: [2, 4, 8, 32], k: [1, 3], winograd: true },
    // Widths of 1 and 2: the frozen layer runs as a 1×1 conv over rows, skipping the padding taps,
    // or, at width 2 with Winograd allowed, as F(2,2)'s three GEMMs over rows.
    { x: [2, 3, 2, 20], k: [1, 3], winograd: false, path: 'rows' },
    { x: [1, 4, 1, 9], k: [1, 3], winograd: false, path: 'rows' },
    { x: [2, 3, 2, 20], k: [1, 3], winograd: true, path: 'pair' },
    { x: [3, 3, 2, 7], k: [1, 3], winograd: true, path: 'pair' },
  ].entries()) {
    const [B, H, W, C] = c.x;
    const make = (frozen: boolean) =>
      new Conv2d(engine, `frozen.${i}.${frozen}`, {
        inChannels: C,
        outChannels: 24,
        kernel: c.k as [number, number],
        bias: true,
        activation: 'relu',
        winograd: c.winograd,
        frozen,
        init: (v) => v.forEach((_, j) => (v[j] = 0.2 * Math.sin(j + 1))),
      });
    const frozen = make(true);
    const plain = make(false);
    const x = engine.fromValues(
      c.x,
      Float32Array.from({ length: B * H * W * C }, () => rng.normal()),
    );
    const before = engine.kernels.conv_simd_tiles();
    const y0 = frozen.forward(x).data().slice();
    // Register tiles (4 rows × 8 outputs) prove which path ran: the row GEMM has W·24 outputs per
    // image row, F(2,2) three GEMMs of 24.
    const rowTiles = Math.ceil((B * H) / 4);
    if (c.path === 'rows')
      assert.equal(engine.kernels.conv_simd_tiles() - before, rowTiles * Math.ceil((W * 24) / 8));
    if (c.path === 'pair') assert.equal(engine.kernels.conv_simd_tiles() - before, 3 * rowTiles * 3);
    assertClose(y0, plain.forward(x).data(), 1e-5, `case ${i}`);
    frozen.weight.value().fill(0);
    plain.weight.value().fill(0);
    assert.deepEqual(frozen.forward(x).data(), y0, 'the frozen layer keeps the weights it packed');
    assert.notDeepEqual(plain.forward(x).data(), y0);
  }
});
