/**
 * Models for the runtime and ONNX tests: random weights (BN γ, β and running statistics randomised
 * so that folding matters) on a small pruned architecture with the default front end (96 × 64
 * patches), so real clips go through it. Tasks cover every adapter shape a pruned model can have:
 * full column of mixed widths, none (multi-head), a late column, a column with gaps, and a column
 * cut before the last block (its blocks never reach the head).
 */
import { Rng } from '../src/common/index.js';
import { DEFAULT_FRONTEND } from '../src/audio/index.js';
import { createEngine } from '../src/engine/index.js';
import { encodeModelFile } from '../src/io/index.js';
import {
  exportWeights,
  MultiTaskNetwork,
  parseModelConfig,
  type ModelConfig,
  type WeightMap,
} from '../src/model/index.js';

const block = (encoderWidth: number, pool: boolean) => ({
  encoderWidth,
  adapterWidth: encoderWidth,
  timeKernel: 3,
  freqKernel: 3,
  pool,
});

export const PRUNED_CONFIG: ModelConfig = parseModelConfig({
  inputFrames: 96,
  inputBands: 64,
  blocks: [block(4, true), block(6, true), block(8, true), block(8, true), block(12, true), block(16, false)],
  tasks: [
    {
      name: 'full',
      classes: ['x', 'y', 'z'],
      adapter: [
        { time: 2, freq: 3 },
        { time: 4, freq: 2 },
        { time: 3, freq: 5 },
        { time: 6, freq: 4 },
        { time: 5, freq: 7 },
        { time: 9, freq: 6 },
      ],
    },
    {
      name: 'multihead',
      classes: ['p', 'q'],
      adapter: Array.from({ length: 6 }, () => ({ time: 0, freq: 0 })),
    },
    {
      name: 'late',
      classes: ['u', 'v', 'w', 'k'],
      adapter: [
        { time: 0, freq: 0 },
        { time: 0, freq: 0 },
        { time: 0, freq: 0 },
        { time: 4, freq: 3 },
        { time: 5, freq: 6 },
        { time: 7, freq: 8 },
      ],
    },
    {
      name: 'gaps',
      classes: ['a', 'b', 'c', 'd', 'e'],
      adapter: [
        { time: 2, freq: 1 },
        { time: 0, freq: 0 },
        { time: 3, freq: 2 },
        { time: 0, freq: 0 },
        { time: 4, freq: 4 },
        { time: 6, freq: 5 },
      ],
    },
    {
      name: 'cut',
      classes: ['m', 'n'],
      adapter: [
        { time: 2, freq: 2 },
        { time: 3, freq: 3 },
        { time: 2, freq: 4 },
        { time: 3, freq: 2 },
        { time: 4, freq: 4 },
        { time: 0, freq: 0 },
      ],
    },
  ],
});

/** Randomises BN parameters and running statistics so that eval mode is not the identity. */
export function randomiseBatchNorm(net: MultiTaskNetwork, seed: number): void {
  const rng = new Rng(seed);
  for (const p of [...net.params(), ...net.buffers()]) {
    const v = p.value();
    if (p.name.endsWith('gamma'))
      v.forEach((_, i) => (v[i] = rng.uniform(0.5, 1.5) * (rng.next() < 0.5 ? -1 : 1)));
    if (p.name.endsWith('beta') || p.name.endsWith('running_mean'))
      v.forEach((_, i) => (v[i] = rng.uniform(-0.3, 0.3)));
    if (p.name.endsWith('running_var')) v.forEach((_, i) => (v[i] = rng.uniform(0.5, 2)));
  }
}

/** A network with random weights, and the same model as a model file. */
export async function randomModel(
  config: ModelConfig = PRUNED_CONFIG,
  seed = 1,
): Promise<{ net: MultiTaskNetwork; weights: WeightMap; bytes: Uint8Array }> {
  const net = new MultiTaskNetwork(await createEngine({ seed }), config);
  randomiseBatchNorm(net, seed + 100);
  const weights = exportWeights(net);
  const bytes = encodeModelFile({
    frontend: DEFAULT_FRONTEND,
    model: config,
    weights,
    info: { origin: 'test fixture', seed },
  });
  return { net, weights, bytes };
}

/** Reference logits of every task from the training-layout network in eval mode: [task][patch][class]. */
export function referenceLogits(net: MultiTaskNetwork, patches: Float32Array, count: number): Float32Array[] {
  const c = net.config;
  const engine = net.engine;
  const mark = engine.mark();
  const x = engine.fromValues([count, c.inputFrames, c.inputBands, 1], patches);
  const out = net
    .forward(
      x,
      c.tasks.map(() => ({ start: 0, count })),
      'eval',
    )
    .map((t) => t!.data().slice());
  engine.reset(mark);
  return out;
}

/** Float64 softmax of each row of [rows × k] logits. */
export function softmaxRows(logits: Float32Array, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / k; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[r * k + j] - max);
    for (let j = 0; j < k; j++) out[r * k + j] = Math.exp(logits[r * k + j] - max) / sum;
  }
  return out;
}
