/**
 * Accuracy of a network on a split: per patch, and per clip (the clip's prediction averages the
 * softmax of its patches, DESIGN.md §1). Also the confusion matrix (rows: true class, columns: predicted).
 */
import type { MultiTaskNetwork } from '../model/index.js';
import type { EvalClip, EvalSplit, TrainingData } from './training-data.js';

export interface TaskAccuracy {
  patchAccuracy: number;
  clipAccuracy: number;
  patches: number;
  clips: number;
  confusion: number[][];
}

const CHUNK = 128;

function softmaxInto(logits: Float32Array, row: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[row * k + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(logits[row * k + j] - max);
  for (let j = 0; j < k; j++) out[j] = Math.exp(logits[row * k + j] - max) / sum;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
  return best;
}

/** Evaluates task t on the given clips, running only its adapter and head. */
export function evaluateClips(net: MultiTaskNetwork, t: number, clips: Iterable<EvalClip>): TaskAccuracy {
  const engine = net.engine;
  const cfg = net.config;
  const k = cfg.tasks[t].classes.length;
  const per = cfg.inputFrames * cfg.inputBands;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const probs = new Float64Array(k);
  let patchesRight = 0;
  let patches = 0;
  let clipsRight = 0;
  let clipCount = 0;
  const rows = cfg.tasks.map(() => undefined) as ({ start: number; count: number } | undefined)[];
  for (const clip of clips) {
    const sum = new Float64Array(k);
    for (let s = 0; s < clip.patches.count; s += CHUNK) {
      const n = Math.min(CHUNK, clip.patches.count - s);
      const mark = engine.mark();
      const x = engine.fromValues(
        [n, cfg.inputFrames, cfg.inputBands, 1],
        clip.patches.data.subarray(s * per, (s + n) * per),
      );
      rows[t] = { start: 0, count: n };
      const logits = net.forward(x, rows, 'eval')[t]!.data();
      for (let i = 0; i < n; i++) {
        softmaxInto(logits, i, k, probs);
        for (let j = 0; j < k; j++) sum[j] += probs[j];
        if (argmax(probs) === clip.label) patchesRight++;
      }
      engine.reset(mark);
    }
    patches += clip.patches.count;
    const predicted = argmax(sum);
    confusion[clip.label][predicted]++;
    if (predicted === clip.label) clipsRight++;
    clipCount++;
  }
  return {
    patchAccuracy: patches ? patchesRight / patches : 0,
    clipAccuracy: clipCount ? clipsRight / clipCount : 0,
    patches,
    clips: clipCount,
    confusion,
  };
}

export function evaluate(net: MultiTaskNetwork, data: TrainingData, split: EvalSplit): TaskAccuracy[] {
  return data.tasks.map((_, t) => evaluateClips(net, t, data.clips(t, split)));
}

export function meanClipAccuracy(acc: TaskAccuracy[]): number {
  return acc.reduce((s, a) => s + a.clipAccuracy, 0) / Math.max(1, acc.length);
}
