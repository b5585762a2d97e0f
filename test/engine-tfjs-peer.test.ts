import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/common/index.js';
import { registerConv2dBackpropFilter } from '../bench/peers/tfjs-backprop-filter.js';
import { buildTfjsEncoder, countParams, trainStep, trainingLogits } from '../bench/peers/tfjs-encoder.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 7, 5, 3], filter: [3, 1, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 6, 6, 2], filter: [1, 3, 2, 5], stride: 1, pad: 'same' },
  { x: [1, 7, 8, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' },
  { x: [3, 6, 5, 2], filter: [2, 3, 2, 3], stride: 1, pad: 'valid' },
  { x: [1, 9, 7, 1], filter: [3, 2, 1, 2], stride: 2, pad: 'valid' },
  {
    x: [2, 5, 4, 2],
    filter: [3, 3, 2, 2],
    stride: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
];

function randomArray(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** dw[a,b,ci,co] = Σ x[n, i·s + a − top, j·s + b − left, ci] · dy[n, i, j, co], in float64. */
function referenceBackpropFilter(
  x: Float32Array,
  xShape: number[],
  dy: Float32Array,
  dyShape: number[],
  filter: number[],
  stride: number,
  top: number,
  left: number,
): Float64Array {
  const [n, h, w, cin] = xShape;
  const [, oh, ow, cout] = dyShape;
  const [kh, kw] = filter;
  const dw = new Float64Array(kh * kw * cin * cout);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          let s = 0;
          for (let bn = 0; bn < n; bn++)
            for (let i = 0; i < oh; i++)
              for (let j = 0; j < ow; j++) {
                const y = i * stride + a - top;
                const xx = j * stride + b - left;
                if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
                s += x[((bn * h + y) * w + xx) * cin + ci] * dy[((bn * oh + i) * ow + j) * cout + co];
              }
          dw[((a * kw + b) * cin + ci) * cout + co] = s;
        }
  return dw;
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-5,
): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 + rtol * Math.abs(expected[i]))) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, reference ${expected[i]}`);
    }
  }
}

async function onBackend<T extends tf.TensorContainer>(name: string, run: () => T): Promise<T> {
  assert.ok(await tf.setBackend(name), `backend ${name}`);
  return tf.tidy(run);
}

test('composed Conv2DBackpropFilter on wasm matches tfjs-cpu and a float64 reference', async () => {
  assert.ok(await tf.setBackend('wasm'));
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined, 'tfjs-wasm still lacks the kernel');
  registerConv2dBackpropFilter('wasm');
  const rng = new Rng(11);
  for (const c of CASES) {
    const label = JSON.stringify(c);
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
    const dyShape = [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
    const x = randomArray(
      c.x.reduce((a, b) => a * b),
      rng,
    );
    const dy = randomArray(
      dyShape.reduce((a, b) => a * b),
      rng,
    );
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const run = (): Float32Array =>
      (
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor4d(x, c.x), dy: tf.tensor(dy, dyShape) },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor
      ).dataSync() as Float32Array;
    const onCpu = Float32Array.from(await onBackend('cpu', run));
    const onWasm = Float32Array.from(await onBackend('wasm', run));
    const reference = referenceBackpropFilter(
      x,
      c.x,
      dy,
      dyShape,
      c.filter,
      c.stride,
      info.padInfo.top,
      info.padInfo.left,
    );
    assertClose(onCpu, reference, `tfjs-cpu ${label}`);
    assertClose(onWasm, reference, `composed on wasm ${label}`);
  }
});

test('the tfjs encoder has the reference encoder size: 396,626 params with BN folded', () => {
  // DESIGN.md §1: conv 3×1 and 1×3 per block, channels 8…256, dense to 10 classes. Training keeps
  // BN's γ and β apart (2 per channel); folded into the conv they are one bias per channel.
  let weights = 0;
  let bnChannels = 0;
  let cin = 1;
  for (const cout of [8, 16, 32, 64, 128, 256]) {
    weights += 3 * cin * cout + 3 * cout * cout;
    bnChannels += 2 * cout;
    cin = cout;
  }
  const head = 256 * 10 + 10;
  const enc = buildTfjsEncoder();
  const counts = countParams(enc);
  tf.dispose(enc.variables);
  assert.equal(weights + bnChannels + head, 396_626);
  assert.equal(counts.folded, 396_626);
  assert.equal(counts.trainable, weights + 2 * bnChannels + head);
});

test('tfjs encoder training step on wasm: same gradients as on tfjs-cpu, and no leaked tensors', async () => {
  registerConv2dBackpropFilter('wasm');
  const widths = [2, 4, 8, 16, 32, 64];
  const rng = new Rng(5);
  const x = randomArray(2 * 96 * 64, rng);
  const labels = [3, 7];
  const gradients = (): Float32Array[] => {
    const enc = buildTfjsEncoder({ widths, seed: 3 });
    const { grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.tensor1d(labels, 'int32'), 10),
          trainingLogits(enc, tf.tensor4d(x, [2, 96, 64, 1])),
        ) as tf.Scalar,
      enc.variables,
    );
    const out = enc.variables.map((v) => Float32Array.from(grads[v.name].dataSync()));
    tf.dispose([...enc.variables, ...Object.values(grads)]);
    return out;
  };
  const onCpu = await onBackend('cpu', gradients);
  const onWasm = await onBackend('wasm', gradients);
  // Different summation orders in float32, amplified by BN over a batch of 2: compare each gradient
  // relative to its largest entry.
  onCpu.forEach((g, i) => {
    const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = g.reduce((m, v, j) => Math.max(m, Math.abs(onWasm[i][j] - v)), 0);
    assert.ok(
      scale > 0 && worst <= 1e-3 * scale,
      `gradient of variable ${i}: error ${worst} vs scale ${scale}`,
    );
  });

  const enc = buildTfjsEncoder({ widths });
  const optimizer = tf.train.adam(1e-3);
  const input = tf.tensor4d(x, [2, 96, 64, 1]);
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D;
  const first = trainStep(enc, optimizer, input, onehot);
  const live = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 5; i++) last = trainStep(enc, optimizer, input, onehot);
  assert.equal(tf.memory().numTensors, live, 'tensors leaked across training steps');
  assert.ok(last < first, `loss went from ${first} to ${last}`);
  optimizer.dispose();
  tf.dispose([input, onehot, ...enc.variables]);
});
