import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FRONTEND, logMel, parseFrontendConfig, patchStarts, toPatches } from '../src/audio/index.js';
import { MtaError, Rng } from '../src/common/index.js';

const noise = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => 0.1 * rng.normal());
};
const samplesFor = (frames: number) => 400 + (frames - 1) * 160;

test('patch starts: hop 48 while a patch fits, then one patch ending at the last frame', () => {
  const cases: [number, number[]][] = [
    [0, []],
    [1, [0]],
    [95, [0]],
    [96, [0]],
    [97, [0, 1]],
    [144, [0, 48]],
    [150, [0, 48, 54]],
    [192, [0, 48, 96]],
    [200, [0, 48, 96, 104]],
  ];
  for (const [frames, starts] of cases)
    assert.deepEqual(patchStarts(frames, DEFAULT_FRONTEND), starts, `${frames}`);
  const hop96 = parseFrontendConfig({ patchHopFrames: 96 });
  assert.deepEqual(patchStarts(250, hop96), [0, 96, 154]);
});

test('toPatches copies frames [start, start + 96) of the log-mel into each patch', () => {
  const m = logMel(noise(samplesFor(250), 1));
  assert.equal(m.frames, 250);
  const p = toPatches(m);
  const starts = [0, 48, 96, 144, 154];
  assert.deepEqual([p.count, p.frames, p.bands], [starts.length, 96, 64]);
  starts.forEach((s, i) => {
    assert.deepEqual(p.data.subarray(i * 96 * 64, (i + 1) * 96 * 64), m.data.subarray(s * 64, (s + 96) * 64));
  });
});

test('a clip shorter than one patch is padded after its end with the log-mel of digital silence', () => {
  const x = noise(8000, 2); // 0.5 s: 48 frames
  const m = logMel(x);
  assert.equal(m.frames, 48);
  const p = toPatches(m);
  assert.equal(p.count, 1);
  assert.deepEqual(p.data.subarray(0, 48 * 64), m.data);
  // Same as zero-padding the waveform to one patch (15,600 samples), for every frame whose window
  // lies wholly in the padding (t·160 ≥ 8000); the two frames straddling the end see both.
  const padded = new Float32Array(15600);
  padded.set(x);
  const ref = logMel(padded);
  assert.deepEqual(p.data.subarray(50 * 64), ref.data.subarray(50 * 64));
  assert.ok(p.data.subarray(48 * 64).every((v) => v === Math.fround(Math.log(0.001))));
});

test('no frame, no patch; a mismatched LogMel is rejected', () => {
  assert.equal(toPatches(logMel(new Float32Array(100))).count, 0);
  assert.throws(
    () => toPatches({ frames: 3, bands: 64, data: new Float32Array(100) }),
    (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === 'logMel',
  );
});
