import { MtaError } from '../../common/index.js';
import type { Engine } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';

/**
 * Softmax cross-entropy over logits [B, K] with integer labels, computed in float64 (B·K is small).
 * With label smoothing ε the target is q = (1 − ε)·onehot(y) + ε/K. With class weights w, example b
 * weighs w[y_b] and the loss is the weighted mean Σ_b w[y_b]·CE_b / Σ_b w[y_b] (PyTorch's
 * CrossEntropyLoss(weight) without smoothing; with smoothing the weight applies to the whole example).
 * Returns the loss and dlogits = w[y_b]·(softmax_b − q_b) / Σ w.
 */
export interface SoftmaxCrossEntropyOptions {
  classWeights?: ArrayLike<number>;
  labelSmoothing?: number;
}

export class SoftmaxCrossEntropy {
  private readonly classWeights: Float64Array;
  private readonly smoothing: number;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly classes: number,
    opts: SoftmaxCrossEntropyOptions = {},
  ) {
    this.smoothing = opts.labelSmoothing ?? 0;
    if (!(this.smoothing >= 0 && this.smoothing < 1)) {
      throw new MtaError('BAD_CONFIG', 'label smoothing must be in [0, 1)', {
        subject: name,
        actual: `${this.smoothing}`,
      });
    }
    const w = opts.classWeights ?? new Float64Array(classes).fill(1);
    if (w.length !== classes || !Array.from(w).every((v) => Number.isFinite(v) && v >= 0)) {
      throw new MtaError('BAD_CONFIG', 'class weights must be one finite non-negative number per class', {
        subject: name,
        expected: `${classes} weights`,
        actual: `${w.length}`,
      });
    }
    this.classWeights = Float64Array.from(w);
  }

  forward(logits: Tensor, labels: ArrayLike<number>): { loss: number; dlogits: Tensor } {
    const K = this.classes;
    expectShape(logits, [-1, K], this.name);
    const B = logits.shape[0];
    if (labels.length !== B) {
      throw new MtaError('BAD_DATA', 'one label per example expected', {
        subject: this.name,
        expected: `${B}`,
        actual: `${labels.length}`,
      });
    }
    let totalWeight = 0;
    for (let b = 0; b < B; b++) {
      const y = labels[b];
      if (!Number.isInteger(y) || y < 0 || y >= K) {
        throw new MtaError('BAD_DATA', 'label out of range', {
          subject: this.name,
          expected: `an integer in [0, ${K})`,
          actual: `${y} (example ${b})`,
        });
      }
      totalWeight += this.classWeights[y];
    }
    if (!(totalWeight > 0)) {
      throw new MtaError('BAD_DATA', 'every example in the batch has class weight 0', { subject: this.name });
    }
    const dlogits = this.engine.tensor([B, K]);
    const z = logits.data();
    const d = dlogits.data();
    const off = this.smoothing / K;
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const row = b * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[row + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[row + k] - max);
      const logSum = max + Math.log(sum);
      const w = this.classWeights[labels[b]] / totalWeight;
      for (let k = 0; k < K; k++) {
        const q = (k === labels[b] ? 1 - this.smoothing : 0) + off;
        const logp = z[row + k] - logSum;
        loss -= w * q * logp;
        d[row + k] = w * (Math.exp(logp) - q);
      }
    }
    if (!Number.isFinite(loss)) {
      throw new MtaError('NON_FINITE', 'the loss is not finite', {
        subject: this.name,
        hint: 'the logits overflowed; lower the learning rate',
      });
    }
    return { loss, dlogits };
  }
}
