import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError, Rng } from '../src/common/index.js';
import { Adam } from '../src/engine/index.js';
import { loadOptimizerState, loadParams, saveOptimizerState, saveParams } from '../src/io/index.js';
import { decodeSafetensors, encodeSafetensors } from '../src/io/index.js';

interface TestParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly decay: boolean;
  readonly w: Float32Array;
  value(): Float32Array;
  grad(): Float32Array;
}

function makeParams(seed: number, shapes: Record<string, number[]>): TestParam[] {
  const rng = new Rng(seed);
  return Object.entries(shapes).map(([name, shape]) => {
    const w = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    const g = new Float32Array(w.length);
    return { name, shape, decay: true, w, value: () => w, grad: () => g };
  });
}

const SHAPES = { 'block0.conv_t.weight': [3, 1, 1, 8], 'block0.bn_t.gamma': [8], 'head.weight': [8, 10] };

function expectBadModel(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof MtaError, String(e));
    assert.equal(e.code, 'BAD_MODEL');
    assert.equal(e.subject, 'model.safetensors');
    assert.match(e.describe(), pattern);
    return true;
  });
}

test('saveParams/loadParams round trip is bit-exact and returns the metadata', () => {
  const source = makeParams(1, SHAPES);
  const bytes = saveParams(source, { width: '0.25' });
  // Independent look at the file: one F32 tensor per param, same name and shape.
  const { tensors } = decodeSafetensors(bytes, 'x');
  for (const p of source) {
    assert.equal(tensors[p.name].dtype, 'F32');
    assert.deepEqual(tensors[p.name].shape, p.shape);
  }
  const target = makeParams(2, SHAPES);
  const metadata = loadParams(target, bytes, 'model.safetensors');
  assert.deepEqual(metadata, { width: '0.25' });
  target.forEach((p, i) =>
    assert.deepEqual(new Uint32Array(p.w.buffer), new Uint32Array(source[i].w.buffer)),
  );
  // Loading copies: the model does not alias the file's bytes.
  bytes.fill(0);
  assert.notEqual(target[0].w[0], 0);
});

test('loadParams names the param and the mismatch, and writes nothing on failure', () => {
  const bytes = saveParams(makeParams(1, SHAPES));
  const cases: Array<[Record<string, number[]>, RegExp]> = [
    [{ ...SHAPES, 'head.bias': [10] }, /param "head.bias" is missing/],
    [
      { ...SHAPES, 'head.weight': [10, 8] },
      /param "head.weight" has the wrong shape \(expected \[10,8\], got \[8,10\]\)/,
    ],
    [
      { 'block0.conv_t.weight': [3, 1, 1, 8], 'head.weight': [8, 10] },
      /tensors the model does not have: "block0.bn_t.gamma"/,
    ],
    [{ constructor: [1] }, /param "constructor" is missing/],
  ];
  for (const [shapes, pattern] of cases) {
    const target = makeParams(3, shapes);
    const before = target.map((p) => p.w.slice());
    expectBadModel(() => loadParams(target, bytes, 'model.safetensors'), pattern);
    target.forEach((p, i) => assert.deepEqual(p.w, before[i], 'no partial load'));
  }
  const asI32 = encodeSafetensors({
    'block0.bn_t.gamma': { dtype: 'I32', shape: [8], data: new Int32Array(8) },
  });
  expectBadModel(
    () => loadParams(makeParams(4, { 'block0.bn_t.gamma': [8] }), asI32, 'model.safetensors'),
    /wrong dtype \(expected F32, got I32\)/,
  );
  expectBadModel(
    () => loadParams(makeParams(4, SHAPES), bytes.subarray(0, 40), 'model.safetensors'),
    /header/,
  );
});

test('optimizer state survives a safetensors round trip and resumes bit-identically', () => {
  const params = makeParams(5, SHAPES);
  const grads = params.map((p) => p.grad());
  const opt = new Adam(params, { lr: 1e-2 });
  const gradientsFor = (step: number): void => {
    grads.forEach((g, i) => {
      const rng = Rng.derive(step, i);
      for (let j = 0; j < g.length; j++) g[j] = rng.normal();
    });
  };
  for (let s = 0; s < 3; s++) {
    gradientsFor(s);
    opt.step();
  }
  const paramBytes = saveParams(params);
  const stateBytes = saveOptimizerState(opt.state(), { run: 'a' });
  for (let s = 3; s < 6; s++) {
    gradientsFor(s);
    opt.step();
  }

  const resumed = makeParams(6, SHAPES);
  loadParams(resumed, paramBytes, 'model.safetensors');
  const resumedOpt = new Adam(resumed, { lr: 1e-2 });
  resumedOpt.loadState(loadOptimizerState(stateBytes, 'opt.safetensors'), 'opt.safetensors');
  assert.equal(resumedOpt.stepCount, 3);
  const resumedGrads = resumed.map((p) => p.grad());
  for (let s = 3; s < 6; s++) {
    grads.forEach((_, i) => {
      const rng = Rng.derive(s, i);
      for (let j = 0; j < resumedGrads[i].length; j++) resumedGrads[i][j] = rng.normal();
    });
    resumedOpt.step();
  }
  resumed.forEach((p, i) =>
    assert.deepEqual(new Uint32Array(p.w.buffer), new Uint32Array(params[i].w.buffer)),
  );

  const noStep = encodeSafetensors({
    'exp_avg.head.weight': { dtype: 'F32', shape: [1], data: new Float32Array(1) },
  });
  assert.throws(
    () => loadOptimizerState(noStep, 'opt.safetensors'),
    (e: unknown) => e instanceof MtaError && e.code === 'BAD_MODEL' && e.subject === 'opt.safetensors',
  );
});
