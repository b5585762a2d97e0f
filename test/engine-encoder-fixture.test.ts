// The whole reference encoder (width 0.25, 10-class head) against PyTorch 1.13:
// ../shared/fixtures/encoder-small.safetensors, made by make_encoder_fixture.py beside it.
// Training-mode logits, loss, running statistics, every parameter gradient and the input gradient,
// then eval-mode logits. Layout conversion: NCHW → NHWC, conv [out, in, kh, kw] → [kh, kw, in, out],
// dense [classes, features] → [features, classes].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReferenceEncoder, createEngine, SoftmaxCrossEntropy } from '../src/engine/index.js';
import { FIXTURES_DIR } from './helpers/paths.js';

interface Entry {
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** Minimal safetensors reader for this fixture (u64 LE header length, JSON header, raw LE data). */
function readSafetensors(path: string): Map<string, Entry> {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLength;
  const out = new Map<string, Entry>();
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const raw = bytes.subarray(base + h.data_offsets[0], base + h.data_offsets[1]);
    const copy = new Uint8Array(raw).buffer;
    const data = h.dtype === 'F32' ? new Float32Array(copy) : new BigInt64Array(copy);
    out.set(name, { shape: h.shape, data });
  }
  return out;
}

const fx = readSafetensors(join(FIXTURES_DIR, 'encoder-small.safetensors'));

function f32(name: string): Float32Array {
  const e = fx.get(name);
  assert.ok(e, `fixture lacks ${name}`);
  return e.data as Float32Array;
}

/** [out, in, kh, kw] → [kh, kw, in, out]. */
function convToHwio(name: string): Float32Array {
  const [O, I, KH, KW] = fx.get(name)!.shape;
  const src = f32(name);
  const dst = new Float32Array(src.length);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let h = 0; h < KH; h++)
        for (let w = 0; w < KW; w++)
          dst[((h * KW + w) * I + i) * O + o] = src[((o * I + i) * KH + h) * KW + w];
  return dst;
}

/** [rows, cols] → [cols, rows]. */
function transpose(name: string): Float32Array {
  const [R, C] = fx.get(name)!.shape;
  const src = f32(name);
  return Float32Array.from(src, (_, k) => src[(k % R) * C + Math.floor(k / R)]);
}

/** |a − r| ≤ tol·(|r| + scale) everywhere, scale = the largest |r| (errors of sums grow with it). */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 3e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * (Math.abs(expected[i]) + scale))) {
      assert.fail(
        `${what}: first mismatch at ${i}: got ${actual[i]}, expected ${expected[i]} (scale ${scale})`,
      );
    }
  }
}

test('reference encoder at width 0.25 matches PyTorch: training logits, loss, all gradients, eval logits', async () => {
  // test/engine-relaxed.test.ts reruns this file with the relaxed-SIMD kernels required.
  const engine = await createEngine({ relaxedSimd: process.env.MTA_RELAXED_SIMD === '1' || undefined });
  const net = buildReferenceEncoder(engine, { width: 0.25, classes: 10, name: 'enc' });
  const loss = new SoftmaxCrossEntropy(engine, 'loss', 10);
  const torchName = new Map<string, string>();
  for (let i = 0; i < 6; i++) {
    for (const s of ['t', 'f']) {
      torchName.set(`enc.blocks.${i}.conv_${s}.weight`, `blocks.${i}.conv_${s}.weight`);
      torchName.set(`enc.blocks.${i}.bn_${s}.gamma`, `blocks.${i}.bn_${s}.weight`);
      torchName.set(`enc.blocks.${i}.bn_${s}.beta`, `blocks.${i}.bn_${s}.bias`);
    }
  }
  torchName.set('enc.head.weight', 'head.weight');
  torchName.set('enc.head.bias', 'head.bias');
  const layout = (torch: string): Float32Array =>
    torch.endsWith('conv_t.weight') || torch.endsWith('conv_f.weight')
      ? convToHwio(torch)
      : torch.endsWith('head.weight')
        ? transpose(torch)
        : f32(torch);

  const params = net.params();
  assert.equal(params.length, torchName.size);
  for (const p of params) p.value().set(layout(`param.${torchName.get(p.name)}`));

  const [B] = fx.get('x')!.shape;
  const labels = Array.from(fx.get('y')!.data as BigInt64Array, Number);
  const x = engine.fromValues([B, 96, 64, 1], f32('x'));
  const logits = net.forward(x, 'train');
  assertClose(logits.data(), f32('train.logits'), 'train.logits');
  const { loss: value, dlogits } = loss.forward(logits, labels);
  assertClose([value], f32('train.loss'), 'train.loss');

  engine.zeroGrads();
  const dx = net.backward(dlogits, true)!;
  for (const p of params) assertClose(p.grad(), layout(`grad.${torchName.get(p.name)}`), `grad of ${p.name}`);
  assertClose(dx.data(), f32('grad.x'), 'grad.x');

  // One training forward from running stats (0, 1) with momentum 0.01 gives the fixture's stats.
  for (const b of net.buffers()) {
    const torch = b.name.replace(/^enc\./, 'param.');
    assertClose(b.value(), f32(torch), b.name);
  }
  const evalLogits = net.forward(x, 'eval');
  assertClose(evalLogits.data(), f32('eval.logits'), 'eval.logits');

  // The folded inference network (conv + BN + ReLU in one kernel) gives the same eval logits.
  const folded = net.fold();
  assertClose(folded.forward(x, 'eval').data(), f32('eval.logits'), 'folded eval.logits');
});
