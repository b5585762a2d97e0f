import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError, Rng } from '../src/common/index.js';
import {
  Adam,
  AdamW,
  clipGradNorm,
  cosineDecay,
  Sgd,
  withWarmup,
  type Optimizer,
} from '../src/engine/index.js';

/** Plain Float32Array-backed params with the engine's Param shape. */
interface TestParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly decay: boolean;
  readonly w: Float32Array;
  readonly g: Float32Array;
  value(): Float32Array;
  grad(): Float32Array;
}

function makeParam(name: string, shape: number[], decay: boolean, rng: Rng): TestParam {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = Float32Array.from({ length: n }, () => rng.normal());
  const g = new Float32Array(n);
  return { name, shape, decay, w, g, value: () => w, grad: () => g };
}

function makeParams(seed: number): TestParam[] {
  const rng = new Rng(seed);
  return [
    makeParam('conv.weight', [3, 1, 4, 5], true, rng),
    makeParam('bn.gamma', [5], false, rng),
    makeParam('adapter.gate', [7], false, rng),
  ];
}

/** Fixed gradients for step k: magnitudes from 1e-9 (where eps matters) to 10. */
function fillGradients(params: TestParam[], step: number): void {
  for (const p of params) {
    const rng = Rng.derive(step, p.name);
    for (let j = 0; j < p.g.length; j++) p.g[j] = rng.normal() * 10 ** rng.uniform(-9, 1);
  }
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-5,
): void {
  assert.equal(actual.length, expected.length, what);
  for (let j = 0; j < expected.length; j++) {
    const tol = 1e-6 + rtol * Math.abs(expected[j]);
    if (!(Math.abs(actual[j] - expected[j]) <= tol)) {
      assert.fail(`${what}[${j}]: got ${actual[j]}, reference ${expected[j]}`);
    }
  }
}

interface Reference {
  w: Float64Array[];
  step(grads: Float64Array[], lr: number): void;
}

/** Adam and AdamW in float64, as written in PyTorch's torch.optim.Adam / AdamW documentation. */
function referenceAdam(
  params: TestParam[],
  o: {
    beta1: number;
    beta2: number;
    eps: number;
    wd: number;
    decoupled: boolean;
    scale: (name: string) => number;
  },
): Reference {
  const w = params.map((p) => Float64Array.from(p.w));
  const m = params.map((p) => new Float64Array(p.w.length));
  const v = params.map((p) => new Float64Array(p.w.length));
  let t = 0;
  return {
    w,
    step(grads, baseLr) {
      t++;
      params.forEach((p, i) => {
        const lr = baseLr * o.scale(p.name);
        const wd = p.decay ? o.wd : 0;
        for (let j = 0; j < w[i].length; j++) {
          let g = grads[i][j];
          if (o.decoupled) w[i][j] *= 1 - lr * wd;
          else g += wd * w[i][j];
          m[i][j] = o.beta1 * m[i][j] + (1 - o.beta1) * g;
          v[i][j] = o.beta2 * v[i][j] + (1 - o.beta2) * g * g;
          const mHat = m[i][j] / (1 - o.beta1 ** t);
          const vHat = v[i][j] / (1 - o.beta2 ** t);
          w[i][j] -= (lr * mHat) / (Math.sqrt(vHat) + o.eps);
        }
      });
    },
  };
}

/** SGD in float64, as written in PyTorch's torch.optim.SGD documentation (dampening 0). */
function referenceSgd(
  params: TestParam[],
  o: { momentum: number; nesterov: boolean; wd: number },
): Reference {
  const w = params.map((p) => Float64Array.from(p.w));
  const b = params.map((p) => new Float64Array(p.w.length));
  let t = 0;
  return {
    w,
    step(grads, lr) {
      t++;
      params.forEach((p, i) => {
        const wd = p.decay ? o.wd : 0;
        for (let j = 0; j < w[i].length; j++) {
          let g = grads[i][j] + wd * w[i][j];
          if (o.momentum !== 0) {
            b[i][j] = t === 1 ? g : o.momentum * b[i][j] + g;
            g = o.nesterov ? g + o.momentum * b[i][j] : b[i][j];
          }
          w[i][j] -= lr * g;
        }
      });
    },
  };
}

function runAgainstReference(
  label: string,
  params: TestParam[],
  optimizer: Optimizer,
  reference: Reference,
  lrAt: (step: number) => number,
  steps = 12,
): void {
  for (let k = 0; k < steps; k++) {
    fillGradients(params, k);
    const grads = params.map((p) => Float64Array.from(p.g));
    assert.equal(optimizer.currentLr(), lrAt(k));
    optimizer.step();
    reference.step(grads, lrAt(k));
    params.forEach((p, i) => assertClose(p.w, reference.w[i], `${label} step ${k + 1} ${p.name}`));
  }
  assert.equal(optimizer.stepCount, steps);
}

const gateScale = (name: string): number => (name.endsWith('gate') ? 10 : 1);

test('Adam matches the float64 reference over 12 steps (bias correction, L2 decay on decay params only)', () => {
  const params = makeParams(1);
  const opt = new Adam(params, {
    lr: 1e-2,
    betas: [0.8, 0.95],
    eps: 1e-6,
    weightDecay: 0.1,
    lrScale: (p) => gateScale(p.name),
  });
  const ref = referenceAdam(params, {
    beta1: 0.8,
    beta2: 0.95,
    eps: 1e-6,
    wd: 0.1,
    decoupled: false,
    scale: gateScale,
  });
  runAgainstReference('Adam', params, opt, ref, () => 1e-2);
});

test('AdamW matches the float64 reference with decoupled decay and a warmup+cosine schedule', () => {
  const params = makeParams(2);
  const schedule = withWarmup(cosineDecay({ peak: 3e-2, steps: 8, floor: 1e-3 }), 3);
  const opt = new AdamW(params, { lr: schedule, weightDecay: 0.5, lrScale: (p) => gateScale(p.name) });
  const ref = referenceAdam(params, {
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    wd: 0.5,
    decoupled: true,
    scale: gateScale,
  });
  runAgainstReference('AdamW', params, opt, ref, schedule);
});

test('AdamW leaves params without decay undecayed (zero gradient, weights unchanged)', () => {
  const rng = new Rng(3);
  const kept = makeParam('bn.beta', [4], false, rng);
  const shrunk = makeParam('dense.weight', [4], true, rng);
  const before = [Float64Array.from(kept.w), Float64Array.from(shrunk.w)];
  const opt = new AdamW([kept, shrunk], { lr: 0.1, weightDecay: 0.5 });
  opt.step();
  assert.deepEqual(Array.from(kept.w), Array.from(before[0]));
  assertClose(
    shrunk.w,
    before[1].map((x) => x * (1 - 0.1 * 0.5)),
    'decayed weight',
    1e-6,
  );
});

test('SGD: plain, momentum and Nesterov with weight decay match the float64 reference', () => {
  for (const o of [
    { momentum: 0, nesterov: false, wd: 0 },
    { momentum: 0.9, nesterov: false, wd: 1e-2 },
    { momentum: 0.8, nesterov: true, wd: 1e-1 },
  ]) {
    const params = makeParams(4);
    const opt = new Sgd(params, { lr: 1e-3, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.wd });
    runAgainstReference(`SGD ${JSON.stringify(o)}`, params, opt, referenceSgd(params, o), () => 1e-3);
  }
});

test('resume: k steps, save state, new optimizer, load, N-k steps is bit-identical to N steps', () => {
  const N = 15;
  const k = 6;
  const makeOptimizers: Array<[string, (p: TestParam[]) => Optimizer]> = [
    ['Adam', (p) => new Adam(p, { lr: withWarmup(cosineDecay({ peak: 1e-2, steps: 10 }), 4) })],
    ['AdamW', (p) => new AdamW(p, { lr: 1e-2, lrScale: (q) => gateScale(q.name) })],
    ['SGD', (p) => new Sgd(p, { lr: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ];
  // Gradients that depend on the weights, so any drift would compound.
  const train = (params: TestParam[], opt: Optimizer, from: number, to: number): void => {
    for (let s = from; s < to; s++) {
      fillGradients(params, s);
      for (const p of params) for (let j = 0; j < p.g.length; j++) p.g[j] += Math.sin(3 * p.w[j]);
      opt.step();
    }
  };
  for (const [name, make] of makeOptimizers) {
    const straight = makeParams(5);
    const straightOpt = make(straight);
    train(straight, straightOpt, 0, N);

    const first = makeParams(5);
    const firstOpt = make(first);
    train(first, firstOpt, 0, k);
    const saved = firstOpt.state();
    assert.equal(saved.step, k);
    const resumed = makeParams(99);
    resumed.forEach((p, i) => p.w.set(first[i].w));
    const resumedOpt = make(resumed);
    resumedOpt.loadState(saved, 'ckpt');
    train(first, firstOpt, k, k + 1); // the saved state must be a copy, not a live view
    train(resumed, resumedOpt, k, N);

    assert.equal(resumedOpt.stepCount, N, name);
    straight.forEach((p, i) => {
      assert.deepEqual(
        new Uint32Array(resumed[i].w.buffer),
        new Uint32Array(p.w.buffer),
        `${name} ${p.name}`,
      );
    });
    const a = straightOpt.state();
    const b = resumedOpt.state();
    assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
    for (const key of Object.keys(a)) assert.deepEqual(b[key], a[key], `${name} state ${key}`);
  }
});

test('loadState rejects a state that does not fit, naming the source and entry', () => {
  const params = makeParams(6);
  const good = new Adam(params, { lr: 1e-3 }).state();
  const cases: Array<[Record<string, Float32Array | number>, RegExp]> = [
    [{ ...good, step: -1 }, /step count/],
    [{ ...good, step: 1.5 }, /step count/],
    [
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'exp_avg.bn.gamma')),
      /lacks "exp_avg.bn.gamma"/,
    ],
    [
      { ...good, 'exp_avg_sq.adapter.gate': new Float32Array(3) },
      /"exp_avg_sq.adapter.gate" has the wrong size/,
    ],
    [{ ...good, 'momentum_buffer.bn.gamma': new Float32Array(5) }, /does not use/],
  ];
  for (const [state, pattern] of cases) {
    const opt = new Adam(params, { lr: 1e-3 });
    assert.throws(
      () => opt.loadState(state, 'run/ckpt.safetensors'),
      (e: unknown) =>
        e instanceof MtaError &&
        e.code === 'BAD_MODEL' &&
        e.subject === 'run/ckpt.safetensors' &&
        pattern.test(e.describe()),
    );
    assert.equal(opt.stepCount, 0, 'a rejected state changes nothing');
  }
});

test('optimizer settings are checked: BAD_CONFIG naming the setting', () => {
  const params = makeParams(7);
  const cases: Array<[() => unknown, string, string]> = [
    [() => new Adam(params, { lr: -1 }), 'BAD_CONFIG', 'optimizer.lr'],
    [() => new Adam(params, { lr: 1e-3, betas: [1, 0.999] }), 'BAD_CONFIG', 'optimizer.beta1'],
    [() => new AdamW(params, { lr: 1e-3, weightDecay: NaN }), 'BAD_CONFIG', 'optimizer.weightDecay'],
    [() => new Sgd(params, { lr: 1e-3, nesterov: true }), 'BAD_CONFIG', 'optimizer.nesterov'],
    [() => new Sgd(params, { lr: 1e-3, lrScale: () => -2 }), 'BAD_CONFIG', 'lrScale of param "conv.weight"'],
    [() => new Sgd([params[0], params[0]], { lr: 1e-3 }), 'BAD_ARGUMENT', 'param "conv.weight"'],
  ];
  for (const [make, code, subject] of cases) {
    assert.throws(make, (e: unknown) => e instanceof MtaError && e.code === code && e.subject === subject);
  }
});

test('clipGradNorm: float64 global norm, scales by maxNorm/(norm+1e-6) only above maxNorm', () => {
  const params = makeParams(8);
  fillGradients(params, 3);
  for (const p of params) for (let j = 0; j < p.g.length; j++) p.g[j] += (j % 3) - 1;
  const original = params.map((p) => Float64Array.from(p.g));
  let sum = 0;
  for (const g of original) for (const x of g) sum += x * x;
  const expectedNorm = Math.sqrt(sum);

  assert.equal(clipGradNorm(params, expectedNorm * 2), expectedNorm);
  params.forEach((p, i) =>
    assert.deepEqual(Array.from(p.g), Array.from(original[i]), 'no clip below maxNorm'),
  );

  const maxNorm = expectedNorm / 4;
  assert.equal(clipGradNorm(params, maxNorm), expectedNorm);
  const coefficient = maxNorm / (expectedNorm + 1e-6);
  params.forEach((p, i) =>
    assertClose(
      p.g,
      original[i].map((x) => x * coefficient),
      `clipped ${p.name}`,
      1e-6,
    ),
  );
  let after = 0;
  for (const p of params) for (const x of p.g) after += x * x;
  assert.ok(Math.abs(Math.sqrt(after) - maxNorm) < 1e-5 * maxNorm);

  params[1].g[2] = NaN;
  const before = params.map((p) => Float32Array.from(p.g));
  assert.ok(Number.isNaN(clipGradNorm(params, 1)));
  params.forEach((p, i) => assert.deepEqual(p.g, before[i], 'a non-finite norm leaves gradients untouched'));
});
