/**
 * Global gradient-norm clipping (as torch.nn.utils.clip_grad_norm_ with the L2 norm): if the L2 norm
 * of all gradients together exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6).
 * The sum of squares runs in float64, over the params in the given order and each gradient front to
 * back, so the same gradients always give the same norm and the same clipped values.
 */
import type { Param } from './engine.js';
import { checkNonNegative } from './optim.js';

/**
 * Clips in place and returns the norm before clipping. A non-finite norm (an overflowed or NaN
 * gradient) leaves the gradients untouched and is returned as is, for the caller to skip the step
 * or stop the run.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  checkNonNegative(maxNorm, 'maxNorm');
  let sumSquares = 0;
  for (const p of params) {
    const g = p.grad();
    for (let j = 0; j < g.length; j++) sumSquares += g[j] * g[j];
  }
  const norm = Math.sqrt(sumSquares);
  if (!Number.isFinite(norm)) return norm;
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const p of params) {
      const g = p.grad();
      for (let j = 0; j < g.length; j++) g[j] *= coefficient;
    }
  }
  return norm;
}
