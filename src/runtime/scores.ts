/** Turning logits into what the API returns: softmax probabilities and the top classes. */
import type { ClassScore, TaskPrediction } from './types.js';

/** out[j] = softmax(logits[row·k … row·k + k))[j], in float64. */
export function softmaxRow(logits: Float32Array, row: number, k: number, out: Float64Array): void {
  const base = row * k;
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[base + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    out[j] = Math.exp(logits[base + j] - max);
    sum += out[j];
  }
  for (let j = 0; j < k; j++) out[j] /= sum;
}

/**
 * The `top` most probable classes, most probable first (ties: lower index first). Selection, not a
 * sort: it runs for every patch and task of a stream or batch, with top ≪ classes.
 */
export function topClasses(
  probabilities: Float32Array,
  classes: readonly string[],
  top: number,
): ClassScore[] {
  const k = probabilities.length;
  const taken = new Uint8Array(k);
  const out: ClassScore[] = [];
  for (let r = Math.min(top, k); r > 0; r--) {
    let best = -1;
    for (let i = 0; i < k; i++) {
      if (!taken[i] && (best < 0 || probabilities[i] > probabilities[best])) best = i;
    }
    taken[best] = 1;
    out.push({ label: classes[best], index: best, probability: probabilities[best] });
  }
  return out;
}

export function taskPrediction(
  task: string,
  classes: readonly string[],
  probabilities: Float32Array,
  top: number,
): TaskPrediction {
  return { task, top: topClasses(probabilities, classes, top), probabilities };
}
