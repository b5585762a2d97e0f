/**
 * Signal primitives shared by every built-in generator. Conventions: mono Float32Array buffers at
 * SAMPLE_RATE, time in seconds or samples as named, frequencies in Hz, levels in dB where named so.
 * Filters keep their state between calls so a caller can drive them sample by sample or in blocks.
 */
import type { Rng } from '../../common/index.js';

export const SAMPLE_RATE = 16000;
const NYQUIST = SAMPLE_RATE / 2;

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

export function seconds(s: number): number {
  return Math.round(s * SAMPLE_RATE);
}

/**
 * Audio-rate uniform noise in [-1, 1): xorshift32 (Marsaglia 2003) in int32 arithmetic, seeded from
 * an Rng. Per-sample noise is the hottest loop of every generator, and Rng.next() costs ~35 ns
 * (its uint32 state is boxed by V8) against ~2 ns here; Rng still makes every structural draw.
 */
export class Noise {
  private x: number;

  constructor(rng: Rng) {
    this.x = rng.nextU32() | 1;
  }

  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    this.x = x;
    return x * 4.656612873077393e-10;
  }
}

/** White noise, uniform in [-1, 1): as flat as Gaussian noise and cheaper to draw. */
export function whiteNoise(rng: Rng, n: number): Float32Array {
  const src = new Noise(rng);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = src.next();
  return out;
}

/** Pink (−3 dB/octave) noise by Paul Kellet's economy filter bank on white noise. */
export function pinkNoise(rng: Rng, n: number): Float32Array {
  const src = new Noise(rng);
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = src.next();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = (b0 + b1 + b2 + w * 0.1848) * 0.25;
  }
  return out;
}

/** Brown (−6 dB/octave) noise: a leaky integrator of white noise, leak set near 20 Hz. */
export function brownNoise(rng: Rng, n: number): Float32Array {
  const src = new Noise(rng);
  const out = new Float32Array(n);
  const leak = 1 - (2 * Math.PI * 20) / SAMPLE_RATE;
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = leak * y + src.next() * 0.1;
    out[i] = y;
  }
  return out;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

export function peak(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m) m = a;
  }
  return m;
}

export function scale(x: Float32Array, g: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/** Scales x in place to the given RMS (silence stays silent). */
export function setRms(x: Float32Array, target: number): Float32Array {
  const r = rms(x);
  return r > 1e-12 ? scale(x, target / r) : x;
}

/** Adds gain·src into dst starting at sample offset (either may overhang the other; the overlap counts). */
export function addInto(dst: Float32Array, src: Float32Array, offset = 0, gain = 1): void {
  const from = Math.max(0, -offset);
  const to = Math.min(src.length, dst.length - offset);
  for (let i = from; i < to; i++) dst[i + offset] += gain * src[i];
}

/**
 * Mixes noise into signal (in place) so that the signal-to-noise power ratio is snrDb. Powers are
 * measured over the whole buffers, as a listener would judge a clip.
 */
export function mixAtSnr(signal: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  const ps = rms(signal);
  const pn = rms(noise);
  if (pn < 1e-12) return signal;
  const g = (ps > 1e-12 ? ps : 1) / pn / dbToGain(snrDb);
  addInto(signal, noise, 0, g);
  return signal;
}

/** Raised-cosine fade in and out, lengths in samples, to avoid clicks at cut edges. */
export function fade(x: Float32Array, inLen: number, outLen = inLen): Float32Array {
  const a = Math.min(inLen, x.length);
  for (let i = 0; i < a; i++) x[i] *= 0.5 - 0.5 * Math.cos((Math.PI * i) / a);
  const b = Math.min(outLen, x.length);
  for (let i = 0; i < b; i++) x[x.length - 1 - i] *= 0.5 - 0.5 * Math.cos((Math.PI * i) / b);
  return x;
}

/** Attack-decay-sustain-release envelope of n samples; times in seconds, release ends at n. */
export function adsr(
  n: number,
  attack: number,
  decay: number,
  sustain: number,
  release: number,
): Float32Array {
  const env = new Float32Array(n);
  const a = Math.max(1, seconds(attack));
  const d = Math.max(1, seconds(decay));
  const r = Math.min(n, Math.max(1, seconds(release)));
  const relStart = n - r;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (i < a) v = i / a;
    else if (i < a + d) v = 1 - ((1 - sustain) * (i - a)) / d;
    else v = sustain;
    if (i >= relStart) v *= (n - i) / r;
    env[i] = v;
  }
  return env;
}

/** A smooth random curve: n samples of knots every `period` seconds, cosine-interpolated, values in [0, 1]. */
export function smoothRandom(rng: Rng, n: number, period: number): Float32Array {
  const step = Math.max(1, seconds(period));
  const knots = Array.from({ length: Math.ceil(n / step) + 2 }, () => rng.next());
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / step);
    const t = (i - k * step) / step;
    const w = 0.5 - 0.5 * Math.cos(Math.PI * t);
    out[i] = knots[k] * (1 - w) + knots[k + 1] * w;
  }
  return out;
}

/** One-pole lowpass in place: cheap tilt and smoothing. */
export function lowpass1(x: Float32Array, cutoff: number): Float32Array {
  const a = 1 - Math.exp((-2 * Math.PI * Math.min(cutoff, NYQUIST)) / SAMPLE_RATE);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y += a * (x[i] - y);
    x[i] = y;
  }
  return x;
}

/** One-pole highpass in place (x minus its one-pole lowpass). */
export function highpass1(x: Float32Array, cutoff: number): Float32Array {
  const a = 1 - Math.exp((-2 * Math.PI * Math.min(cutoff, NYQUIST)) / SAMPLE_RATE);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y += a * (x[i] - y);
    x[i] -= y;
  }
  return x;
}

/**
 * Two-pole resonator in Klatt's form (Klatt 1980, "Software for a cascade/parallel formant
 * synthesizer", eq. for resonators): unity gain at DC, a peak at f with bandwidth bw.
 * Cascading several of these gives a vocal-tract transfer function with natural formant levels.
 */
export class Resonator {
  private a = 1;
  private b = 0;
  private c = 0;
  private y1 = 0;
  private y2 = 0;

  set(f: number, bw: number): this {
    const t = 1 / SAMPLE_RATE;
    const freq = Math.min(Math.max(f, 20), NYQUIST - 200);
    this.c = -Math.exp(-2 * Math.PI * bw * t);
    this.b = 2 * Math.exp(-Math.PI * bw * t) * Math.cos(2 * Math.PI * freq * t);
    this.a = 1 - this.b - this.c;
    return this;
  }

  step(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }

  run(x: Float32Array): Float32Array {
    for (let i = 0; i < x.length; i++) x[i] = this.step(x[i]);
    return x;
  }
}

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass' | 'peaking' | 'lowshelf' | 'highshelf';

/**
 * Biquad in transposed direct form II with the Audio EQ Cookbook designs (R. Bristow-Johnson):
 * bandpass has 0 dB peak gain; gainDb only matters for peaking and shelves.
 */
export class Biquad {
  private b0 = 1;
  private b1 = 0;
  private b2 = 0;
  private a1 = 0;
  private a2 = 0;
  private z1 = 0;
  private z2 = 0;

  constructor(kind?: BiquadKind, f?: number, q?: number, gainDb = 0) {
    if (kind !== undefined && f !== undefined && q !== undefined) this.set(kind, f, q, gainDb);
  }

  set(kind: BiquadKind, f: number, q: number, gainDb = 0): this {
    const w = (2 * Math.PI * Math.min(Math.max(f, 10), NYQUIST * 0.98)) / SAMPLE_RATE;
    const cw = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const A = 10 ** (gainDb / 40);
    let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
    switch (kind) {
      case 'lowpass':
        b0 = (1 - cw) / 2;
        b1 = 1 - cw;
        b2 = b0;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
      case 'highpass':
        b0 = (1 + cw) / 2;
        b1 = -(1 + cw);
        b2 = b0;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
      case 'bandpass':
        b0 = alpha;
        b1 = 0;
        b2 = -alpha;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
      case 'peaking':
        b0 = 1 + alpha * A;
        b1 = -2 * cw;
        b2 = 1 - alpha * A;
        a0 = 1 + alpha / A;
        a1 = -2 * cw;
        a2 = 1 - alpha / A;
        break;
      case 'lowshelf':
      case 'highshelf': {
        const s = kind === 'lowshelf' ? 1 : -1;
        const sq = 2 * Math.sqrt(A) * alpha;
        b0 = A * (A + 1 - s * (A - 1) * cw + sq);
        b1 = 2 * s * A * (A - 1 - s * (A + 1) * cw);
        b2 = A * (A + 1 - s * (A - 1) * cw - sq);
        a0 = A + 1 + s * (A - 1) * cw + sq;
        a1 = -2 * s * (A - 1 + s * (A + 1) * cw);
        a2 = A + 1 + s * (A - 1) * cw - sq;
        break;
      }
    }
    this.b0 = b0 / a0;
    this.b1 = b1 / a0;
    this.b2 = b2 / a0;
    this.a1 = a1 / a0;
    this.a2 = a2 / a0;
    return this;
  }

  step(x: number): number {
    const y = this.b0 * x + this.z1;
    this.z1 = this.b1 * x - this.a1 * y + this.z2;
    this.z2 = this.b2 * x - this.a2 * y;
    return y;
  }

  run(x: Float32Array): Float32Array {
    for (let i = 0; i < x.length; i++) x[i] = this.step(x[i]);
    return x;
  }
}

const SINE_BITS = 12;
const SINE_SIZE = 1 << SINE_BITS;
const SINE_MASK = SINE_SIZE - 1;
const SINE = Float32Array.from({ length: SINE_SIZE }, (_, i) => Math.sin((2 * Math.PI * i) / SINE_SIZE));

/** Sine of a phase in cycles (any real), by table lookup: spurs near −70 dB, far below the noise we add. */
export function sinCycles(phase: number): number {
  return SINE[Math.floor(phase * SINE_SIZE) & SINE_MASK];
}

/** A damped sinusoid added into dst: the mode of a struck bar, a droplet, a click. */
export function addDampedSine(
  dst: Float32Array,
  offset: number,
  freq: number,
  decaySeconds: number,
  amp: number,
  maxSeconds = decaySeconds * 5,
): void {
  if (freq >= NYQUIST) return;
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  const r = Math.exp(-1 / (decaySeconds * SAMPLE_RATE));
  const c = 2 * r * Math.cos(w);
  const r2 = r * r;
  // y[n] = amp·rⁿ·sin(w·n) by its two-term recurrence, starting from y[0] = 0.
  let yPrev = 0;
  let y = amp * r * Math.sin(w);
  const len = seconds(maxSeconds);
  const first = Math.max(1, -offset);
  for (let n = 1; n < len; n++) {
    if (n >= first) {
      const i = offset + n;
      if (i >= dst.length) break;
      dst[i] += y;
    }
    const next = c * y - r2 * yPrev;
    yPrev = y;
    y = next;
  }
}

/**
 * Schroeder reverberator (Schroeder 1962: four parallel feedback combs, two series allpasses),
 * delays scaled to 16 kHz. rt60 in seconds; wet is the reverberant share of the output.
 */
export function reverb(x: Float32Array, rt60: number, wet: number): Float32Array {
  const combs = [557, 617, 677, 751];
  const tail = new Float32Array(x.length);
  for (const d of combs) {
    const g = 10 ** ((-3 * d) / (rt60 * SAMPLE_RATE));
    const line = new Float32Array(d);
    let lp = 0;
    for (let i = 0; i < x.length; i++) {
      const j = i % d;
      const y = line[j];
      // Damping in the loop: high frequencies die faster, as in real rooms.
      lp = 0.7 * y + 0.3 * lp;
      line[j] = x[i] + g * lp;
      tail[i] += y * 0.25;
    }
  }
  for (const [d, g] of [
    [211, 0.7],
    [79, 0.7],
  ]) {
    const line = new Float32Array(d);
    for (let i = 0; i < tail.length; i++) {
      const j = i % d;
      const buf = line[j];
      const y = -g * tail[i] + buf;
      line[j] = tail[i] + g * y;
      tail[i] = y;
    }
  }
  // Matching the tail's power to the dry signal's makes wet a true mixing share.
  const norm = rms(x) / Math.max(rms(tail), 1e-12);
  for (let i = 0; i < x.length; i++) x[i] = (1 - wet) * x[i] + wet * norm * tail[i];
  return x;
}
