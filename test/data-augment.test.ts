import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/common/index.js';
import { applyGain, applySpecAugment, drawSpecAugment } from '../src/data/index.js';

const OFFSET = 0.001;

test('gain shifts log-mel by ln(g) where mel ≫ offset and leaves silence alone', () => {
  const rng = new Rng(5);
  const n = 96 * 64;
  // Cells from silence (mel = 0) up to loud (mel = 100), as log(mel + offset).
  const mel = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : Math.exp(rng.uniform(-2, 4.6))));
  for (const dB of [-12, -3, 6]) {
    const x = Float32Array.from(mel, (m) => Math.log(m + OFFSET));
    applyGain(x, dB, OFFSET);
    const g = 10 ** (dB / 20);
    for (let i = 0; i < n; i++) {
      const want = Math.log(g * mel[i] + OFFSET); // float64 reference: gain on the magnitude
      assert.ok(Math.abs(x[i] - want) < 1e-4 + 1e-5 * Math.abs(want), `cell ${i}: ${x[i]} vs ${want}`);
      if (mel[i] === 0) assert.ok(Math.abs(x[i] - Math.log(OFFSET)) < 1e-5);
      if (mel[i] > 10) {
        const shift = x[i] - Math.log(mel[i] + OFFSET);
        assert.ok(Math.abs(shift - Math.log(g)) < 1e-3, `shift ${shift} vs ln g ${Math.log(g)}`);
      }
    }
  }
});

test('SpecAugment draws stay in range and masks set exactly the drawn spans to the patch mean', () => {
  const frames = 96;
  const bands = 64;
  const cfg = { timeMasks: 2, maxTimeWidth: 20, freqMasks: 3, maxFreqWidth: 10 };
  for (let seed = 0; seed < 50; seed++) {
    const d = drawSpecAugment(new Rng(seed), cfg, frames, bands);
    assert.equal(d.time.length, 2);
    assert.equal(d.freq.length, 3);
    for (const m of d.time)
      assert.ok(m.width >= 0 && m.width <= 20 && m.start >= 0 && m.start + m.width <= frames);
    for (const m of d.freq)
      assert.ok(m.width >= 0 && m.width <= 10 && m.start >= 0 && m.start + m.width <= bands);
    const rng = new Rng(seed + 1000);
    const x = Float32Array.from({ length: frames * bands }, () => rng.uniform(-7, 3));
    const orig = x.slice();
    let mean = 0;
    for (const v of orig) mean += v;
    mean /= orig.length;
    applySpecAugment(x, frames, bands, d);
    for (let f = 0; f < frames; f++) {
      for (let b = 0; b < bands; b++) {
        const masked =
          d.time.some((m) => f >= m.start && f < m.start + m.width) ||
          d.freq.some((m) => b >= m.start && b < m.start + m.width);
        const v = x[f * bands + b];
        if (masked) assert.ok(Math.abs(v - mean) < 1e-5, `(${f}, ${b}) should be masked`);
        else assert.equal(v, orig[f * bands + b], `(${f}, ${b}) changed`);
      }
    }
  }
  // Same seed, same masks.
  assert.deepEqual(
    drawSpecAugment(new Rng(9), cfg, frames, bands),
    drawSpecAugment(new Rng(9), cfg, frames, bands),
  );
});
