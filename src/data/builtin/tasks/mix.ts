/** Degradations shared by the task generators: rooms, background noise at a random SNR, cropping. */
import type { Rng } from '../../../common/index.js';
import { mixAtSnr, reverb, seconds } from '../dsp.js';
import { randomBackground } from '../scenes.js';

/** With probability p, puts x in a random room (small to large, dry to wet). */
export function maybeRoom(x: Float32Array, rng: Rng, p: number): Float32Array {
  return rng.next() < p ? reverb(x, rng.uniform(0.2, 1.2), rng.uniform(0.1, 0.45)) : x;
}

/** Adds a random background (scene or coloured noise) at an SNR drawn uniformly from snrDb, in dB. */
export function addBackground(
  x: Float32Array,
  rng: Rng,
  snrDb: [number, number],
  allowBabble = false,
): Float32Array {
  return mixAtSnr(x, randomBackground(x.length, rng, allowBabble), rng.uniform(snrDb[0], snrDb[1]));
}

/** n samples of x from a random start within the first maxShift seconds (zero-padded if x is short). */
export function crop(x: Float32Array, n: number, rng: Rng, maxShift: number): Float32Array {
  const slack = Math.max(0, Math.min(x.length - n, seconds(maxShift)));
  const start = rng.int(slack + 1);
  const out = new Float32Array(n);
  out.set(x.subarray(start, Math.min(x.length, start + n)));
  return out;
}
