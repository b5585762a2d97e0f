import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError, Rng } from '../src/common/index.js';
import { resampleClip, StreamResampler } from '../src/runtime/index.js';

const tone = (n: number, rate: number, hz: number, phase = 0.3): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate + phase));

/** Least-squares amplitude and phase of a sinusoid at `hz` in y[from, to) (float64). */
function fitTone(y: Float32Array, rate: number, hz: number, from: number, to: number) {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det; // y ≈ a·sin + b·cos = A·sin(θ + φ)
  const b = (yc * ss - ys * sc) / det;
  let residual = 0;
  for (let i = from; i < to; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rate) + b * Math.cos((2 * Math.PI * hz * i) / rate);
    residual += (y[i] - fit) ** 2;
  }
  return {
    amplitude: Math.hypot(a, b),
    phase: Math.atan2(b, a),
    residualRms: Math.sqrt(residual / (to - from)),
  };
}

function rms(y: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

const db = (x: number): number => 20 * Math.log10(x);

test('streamed output is identical to one-shot output for any chunking, and has ceil(n·to/from) samples', () => {
  const rng = new Rng(1);
  for (const [from, to] of [
    [44100, 16000],
    [48000, 16000],
    [8000, 16000],
    [22050, 16000],
  ]) {
    const x = Float32Array.from({ length: 20000 }, () => rng.normal() * 0.2);
    const whole = resampleClip(x, from, to);
    assert.equal(whole.length, Math.ceil((x.length * to) / from));
    const r = new StreamResampler(from, to);
    const parts: number[] = [];
    for (let off = 0; off < x.length;) {
      const size = [0, 1, 7, 160, 441, 4096][rng.int(6)];
      parts.push(...r.push(x.subarray(off, off + size)));
      off += size;
    }
    parts.push(...r.end());
    assert.equal(parts.length, whole.length, `${from} → ${to}`);
    assert.deepEqual(Float32Array.from(parts), whole, `${from} → ${to}`);
  }
});

test('passband: tones up to 7.4 kHz keep amplitude (±0.01 dB) and phase (no delay) from 48, 44.1 and 22.05 kHz', () => {
  for (const from of [48000, 44100, 22050]) {
    for (const hz of [100, 1000, 4000, 7000, 7400]) {
      const x = tone(from, from, hz); // 1 s
      const y = resampleClip(x, from, 16000);
      const fit = fitTone(y, 16000, hz, 2000, 14000);
      assert.ok(
        Math.abs(db(fit.amplitude / 0.5)) < 0.01,
        `${from} Hz, ${hz} Hz tone: ${db(fit.amplitude / 0.5)} dB`,
      );
      assert.ok(Math.abs(fit.phase - 0.3) < 1e-3, `${from} Hz, ${hz} Hz tone: phase ${fit.phase}`);
      assert.ok(fit.residualRms < 1e-4, `${from} Hz, ${hz} Hz: residual ${fit.residualRms}`);
    }
  }
});

test('stopband: tones from 8.5 kHz up are attenuated by more than 90 dB on the way to 16 kHz', () => {
  for (const from of [48000, 44100]) {
    for (const hz of [8500, 9000, 12000, 20000]) {
      const y = resampleClip(tone(from, from, hz), from, 16000);
      const level = db(rms(y, 2000, 14000) / (0.5 / Math.SQRT2));
      assert.ok(level < -90, `${from} Hz, ${hz} Hz tone leaks at ${level} dB`);
    }
  }
});

test('upsampling 8 kHz → 16 kHz adds no image above 4 kHz (residual < −80 dB)', () => {
  for (const hz of [1000, 3000, 3700]) {
    const y = resampleClip(tone(8000, 8000, hz), 8000, 16000);
    const fit = fitTone(y, 16000, hz, 2000, 14000);
    assert.ok(Math.abs(db(fit.amplitude / 0.5)) < 0.01);
    assert.ok(db(fit.residualRms / (0.5 / Math.SQRT2)) < -80, `${hz} Hz: image at ${db(fit.residualRms)} dB`);
  }
});

test('the same rate passes samples through; bad rates are typed errors', () => {
  const x = Float32Array.from([0.1, -0.2, 0.3]);
  assert.deepEqual(resampleClip(x, 16000, 16000), x);
  for (const [from, to, subject] of [
    [0, 16000, 'fromRate'],
    [44100.5, 16000, 'fromRate'],
    [16000, 1e7, 'toRate'],
  ] as const) {
    assert.throws(
      () => new StreamResampler(from, to),
      (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === subject,
    );
  }
});
