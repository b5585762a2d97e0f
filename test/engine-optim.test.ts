import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError, Rng } from '../src/common/index.js';
import {
  Adam,
  AdamW,
  clipGradNorm,
  cosineDecay,
  createEngine,
  init,
  Sgd,
  withWarmup,
  type Engine,
  type Kernels,
  type Optimizer,
  type OptimizerOptions,
  type Param,
} from '../src/engine/index.js';

/**
 * Every optimizer runs two ways: TypeScript loops over params held in plain arrays ('js'), and the
 * SIMD kernels over params and state in an engine's wasm memory ('wasm'). Both are checked against
 * float64 references of PyTorch's published update equations.
 */
type Backend = 'js' | 'wasm';
const BACKENDS: Backend[] = ['js', 'wasm'];

interface Setup {
  params: Param[];
  /** Options that put the optimizer on this backend. */
  where: Pick<OptimizerOptions, 'engine'>;
}

const SHAPES: Array<[string, number[], boolean]> = [
  ['conv.weight', [3, 1, 4, 5], true],
  ['bn.gamma', [5], false],
  ['adapter.gate', [7], false],
];

async function setup(backend: Backend, seed: number): Promise<Setup> {
  const rng = new Rng(seed);
  const initial = SHAPES.map(([, shape]) =>
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
  );
  if (backend === 'js') {
    const params = SHAPES.map(([name, shape, decay], i): Param => {
      const w = initial[i];
      const g = new Float32Array(w.length);
      return { name, shape, decay, value: () => w, grad: () => g };
    });
    return { params, where: {} };
  }
  const engine = await createEngine();
  const params = SHAPES.map(([name, shape, decay], i) =>
    engine.param(name, shape, (v) => v.set(initial[i]), { decay }),
  );
  return { params, where: { engine } };
}

/** Fixed gradients for step k: magnitudes from 1e-9 (where eps matters) to 10. */
function fillGradients(params: Param[], step: number): void {
  for (const p of params) {
    const rng = Rng.derive(step, p.name);
    const g = p.grad();
    for (let j = 0; j < g.length; j++) g[j] = rng.normal() * 10 ** rng.uniform(-9, 1);
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
  params: Param[],
  o: {
    beta1: number;
    beta2: number;
    eps: number;
    wd: number;
    decoupled: boolean;
    scale: (name: string) => number;
  },
): Reference {
  const w = params.map((p) => Float64Array.from(p.value()));
  const m = w.map((x) => new Float64Array(x.length));
  const v = w.map((x) => new Float64Array(x.length));
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
function referenceSgd(params: Param[], o: { momentum: number; nesterov: boolean; wd: number }): Reference {
  const w = params.map((p) => Float64Array.from(p.value()));
  const b = w.map((x) => new Float64Array(x.length));
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
  params: Param[],
  optimizer: Optimizer,
  reference: Reference,
  lrAt: (step: number) => number,
  steps = 12,
): void {
  for (let k = 0; k < steps; k++) {
    fillGradients(params, k);
    const grads = params.map((p) => Float64Array.from(p.grad()));
    assert.equal(optimizer.currentLr(), lrAt(k));
    optimizer.step();
    reference.step(grads, lrAt(k));
    params.forEach((p, i) => assertClose(p.value(), reference.w[i], `${label} step ${k + 1} ${p.name}`));
  }
  assert.equal(optimizer.stepCount, steps);
}

const gateScale = (name: string): number => (name.endsWith('gate') ? 10 : 1);

for (const backend of BACKENDS) {
  test(`Adam (${backend}) matches the float64 reference over 12 steps: bias correction, L2 on decay params only`, async () => {
    const { params, where } = await setup(backend, 1);
    const opt = new Adam(params, {
      ...where,
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
    runAgainstReference(`Adam ${backend}`, params, opt, ref, () => 1e-2);
  });

  test(`AdamW (${backend}) matches the float64 reference with decoupled decay and warmup+cosine`, async () => {
    const { params, where } = await setup(backend, 2);
    const schedule = withWarmup(cosineDecay({ peak: 3e-2, steps: 8, floor: 1e-3 }), 3);
    const opt = new AdamW(params, {
      ...where,
      lr: schedule,
      weightDecay: 0.5,
      lrScale: (p) => gateScale(p.name),
    });
    const ref = referenceAdam(params, {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      wd: 0.5,
      decoupled: true,
      scale: gateScale,
    });
    runAgainstReference(`AdamW ${backend}`, params, opt, ref, schedule);
  });

  test(`SGD (${backend}): plain, momentum and Nesterov with weight decay match the float64 reference`, async () => {
    for (const o of [
      { momentum: 0, nesterov: false, wd: 0.1 },
      { momentum: 0.9, nesterov: false, wd: 1e-2 },
      { momentum: 0.8, nesterov: true, wd: 1e-1 },
    ]) {
      const { params, where } = await setup(backend, 4);
      const opt = new Sgd(params, {
        ...where,
        lr: 1e-3,
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.wd,
      });
      runAgainstReference(
        `SGD ${backend} ${JSON.stringify(o)}`,
        params,
        opt,
        referenceSgd(params, o),
        () => 1e-3,
      );
    }
  });

  test(`resume (${backend}): k steps, save state, new optimizer, load, N-k steps is bit-identical to N steps`, async () => {
    const N = 15;
    const k = 6;
    const makeOptimizers: Array<[string, (p: Param[], where: Setup['where']) => Optimizer]> = [
      [
        'Adam',
        (p, where) => new Adam(p, { ...where, lr: withWarmup(cosineDecay({ peak: 1e-2, steps: 10 }), 4) }),
      ],
      ['AdamW', (p, where) => new AdamW(p, { ...where, lr: 1e-2, lrScale: (q) => gateScale(q.name) })],
      [
        'SGD',
        (p, where) => new Sgd(p, { ...where, lr: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
      ],
    ];
    // Gradients that depend on the weights, so any drift would compound.
    const train = (params: Param[], opt: Optimizer, from: number, to: number): void => {
      for (let s = from; s < to; s++) {
        fillGradients(params, s);
        for (const p of params) {
          const w = p.value();
          const g = p.grad();
          for (let j = 0; j < g.length; j++) g[j] += Math.sin(3 * w[j]);
        }
        opt.step();
      }
    };
    const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.slice().buffer);
    for (const [name, make] of makeOptimizers) {
      const straight = await setup(backend, 5);
      const straightOpt = make(straight.params, straight.where);
      train(straight.params, straightOpt, 0, N);

      const first = await setup(backend, 5);
      const firstOpt = make(first.params, first.where);
      train(first.params, firstOpt, 0, k);
      const saved = firstOpt.state();
      assert.equal(saved.step, k);
      const resumed = await setup(backend, 99);
      resumed.params.forEach((p, i) => p.value().set(first.params[i].value()));
      const resumedOpt = make(resumed.params, resumed.where);
      resumedOpt.loadState(saved, 'ckpt');
      train(first.params, firstOpt, k, k + 1); // the saved state must be a copy, not a live view
      train(resumed.params, resumedOpt, k, N);

      assert.equal(resumedOpt.stepCount, N, name);
      straight.params.forEach((p, i) => {
        assert.deepEqual(bits(resumed.params[i].value()), bits(p.value()), `${name} ${p.name}`);
      });
      const a = straightOpt.state();
      const b = resumedOpt.state();
      assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
      for (const key of Object.keys(a)) assert.deepEqual(b[key], a[key], `${name} state ${key}`);
    }
  });
}

test('with an engine the updates run in the SIMD kernels, one call per param and step', async () => {
  const { params, where } = await setup('wasm', 9);
  const engine = where.engine!;
  const calls = { adam_f32: 0, sgd_f32: 0 };
  // The wasm exports object is frozen: wrap a copy of it.
  const counting: Kernels = {
    ...engine.kernels,
    adam_f32: (...args: Parameters<Kernels['adam_f32']>) => {
      calls.adam_f32++;
      engine.kernels.adam_f32(...args);
    },
    sgd_f32: (...args: Parameters<Kernels['sgd_f32']>) => {
      calls.sgd_f32++;
      engine.kernels.sgd_f32(...args);
    },
  };
  const spy = Object.create(engine, { kernels: { value: counting } }) as Engine;
  const adam = new AdamW(params, { lr: 1e-3, engine: spy });
  const sgd = new Sgd(params, { lr: 1e-3, engine: spy });
  for (let s = 0; s < 3; s++) {
    fillGradients(params, s);
    adam.step();
    sgd.step();
  }
  assert.deepEqual(calls, { adam_f32: 3 * params.length, sgd_f32: 3 * params.length });
});

test('an engine-backed optimizer refuses params that live outside its engine', async () => {
  const js = await setup('js', 10);
  const engine = await createEngine();
  assert.throws(
    () => new Adam(js.params, { lr: 1e-3, engine }),
    (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === 'param "conv.weight"',
  );
  // The engine's own params are fine, whatever else its memory holds.
  const own = engine.param('w', [3], init.zeros);
  assert.doesNotThrow(() => new Adam([own], { lr: 1e-3, engine }));
});

test('AdamW leaves params without decay undecayed (zero gradient, weights unchanged)', async () => {
  const { params } = await setup('js', 3);
  const kept = params[1];
  const shrunk = params[0];
  const before = [Float64Array.from(kept.value()), Float64Array.from(shrunk.value())];
  const opt = new AdamW([kept, shrunk], { lr: 0.1, weightDecay: 0.5 });
  opt.step();
  assert.deepEqual(Array.from(kept.value()), Array.from(before[0]));
  assertClose(
    shrunk.value(),
    before[1].map((x) => x * (1 - 0.1 * 0.5)),
    'decayed weight',
    1e-6,
  );
});

test('loadState rejects a state that does not fit, naming the source and entry', async () => {
  const { params } = await setup('js', 6);
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

test('optimizer settings are checked: BAD_CONFIG naming the setting', async () => {
  const { params } = await setup('js', 7);
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

test('clipGradNorm: float64 global norm, scales by maxNorm/(norm+1e-6) only above maxNorm', async () => {
  const { params } = await setup('js', 8);
  fillGradients(params, 3);
  for (const p of params) {
    const g = p.grad();
    for (let j = 0; j < g.length; j++) g[j] += (j % 3) - 1;
  }
  const original = params.map((p) => Float64Array.from(p.grad()));
  let sum = 0;
  for (const g of original) for (const x of g) sum += x * x;
  const expectedNorm = Math.sqrt(sum);

  assert.equal(clipGradNorm(params, expectedNorm * 2), expectedNorm);
  params.forEach((p, i) =>
    assert.deepEqual(Array.from(p.grad()), Array.from(original[i]), 'no clip below maxNorm'),
  );

  const maxNorm = expectedNorm / 4;
  assert.equal(clipGradNorm(params, maxNorm), expectedNorm);
  const coefficient = maxNorm / (expectedNorm + 1e-6);
  params.forEach((p, i) =>
    assertClose(
      p.grad(),
      original[i].map((x) => x * coefficient),
      `clipped ${p.name}`,
      1e-6,
    ),
  );
  let after = 0;
  for (const p of params) for (const x of p.grad()) after += x * x;
  assert.ok(Math.abs(Math.sqrt(after) - maxNorm) < 1e-5 * maxNorm);

  params[1].grad()[2] = NaN;
  const before = params.map((p) => Float32Array.from(p.grad()));
  assert.ok(Number.isNaN(clipGradNorm(params, 1)));
  params.forEach((p, i) =>
    assert.deepEqual(p.grad(), before[i], 'a non-finite norm leaves gradients untouched'),
  );
});
