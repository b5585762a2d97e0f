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

/** The `top` most probable classes, most probable first (ties: lower index first). */
export function topClasses(
  probabilities: Float32Array,
  classes: readonly string[],
  top: number,
): ClassScore[] {
  const order = Array.from(probabilities, (_, i) => i);
  order.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return order
    .slice(0, top)
    .map((index) => ({ label: classes[index], index, probability: probabilities[index] }));
}

export function taskPrediction(
  task: string,
  classes: readonly string[],
  probabilities: Float32Array,
  top: number,
): TaskPrediction {
  return { task, top: topClasses(probabilities, classes, top), probabilities };
}
