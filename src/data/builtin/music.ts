/**
 * Musical instrument synthesis for the instrument, pitch and speech/music/noise tasks: eight
 * families, each built on a different principle so that they differ the way NSynth's families do
 * (spectrum shape, harmonicity, envelope, noise), with per-instrument timbre drawn at random so
 * each family spans many instruments. Pitches are MIDI note numbers (69 = A4 = 440 Hz).
 */
import type { Rng } from '../../common/index.js';
import {
  Biquad,
  Noise,
  SAMPLE_RATE,
  addDampedSine,
  addInto,
  adsr,
  fade,
  highpass1,
  lowpass1,
  seconds,
  sinCycles,
} from './dsp.js';

export const FAMILIES = [
  'additive',
  'odd-harmonic',
  'plucked',
  'mallet',
  'brass-fm',
  'organ',
  'noise-excited',
  'bowed',
] as const;
export type Family = (typeof FAMILIES)[number];

/** The MIDI range each family plays in; ranges overlap so register alone does not give the family away. */
export const FAMILY_RANGE: Record<Family, [number, number]> = {
  additive: [48, 84],
  'odd-harmonic': [50, 82],
  plucked: [40, 76],
  mallet: [55, 88],
  'brass-fm': [40, 72],
  organ: [36, 84],
  'noise-excited': [55, 86],
  bowed: [43, 84],
};

export function midiToHz(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

/** One instrument: a family plus the timbre parameters that make it a particular instrument. */
export interface Instrument {
  family: Family;
  /** Amplitude of harmonic k+1 of the fundamental (harmonic families). */
  harmonics: number[];
  /** Partial frequency ratios, amplitudes and relative decay exponent (mallet). */
  modes: { ratio: number; amp: number }[];
  /** Seconds: envelope of sustained families; for plucked and mallet, the fundamental's decay time. */
  attack: number;
  decay: number;
  sustain: number;
  release: number;
  vibratoRate: number;
  /** Relative depth of the vibrato (0.005 = half a percent). */
  vibratoDepth: number;
  /** 0..1: FM index scale, pluck excitation brightness, comb feedback. */
  brightness: number;
  /** Breath/bow/strike noise level relative to the tone. */
  noise: number;
  /** Body resonances as [Hz, gain dB]. */
  body: [number, number][];
}

const MALLET_MODES: number[][] = [
  [1, 3.93, 9.54], // marimba
  [1, 4, 10.1], // vibraphone
  [1, 2.71, 5.15, 8.93], // glockenspiel / free bar
  [0.5, 1, 1.19, 1.5, 2, 2.52, 2.66, 3.01], // church bell
  [1, 2.76, 5.4, 8.93, 13.3], // tubular bell
];

/**
 * Draws one instrument of a family. `pitched` restricts the family to variants whose perceived
 * pitch is the fundamental (no bells, no sub-octave drawbar), as the pitch task needs.
 */
export function randomInstrument(family: Family, rng: Rng, pitched = false): Instrument {
  const inst: Instrument = {
    family,
    harmonics: [],
    modes: [],
    attack: rng.uniform(0.005, 0.05),
    decay: rng.uniform(0.1, 0.4),
    sustain: rng.uniform(0.5, 0.9),
    release: rng.uniform(0.03, 0.15),
    vibratoRate: rng.uniform(4.5, 6.5),
    vibratoDepth: rng.next() < 0.4 ? rng.uniform(0.002, 0.008) : 0,
    brightness: rng.next(),
    noise: 0,
    body: [],
  };
  const K = 40;
  switch (family) {
    case 'additive': {
      const slope = rng.uniform(0.4, 2);
      const formant = rng.uniform(2, 12);
      const fw = rng.uniform(1.5, 5);
      for (let k = 1; k <= K; k++) {
        const bump = 1 + 3 * Math.exp(-(((k - formant) / fw) ** 2));
        inst.harmonics.push((k ** -slope * bump * rng.uniform(0.5, 1.5)) / 4);
      }
      inst.attack = rng.uniform(0.005, 0.2);
      break;
    }
    case 'odd-harmonic': {
      const slope = rng.uniform(0.7, 1.5);
      const even = rng.uniform(0.01, 0.08);
      for (let k = 1; k <= K; k++) inst.harmonics.push(k ** -slope * (k % 2 === 1 ? 1 : even));
      inst.attack = rng.uniform(0.02, 0.08);
      inst.noise = rng.uniform(0.01, 0.05);
      break;
    }
    case 'plucked':
      inst.decay = rng.uniform(0.4, 2);
      break;
    case 'mallet': {
      const types = pitched ? MALLET_MODES.slice(0, 2) : MALLET_MODES;
      const ratios = types[rng.int(types.length)];
      inst.modes = ratios.map((r, i) => ({
        ratio: r === 1 ? 1 : r * rng.uniform(0.98, 1.02),
        amp: (i === 0 || r === 1 ? 1 : rng.uniform(0.15, 0.6)) / Math.sqrt(i + 1),
      }));
      inst.decay = rng.uniform(0.3, 1.8);
      inst.noise = rng.uniform(0.05, 0.3);
      break;
    }
    case 'brass-fm':
      inst.attack = rng.uniform(0.03, 0.1);
      inst.brightness = rng.uniform(1.5, 5);
      break;
    case 'organ': {
      // Drawbar footages 16', 8', 4', 2 2/3', 2', 1 3/5', 1 1/3', 1' as harmonics of half the note.
      const bars = [1, 2, 4, 6, 8, 10, 12, 16];
      inst.harmonics = new Array(16).fill(0);
      for (const k of bars) inst.harmonics[k - 1] = rng.next() < 0.6 || k === 2 ? rng.uniform(0.2, 1) / 3 : 0;
      if (pitched) inst.harmonics[0] = 0;
      inst.attack = 0.005;
      inst.release = 0.03;
      inst.sustain = 1;
      inst.vibratoDepth = rng.next() < 0.5 ? 0.003 : 0;
      inst.noise = rng.uniform(0.05, 0.2);
      break;
    }
    case 'noise-excited':
      inst.brightness = rng.uniform(0.93, 0.985);
      inst.attack = rng.uniform(0.03, 0.12);
      break;
    case 'bowed':
      for (let k = 1; k <= K; k++) inst.harmonics.push(1 / k);
      inst.attack = rng.uniform(0.08, 0.25);
      inst.vibratoDepth = rng.uniform(0.003, 0.009);
      inst.noise = rng.uniform(0.02, 0.08);
      inst.body = Array.from({ length: 3 }, (_, i) => [
        rng.uniform(250, 700) * (1 + 2.5 * i),
        rng.uniform(4, 12),
      ]);
      break;
  }
  return inst;
}

/** Sum of harmonics of f0 (with vibrato) under an envelope, by phase accumulation. */
function harmonicTone(amps: number[], f0: number, env: Float32Array, inst: Instrument): Float32Array {
  const n = env.length;
  const out = new Float32Array(n);
  const K = Math.min(amps.length, Math.floor((0.45 * SAMPLE_RATE) / f0));
  const ks: number[] = [];
  const as: number[] = [];
  for (let k = 0; k < K; k++) {
    if (amps[k] > 0) {
      ks.push(k + 1);
      as.push(amps[k]);
    }
  }
  const vibStep = inst.vibratoRate / SAMPLE_RATE;
  const base = f0 / SAMPLE_RATE;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += base * (1 + inst.vibratoDepth * sinCycles(i * vibStep));
    phase -= Math.floor(phase);
    let s = 0;
    for (let a = 0; a < ks.length; a++) s += as[a] * sinCycles(ks[a] * phase);
    out[i] = s * env[i];
  }
  return out;
}

/** Karplus-Strong plucked string (Karplus & Strong 1983) with a fractional, interpolated delay. */
function pluckedTone(inst: Instrument, f0: number, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const period = SAMPLE_RATE / f0;
  // The two-point average in the loop adds half a sample of delay.
  const d = period - 0.5;
  const di = Math.floor(d);
  const df = d - di;
  const size = 1 << Math.ceil(Math.log2(di + 4));
  const mask = size - 1;
  const line = new Float32Array(size);
  const rho = Math.exp(-1 / (f0 * inst.decay));
  const src = new Noise(rng);
  const exLen = Math.max(2, Math.round(period));
  const pos = Math.max(1, Math.round(exLen * (0.1 + 0.3 * inst.brightness)));
  const cut = 1500 + 5000 * inst.brightness;
  const ex = new Float32Array(exLen);
  for (let i = 0; i < exLen; i++) ex[i] = src.next();
  lowpass1(ex, cut);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const a = line[(i - di) & mask];
    const b = line[(i - di - 1) & mask];
    const delayed = a + df * (b - a);
    const x = i < exLen ? ex[i] - (i >= pos ? ex[i - pos] : 0) : 0;
    const y = x + rho * 0.5 * (delayed + prev);
    prev = delayed;
    line[i & mask] = y;
    out[i] = y;
  }
  return out;
}

/** Pitched noise: white noise through a feedback comb tuned to f0 (a lowpass in the loop). */
function combTone(inst: Instrument, f0: number, env: Float32Array, rng: Rng): Float32Array {
  const n = env.length;
  const out = new Float32Array(n);
  const d = SAMPLE_RATE / f0 - 0.5;
  const di = Math.floor(d);
  const df = d - di;
  const size = 1 << Math.ceil(Math.log2(di + 4));
  const mask = size - 1;
  const line = new Float32Array(size);
  const g = inst.brightness;
  const src = new Noise(rng);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const a = line[(i - di) & mask];
    const b = line[(i - di - 1) & mask];
    const delayed = a + df * (b - a);
    const y = src.next() * env[i] * (1 - g) * 3 + g * 0.5 * (delayed + prev);
    prev = delayed;
    line[i & mask] = y;
    out[i] = y;
  }
  return out;
}

/** Two-operator FM (Chowning 1973) with the index following the envelope, as brass brightens when loud. */
function fmTone(inst: Instrument, f0: number, env: Float32Array): Float32Array {
  const n = env.length;
  const out = new Float32Array(n);
  const base = f0 / SAMPLE_RATE;
  const vibStep = inst.vibratoRate / SAMPLE_RATE;
  const scoop = seconds(0.04);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    // Brass notes start slightly flat and lip up to pitch within ~40 ms.
    const bend = i < scoop ? 1 - 0.02 * (1 - i / scoop) : 1;
    phase += base * bend * (1 + inst.vibratoDepth * sinCycles(i * vibStep));
    phase -= Math.floor(phase);
    const e = env[i];
    const index = (inst.brightness * e * e) / (2 * Math.PI);
    out[i] = 0.5 * e * sinCycles(phase + index * sinCycles(phase));
  }
  return out;
}

function malletTone(inst: Instrument, f0: number, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (const m of inst.modes) {
    const f = f0 * m.ratio;
    // Higher modes of bars and bells die away faster, roughly in inverse proportion to frequency.
    addDampedSine(out, 0, f, inst.decay / Math.max(0.5, m.ratio) ** 0.8, 0.4 * m.amp, n / SAMPLE_RATE);
  }
  const click = Math.min(n, seconds(0.004));
  const src = new Noise(rng);
  for (let i = 0; i < click; i++) out[i] += inst.noise * src.next() * (1 - i / click);
  return out;
}

/**
 * One note of `n` samples (the envelope's release ends at n; decaying families ring until cut).
 * Level is roughly comparable across families; callers set the final level.
 */
export function renderNote(inst: Instrument, midi: number, n: number, rng: Rng): Float32Array {
  const f0 = midiToHz(midi);
  const env = (): Float32Array => adsr(n, inst.attack, inst.decay, inst.sustain, inst.release);
  let tone: Float32Array;
  switch (inst.family) {
    case 'additive':
    case 'odd-harmonic':
    case 'bowed':
      tone = harmonicTone(inst.harmonics, f0, env(), inst);
      break;
    case 'organ': {
      const tremolo = inst.vibratoDepth > 0 ? 0.1 : 0;
      const e = env();
      for (let i = 0; i < n; i++) e[i] *= 1 - tremolo + tremolo * sinCycles((i * 6.2) / SAMPLE_RATE);
      tone = harmonicTone(inst.harmonics, f0 / 2, e, inst);
      break;
    }
    case 'plucked':
      tone = pluckedTone(inst, f0, n, rng);
      break;
    case 'mallet':
      tone = malletTone(inst, f0, n, rng);
      break;
    case 'brass-fm':
      tone = lowpass1(fmTone(inst, f0, env()), 2500 + 1500 * inst.brightness);
      break;
    case 'noise-excited':
      tone = combTone(inst, f0, env(), rng);
      break;
  }
  for (const [f, gain] of inst.body) new Biquad('peaking', f, 2, gain).run(tone);
  if (inst.noise > 0 && inst.family !== 'mallet') {
    // Breath, bow or key noise, following the note's envelope.
    const src = new Noise(rng);
    const e = env();
    const nz = new Float32Array(n);
    for (let i = 0; i < n; i++) nz[i] = src.next() * e[i] * inst.noise;
    addInto(tone, highpass1(nz, 1500));
  }
  return fade(tone, 16, seconds(0.005));
}

/**
 * A phrase filling `n` samples: notes of the instrument at random pitches in `range`, one after
 * another with small gaps, occasionally two at once. Decaying families are re-struck often, so every
 * 0.975 s window holds an onset.
 */
export function renderPhrase(inst: Instrument, n: number, rng: Rng, range: [number, number]): Float32Array {
  const out = new Float32Array(n);
  const decaying = inst.family === 'plucked' || inst.family === 'mallet';
  let t = -seconds(rng.uniform(0, 0.2));
  while (t < n) {
    const ioi = seconds(decaying ? rng.uniform(0.15, 0.6) : rng.uniform(0.25, 0.9));
    const len = decaying ? Math.min(seconds(2), n - t) : Math.round(ioi * rng.uniform(0.8, 1));
    const voices = rng.next() < 0.2 ? 2 : 1;
    for (let v = 0; v < voices; v++) {
      const midi = range[0] + rng.int(range[1] - range[0] + 1);
      const note = renderNote(inst, midi, Math.max(len, seconds(0.05)), rng);
      addInto(out, note, t, rng.uniform(0.6, 1) / voices);
    }
    t += ioi;
  }
  return out;
}

/** A drum kit pattern (kick, snare, hi-hat) at `bpm`, for the music class of speech/music/noise. */
export function renderDrums(n: number, bpm: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const src = new Noise(rng);
  const step = seconds(60 / bpm / 2);
  const pattern = rng.int(3);
  let k = rng.int(4);
  for (let t = seconds(rng.uniform(0, 0.1)); t < n; t += step, k++) {
    const beat = k % 8;
    const kick = beat === 0 || (pattern === 1 && beat === 5) || (pattern === 2 && beat === 3);
    if (kick) {
      const len = Math.min(seconds(0.15), n - t);
      let ph = 0;
      for (let i = 0; i < len; i++) {
        ph += (50 + 100 * Math.exp(-i / seconds(0.03))) / SAMPLE_RATE;
        out[t + i] += 0.8 * sinCycles(ph) * Math.exp(-i / seconds(0.05));
      }
    }
    if (beat === 2 || beat === 6) {
      const len = Math.min(seconds(0.12), n - t);
      for (let i = 0; i < len; i++) {
        const e = Math.exp(-i / seconds(0.03));
        out[t + i] += e * (0.3 * src.next() + 0.3 * sinCycles((i * 190) / SAMPLE_RATE));
      }
    }
    const len = Math.min(seconds(0.03), n - t);
    const hat = new Float32Array(len);
    for (let i = 0; i < len; i++) hat[i] = 0.25 * src.next() * Math.exp(-i / seconds(0.008));
    addInto(out, highpass1(hat, 6000), t);
  }
  return out;
}
