/**
 * The TensorFlow.js peer for `npm run bench:engine`: the reference encoder of DESIGN.md §1 with a
 * 10-class head, written with tfjs ops and run on @tensorflow/tfjs-backend-wasm (XNNPACK).
 *
 * Layout NHWC: x is [B, 96 time frames, 64 mel bands, 1]. Block = conv 3×1 (time) → BN → ReLU →
 * conv 1×3 (mel) → BN → ReLU → max-pool 2×2 (not after the last block); then global max-pool over
 * time and mel, and a dense layer. Conv weights [kh, kw, cin, cout], no conv bias; BN eps 1e-3.
 *
 * Training step: forward with batch-statistics BN, mean softmax cross-entropy, gradients through
 * tf.variableGrads, one tf.train.adam update (the running-statistics update is left out: a few
 * hundred multiply-adds). Inference gets tfjs's best case: BN folded into the conv as a bias, and
 * conv + bias + ReLU as one fused op, as tfjs-converter does for exported models.
 *
 * @example
 *   const r = await measureTfjsWasm({ batch: 64, threads: 1, warmup: 2, runs: 5 });
 */
import * as tf from '@tensorflow/tfjs-core';
// Its node bundle registers tfjs-core's gradient functions, which tfjs-core alone does not.
import '@tensorflow/tfjs-layers';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerConv2dBackpropFilter } from './tfjs-backprop-filter.js';
import { median } from '../median.js';

export const ENCODER_WIDTHS = [8, 16, 32, 64, 128, 256] as const;
export const INPUT_SHAPE = [96, 64, 1] as const;
const BN_EPS = 1e-3;

interface Block {
  convT: tf.Variable<tf.Rank.R4>;
  gammaT: tf.Variable<tf.Rank.R1>;
  betaT: tf.Variable<tf.Rank.R1>;
  convF: tf.Variable<tf.Rank.R4>;
  gammaF: tf.Variable<tf.Rank.R1>;
  betaF: tf.Variable<tf.Rank.R1>;
}

export interface TfjsEncoder {
  blocks: Block[];
  denseW: tf.Variable<tf.Rank.R2>;
  denseB: tf.Variable<tf.Rank.R1>;
  /** Every trainable variable, in a fixed order. */
  variables: tf.Variable[];
}

/** He-normal convolutions and dense layer, BN γ = 1 and β = 0; seeded. */
export function buildTfjsEncoder(
  opts: { widths?: readonly number[]; classes?: number; seed?: number } = {},
): TfjsEncoder {
  const { widths = ENCODER_WIDTHS, classes = 10, seed = 1 } = opts;
  let nextSeed = seed;
  const heNormal = <R extends tf.Rank>(shape: number[], fanIn: number, name: string): tf.Variable<R> =>
    tf.variable(
      tf.randomNormal<tf.Rank>(shape, 0, Math.sqrt(2 / fanIn), 'float32', nextSeed++),
      true,
      name,
    ) as unknown as tf.Variable<R>;
  const blocks: Block[] = [];
  let cin: number = INPUT_SHAPE[2];
  widths.forEach((cout, i) => {
    blocks.push({
      convT: heNormal([3, 1, cin, cout], 3 * cin, `block${i}.conv_t`),
      gammaT: tf.variable(tf.ones([cout]), true, `block${i}.bn_t.gamma`) as tf.Variable<tf.Rank.R1>,
      betaT: tf.variable(tf.zeros([cout]), true, `block${i}.bn_t.beta`) as tf.Variable<tf.Rank.R1>,
      convF: heNormal([1, 3, cout, cout], 3 * cout, `block${i}.conv_f`),
      gammaF: tf.variable(tf.ones([cout]), true, `block${i}.bn_f.gamma`) as tf.Variable<tf.Rank.R1>,
      betaF: tf.variable(tf.zeros([cout]), true, `block${i}.bn_f.beta`) as tf.Variable<tf.Rank.R1>,
    });
    cin = cout;
  });
  const denseW = heNormal<tf.Rank.R2>([cin, classes], cin, 'head.weight');
  const denseB = tf.variable(tf.zeros([classes]), true, 'head.bias') as tf.Variable<tf.Rank.R1>;
  const variables: tf.Variable[] = blocks.flatMap((b) => [
    b.convT,
    b.gammaT,
    b.betaT,
    b.convF,
    b.gammaF,
    b.betaF,
  ]);
  variables.push(denseW, denseB);
  return { blocks, denseW, denseB, variables };
}

/**
 * Parameter counts: `trainable` counts BN's γ and β separately (what training updates);
 * `folded` is the deployed count with BN folded into one bias per conv output channel, the count
 * the cost model and the 396,626 use.
 */
export function countParams(enc: TfjsEncoder): { trainable: number; folded: number } {
  const trainable = enc.variables.reduce((s, v) => s + v.size, 0);
  const bnChannels = enc.blocks.reduce((s, b) => s + b.gammaT.size + b.gammaF.size, 0);
  return { trainable, folded: trainable - bnChannels };
}

function batchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, BN_EPS);
}

/** Training-mode logits [B, classes] (BN with batch statistics). */
export function trainingLogits(enc: TfjsEncoder, x: tf.Tensor4D): tf.Tensor2D {
  let h = x;
  enc.blocks.forEach((b, i) => {
    h = tf.relu(batchNormTraining(tf.conv2d(h, b.convT, 1, 'same'), b.gammaT, b.betaT));
    h = tf.relu(batchNormTraining(tf.conv2d(h, b.convF, 1, 'same'), b.gammaF, b.betaF));
    if (i < enc.blocks.length - 1) h = tf.maxPool(h, 2, 2, 'valid');
  });
  return tf.add(tf.matMul(tf.max(h, [1, 2]) as tf.Tensor2D, enc.denseW), enc.denseB);
}

/** Inference with BN folded into fused conv + bias + ReLU (running mean 0, variance 1: timing only). */
export function foldedInference(enc: TfjsEncoder): { predict(x: tf.Tensor4D): tf.Tensor2D; dispose(): void } {
  const fold = (w: tf.Tensor4D, gamma: tf.Tensor1D): tf.Tensor4D =>
    tf.mul(w, tf.div(gamma, Math.sqrt(1 + BN_EPS)));
  const layers = enc.blocks.flatMap((b) => [
    { filter: fold(b.convT, b.gammaT), bias: tf.clone(b.betaT) },
    { filter: fold(b.convF, b.gammaF), bias: tf.clone(b.betaF) },
  ]);
  return {
    predict(x) {
      return tf.tidy(() => {
        let h = x;
        layers.forEach((layer, i) => {
          h = tf.fused.conv2d({
            x: h,
            filter: layer.filter,
            strides: 1,
            pad: 'same',
            bias: layer.bias,
            activation: 'relu',
          });
          if (i % 2 === 1 && i < layers.length - 1) h = tf.maxPool(h, 2, 2, 'valid');
        });
        return tf.add(tf.matMul(tf.max(h, [1, 2]) as tf.Tensor2D, enc.denseW), enc.denseB);
      });
    },
    dispose() {
      tf.dispose(layers.flatMap((l) => [l.filter, l.bias]));
    },
  };
}

/** One training step: forward, backward, Adam. Returns the loss. */
export function trainStep(
  enc: TfjsEncoder,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  labels: tf.Tensor2D,
): number {
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, trainingLogits(enc, x)) as tf.Scalar,
    enc.variables,
  );
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

export interface TfjsMeasurement {
  inferExPerSec: number;
  trainExPerSec: number;
  /**
   * The same rates per second of this process's CPU time. tfjs-wasm runs on one thread here, so on
   * an idle machine these equal the wall-clock rates; on a shared one they show what it would reach.
   */
  inferExPerCpuSec: number;
  trainExPerCpuSec: number;
  /** Threads tfjs-wasm actually uses (XNNPACK's pool). */
  threads: number;
}

/**
 * Examples/s of tfjs-wasm on the reference encoder: median over `runs` timed steps after `warmup`
 * untimed ones. `threads` is requested from tfjs-wasm before its first initialization; tfjs-wasm
 * uses threads only where it can share memory with workers, which it never does under Node (see
 * `threads` in the result).
 */
export async function measureTfjsWasm(opts: {
  batch: number;
  threads: number;
  warmup: number;
  runs: number;
}): Promise<TfjsMeasurement> {
  const { batch, threads, warmup, runs } = opts;
  setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialize');
  registerConv2dBackpropFilter('wasm');

  const enc = buildTfjsEncoder();
  const x = tf.randomNormal([batch, ...INPUT_SHAPE], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 8) as tf.Tensor1D, 10) as tf.Tensor2D;

  const inference = foldedInference(enc);
  const infer = timeRuns(warmup, runs, () => {
    const logits = inference.predict(x);
    logits.dataSync();
    logits.dispose();
  });
  inference.dispose();

  const optimizer = tf.train.adam(1e-3);
  const train = timeRuns(warmup, runs, () => trainStep(enc, optimizer, x, labels));

  optimizer.dispose();
  tf.dispose([x, labels, ...enc.variables]);
  return {
    inferExPerSec: batch / infer.wall,
    trainExPerSec: batch / train.wall,
    inferExPerCpuSec: batch / infer.cpu,
    trainExPerCpuSec: batch / train.cpu,
    threads: getThreadsCount(),
  };
}

/** Median wall-clock and process CPU seconds of `runs` calls after `warmup` untimed ones. */
function timeRuns(warmup: number, runs: number, run: () => void): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
