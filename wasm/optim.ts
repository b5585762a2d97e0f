// Optimizer updates, element-wise over one parameter of n floats: weights w, gradient g and the
// optimizer's state (m, v or buf), all float32 at byte offsets in the shared memory, updated in place.
// Scalars fold everything that is constant over a step (bias corrections, rate multipliers), so the
// per-element work matches PyTorch's published update equations; see src/engine/optim-adam.ts and
// src/engine/optim-sgd.ts for the derivations and the plain TypeScript versions.

/**
 * Adam / AdamW:
 *   g' = g + l2·w;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²;
 *   w = w·shrink − step·m / (√v + eps)
 * where step = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps is already scaled by √(1−β2ᵗ). The scalars arrive as
 * float64 so that 1−β is formed before rounding: from a float32 β, 1 − 0.999f is off by 1.3e-5.
 */
export function adam_f32(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  beta1: f64,
  beta2: f64,
  step: f64,
  eps: f64,
  l2: f64,
  shrink: f64,
): void {
  const fb1 = <f32>beta1;
  const fc1 = <f32>(1 - beta1);
  const fb2 = <f32>beta2;
  const fc2 = <f32>(1 - beta2);
  const fst = <f32>step;
  const fep = <f32>eps;
  const fwd = <f32>l2;
  const fsh = <f32>shrink;
  const b1 = f32x4.splat(fb1);
  const c1 = f32x4.splat(fc1);
  const b2 = f32x4.splat(fb2);
  const c2 = f32x4.splat(fc2);
  const st = f32x4.splat(fst);
  const ep = f32x4.splat(fep);
  const wd = f32x4.splat(fwd);
  const sh = f32x4.splat(fsh);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(wd, wi));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const update = f32x4.div(f32x4.mul(st, mi), f32x4.add(f32x4.sqrt(vi), ep));
    v128.store(w + o, f32x4.sub(f32x4.mul(wi, sh), update));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) + fwd * wi;
    const mi = fb1 * load<f32>(m + o) + fc1 * gi;
    const vi = fb2 * load<f32>(v + o) + fc2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, wi * fsh - (fst * mi) / (Mathf.sqrt(vi) + fep));
  }
}

/**
 * SGD with momentum (dampening 0): g' = g + l2·w;  buf = μ·buf + g';
 * w = w − rate·(nesterov ? g' + μ·buf : buf). buf = 0 (no buffer) is plain SGD: w = w − rate·g'.
 */
export function sgd_f32(
  w: usize,
  g: usize,
  buf: usize,
  n: i32,
  rate: f32,
  l2: f32,
  momentum: f32,
  nesterov: bool,
): void {
  const mu = f32x4.splat(momentum);
  const lr = f32x4.splat(rate);
  const wd = f32x4.splat(l2);
  let i = 0;
  if (buf == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = (<usize>i) << 2;
      const wi = v128.load(w + o);
      v128.store(w + o, f32x4.sub(wi, f32x4.mul(lr, f32x4.add(v128.load(g + o), f32x4.mul(wd, wi)))));
    }
    for (; i < n; i++) {
      const o = (<usize>i) << 2;
      const wi = load<f32>(w + o);
      store<f32>(w + o, wi - rate * (load<f32>(g + o) + l2 * wi));
    }
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(wd, wi));
    const bi = f32x4.add(f32x4.mul(mu, v128.load(buf + o)), gi);
    v128.store(buf + o, bi);
    const d = nesterov ? f32x4.add(gi, f32x4.mul(mu, bi)) : bi;
    v128.store(w + o, f32x4.sub(wi, f32x4.mul(lr, d)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) + l2 * wi;
    const bi = momentum * load<f32>(buf + o) + gi;
    store<f32>(buf + o, bi);
    store<f32>(w + o, wi - rate * (nesterov ? gi + momentum * bi : bi));
  }
}
