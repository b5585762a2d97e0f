/**
 * The last stage of every clip: a random recording channel (microphone low cut, bandwidth, tilt),
 * a random level, and a peak guard. The same channel distribution is applied to every class of
 * every task, so bandwidth or loudness never gives a label away.
 */
import type { Rng } from '../../common/index.js';
import { Biquad, dbToGain, peak, scale, setRms } from './dsp.js';

export interface Channel {
  lowCut: number;
  bandwidth: number;
  tiltDb: number;
  /** A resonance of the device or room: [Hz, dB]. */
  colour: [number, number];
}

export function randomChannel(rng: Rng): Channel {
  return {
    lowCut: rng.uniform(40, 300),
    bandwidth: rng.uniform(3800, 7800),
    tiltDb: rng.uniform(-6, 6),
    colour: [rng.uniform(300, 4000), rng.uniform(-6, 6)],
  };
}

export function applyChannel(x: Float32Array, ch: Channel): Float32Array {
  new Biquad('highpass', ch.lowCut, 0.7).run(x);
  new Biquad('lowpass', ch.bandwidth, 0.7).run(x);
  new Biquad('highshelf', 1500, 0.7, ch.tiltDb).run(x);
  return new Biquad('peaking', ch.colour[0], 1.5, ch.colour[1]).run(x);
}

/** Output RMS range in dBFS: quiet recordings to loud ones. */
const LEVEL_DB: [number, number] = [-38, -14];
const PEAK_LIMIT = 0.99;

/**
 * Channel (the given one, or a fresh random one), then a random RMS level, then scaled down if a
 * peak would exceed the limit, so samples always lie in [-1, 1].
 */
export function finishClip(x: Float32Array, rng: Rng, channel = randomChannel(rng)): Float32Array {
  applyChannel(x, channel);
  setRms(x, dbToGain(rng.uniform(LEVEL_DB[0], LEVEL_DB[1])));
  const p = peak(x);
  if (p > PEAK_LIMIT) scale(x, PEAK_LIMIT / p);
  return x;
}
