/**
 * Float64 reference of batch normalisation (optionally followed by ReLU), the executable spec for
 * wasm/batchnorm.ts and layers/batchnorm.ts. x, y [M, C]; gamma, beta, mean, variance [C].
 */

export interface BatchNormStats {
  mean: Float64Array;
  /** Biased (population) variance. */
  variance: Float64Array;
}

export function batchStats(x: ArrayLike<number>, C: number): BatchNormStats {
  const M = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let m = 0; m < M; m++) for (let c = 0; c < C; c++) mean[c] += x[m * C + c] / M;
  for (let m = 0; m < M; m++) for (let c = 0; c < C; c++) variance[c] += (x[m * C + c] - mean[c]) ** 2 / M;
  return { mean, variance };
}

/** y = act(γ·(x − mean)/√(variance + eps) + β), with the given statistics. */
export function batchNormForward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  stats: BatchNormStats,
  eps: number,
  relu = false,
): Float64Array {
  const C = gamma.length;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const v = (gamma[c] * (x[i] - stats.mean[c])) / Math.sqrt(stats.variance[c] + eps) + beta[c];
    y[i] = relu ? Math.max(v, 0) : v;
  }
  return y;
}

/**
 * Gradients of Σ dy·y for training mode (the statistics are the batch's own, so they depend on x):
 * dx = γ/σ·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ g·x̂, dβ = Σ g, with g = dy masked by the ReLU.
 */
export function batchNormBackward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  dy: ArrayLike<number>,
  eps: number,
  relu = false,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const C = gamma.length;
  const M = x.length / C;
  const stats = batchStats(x, C);
  const y = batchNormForward(x, gamma, beta, stats, eps, relu);
  const sigma = Array.from(stats.variance, (v) => Math.sqrt(v + eps));
  const xhat = (i: number): number => (x[i] - stats.mean[i % C]) / sigma[i % C];
  const g = Float64Array.from(dy, (d, i) => (relu && y[i] <= 0 ? 0 : d));
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    dgamma[i % C] += g[i] * xhat(i);
    dbeta[i % C] += g[i];
  }
  const dx = Float64Array.from(g, (gi, i) => {
    const c = i % C;
    return (gamma[c] / sigma[c]) * (gi - dbeta[c] / M - (xhat(i) * dgamma[c]) / M);
  });
  return { dx, dgamma, dbeta };
}
