/**
 * The phoneme inventory of the formant synthesizer. Formant targets are for an adult male vocal
 * tract (a voice's formantScale stretches them): vowels after Peterson & Barney (1952) and
 * Hillenbrand et al. (1995) averages; consonants give their place's locus, so that the formant
 * smoothing in speech.ts produces the transitions listeners (and models) use to tell places apart.
 * Symbols are ASCII stand-ins: E=ɛ, I=ɪ, V=ʌ, O=ɔ, U=ʊ, @=ə, y=y, 2=ø, M=ɯ, S=ʃ, Z=ʒ, T=θ, N=ŋ,
 * x=velar and X=uvular fricatives, _ = pause.
 */

export type PhonemeKind = 'vowel' | 'fricative' | 'stop' | 'nasal' | 'approximant' | 'aspirate' | 'pause';

export interface Phoneme {
  kind: PhonemeKind;
  voiced: boolean;
  /** F1–F3 targets in Hz for the reference tract; null: take the next phoneme's (as /h/ does). */
  formants: [number, number, number] | null;
  /** Noise source for fricatives and stop bursts: band centre and width in Hz, level vs voicing. */
  noise?: { f: number; bw: number; gain: number };
  /** Typical duration in seconds at normal rate. */
  dur: number;
}

const vowel = (f1: number, f2: number, f3: number, dur = 0.11): Phoneme => ({
  kind: 'vowel',
  voiced: true,
  formants: [f1, f2, f3],
  dur,
});

const fric = (
  voiced: boolean,
  locus: [number, number, number],
  f: number,
  bw: number,
  gain: number,
): Phoneme => ({
  kind: 'fricative',
  voiced,
  formants: locus,
  noise: { f, bw, gain },
  dur: voiced ? 0.075 : 0.095,
});

const stop = (
  voiced: boolean,
  locus: [number, number, number],
  f: number,
  bw: number,
  gain: number,
): Phoneme => ({
  kind: 'stop',
  voiced,
  formants: locus,
  noise: { f, bw, gain },
  dur: voiced ? 0.075 : 0.095,
});

const nasal = (f2: number, f3: number): Phoneme => ({
  kind: 'nasal',
  voiced: true,
  formants: [260, f2, f3],
  dur: 0.07,
});

const approx = (f1: number, f2: number, f3: number): Phoneme => ({
  kind: 'approximant',
  voiced: true,
  formants: [f1, f2, f3],
  dur: 0.06,
});

export const PHONEMES: Record<string, Phoneme> = {
  i: vowel(270, 2290, 3010),
  I: vowel(390, 1990, 2550, 0.09),
  e: vowel(460, 2150, 2750),
  E: vowel(530, 1840, 2480),
  ae: vowel(660, 1720, 2410),
  a: vowel(730, 1090, 2440),
  O: vowel(570, 840, 2410),
  o: vowel(450, 800, 2600),
  U: vowel(440, 1020, 2240, 0.09),
  u: vowel(300, 870, 2240),
  V: vowel(640, 1190, 2390, 0.09),
  '@': vowel(500, 1500, 2500, 0.06),
  y: vowel(270, 1850, 2150),
  '2': vowel(400, 1600, 2250),
  M: vowel(320, 1250, 2300),
  p: stop(false, [400, 800, 2200], 900, 1800, 0.25),
  b: stop(true, [350, 800, 2200], 900, 1800, 0.15),
  t: stop(false, [400, 1750, 2700], 4200, 2500, 0.45),
  d: stop(true, [350, 1750, 2700], 4000, 2500, 0.3),
  k: stop(false, [400, 1900, 2300], 2100, 900, 0.45),
  g: stop(true, [350, 1900, 2300], 2000, 900, 0.3),
  q: stop(false, [550, 1100, 2500], 1400, 700, 0.4),
  s: fric(false, [400, 1700, 2700], 5600, 2200, 0.55),
  z: fric(true, [350, 1700, 2700], 5400, 2200, 0.35),
  S: fric(false, [400, 1900, 2400], 3100, 1400, 0.6),
  Z: fric(true, [350, 1900, 2400], 3000, 1400, 0.4),
  f: fric(false, [400, 900, 2300], 5000, 5000, 0.15),
  v: fric(true, [350, 900, 2300], 4500, 4500, 0.12),
  T: fric(false, [400, 1500, 2600], 6000, 4000, 0.12),
  x: fric(false, [450, 1500, 2300], 1800, 900, 0.4),
  X: fric(false, [550, 1100, 2400], 1200, 700, 0.4),
  h: { kind: 'aspirate', voiced: false, formants: null, dur: 0.07 },
  m: nasal(1000, 2200),
  n: nasal(1500, 2600),
  N: nasal(2000, 2700),
  l: approx(360, 1100, 2700),
  r: approx(350, 1200, 1650),
  w: approx(300, 700, 2200),
  j: approx(280, 2200, 2900),
  _: { kind: 'pause', voiced: false, formants: [500, 1500, 2500], dur: 0.12 },
};
