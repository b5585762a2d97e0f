/**
 * Invented languages for the language task (and the content of every other speech clip): each
 * has its own phoneme inventory, syllable structure, rhythm and intonation, loosely modelled on
 * real language types, so a listener can tell them apart without knowing any words.
 */
import type { Rng } from '../../common/index.js';
import { PHONEMES } from './phonemes.js';
import type { Segment } from './speech.js';

export interface LanguageSpec {
  name: string;
  /** Onset clusters; repeated entries weight the draw; [] is an empty onset. */
  onsets: string[][];
  nuclei: string[];
  codas: string[][];
  /** Lexical tones as [start, end] semitones, one drawn per syllable; absent: intonation only. */
  tones?: [number, number][];
  stress: 'initial' | 'penult' | 'final' | 'none';
  /** Stress-timed rhythm: unstressed vowels shorten and often centralise to schwa. */
  reduceUnstressed: boolean;
  vowelLength: number;
  /** Probability that a consonant is held long (geminate). */
  geminate: number;
  rate: number;
  /** Semitones of pitch accent on stressed syllables. */
  accent: number;
  /** Semitones of pitch fall (negative) or rise across an utterance. */
  declination: number;
  /** Semitones of the phrase-final movement. */
  final: number;
  wordSyllables: [number, number];
}

const one = (s: string): string[][] => s.split(' ').map((x) => (x === '0' ? [] : x.split('+')));

export const LANGUAGES: LanguageSpec[] = [
  {
    // Polynesian-like: open CV syllables, five vowels, few consonants, even rhythm.
    name: 'lani',
    onsets: one('p t k m n l h w 0 k l'),
    nuclei: ['a', 'a', 'e', 'i', 'o', 'u'],
    codas: one('0'),
    stress: 'penult',
    reduceUnstressed: false,
    vowelLength: 1,
    geminate: 0,
    rate: 1.05,
    accent: 3,
    declination: -4,
    final: -2,
    wordSyllables: [2, 4],
  },
  {
    // Germanic/Slavic-like: consonant clusters, lax vowels, stress-timed with reduced vowels.
    name: 'krest',
    onsets: one('s+t s+t+r k+r p+l S t k b+r d g+r s+k f+r s 0 t+r'),
    nuclei: ['E', 'I', 'V', 'a', 'U', 'O', 'i', 'ae'],
    codas: one('s+t k+s n+t r+k l s t n x+t 0 m+p'),
    stress: 'initial',
    reduceUnstressed: true,
    vowelLength: 0.9,
    geminate: 0,
    rate: 1,
    accent: 6,
    declination: -3,
    final: -4,
    wordSyllables: [1, 2],
  },
  {
    // Tonal, Chinese/Yoruba-like: simple syllables, a lexical tone on every syllable.
    name: 'tonga',
    onsets: one('m n b d g t+s f h j w l S x'),
    nuclei: ['a', 'i', 'u', '@', 'o'],
    codas: one('0 0 N n'),
    tones: [
      [4, 4],
      [0, 0],
      [-3, -3],
      [-2, 3],
      [4, -2],
    ],
    stress: 'none',
    reduceUnstressed: false,
    vowelLength: 1.2,
    geminate: 0,
    rate: 0.95,
    accent: 1,
    declination: -2,
    final: 0,
    wordSyllables: [1, 2],
  },
  {
    // French/Nordic-like: front rounded vowels, long vowels, voiced fricatives, final rises.
    name: 'yro',
    onsets: one('v z f s l m n r Z 0 v'),
    nuclei: ['y', '2', 'e', 'i', 'o', 'a', 'E', 'y'],
    codas: one('0 r l s n 0'),
    stress: 'final',
    reduceUnstressed: false,
    vowelLength: 1.4,
    geminate: 0,
    rate: 0.85,
    accent: 4,
    declination: 0,
    final: 5,
    wordSyllables: [1, 3],
  },
  {
    // Arabic-like: velar/uvular fricatives and stops, few vowels, geminates, wide pitch range.
    name: 'khaza',
    onsets: one('x X h q t d s z S b m n l r j w x'),
    nuclei: ['a', 'a', 'i', 'u', 'O'],
    codas: one('x X s n m l r q 0'),
    stress: 'penult',
    reduceUnstressed: false,
    vowelLength: 0.95,
    geminate: 0.3,
    rate: 1.1,
    accent: 7,
    declination: -5,
    final: -3,
    wordSyllables: [1, 3],
  },
  {
    // Bantu-like: prenasalised stops, strict CV, fast, strong downdrift.
    name: 'nuru',
    onsets: one('m+b n+d N+g m n N w j k t m+b'),
    nuclei: ['a', 'e', 'i', 'o', 'u', 'O', 'E'],
    codas: one('0'),
    stress: 'initial',
    reduceUnstressed: false,
    vowelLength: 0.85,
    geminate: 0,
    rate: 1.3,
    accent: 5,
    declination: -8,
    final: -3,
    wordSyllables: [2, 4],
  },
];

function pick<T>(rng: Rng, xs: T[]): T {
  return xs[rng.int(xs.length)];
}

function stressedIndex(spec: LanguageSpec, n: number): number {
  switch (spec.stress) {
    case 'initial':
      return 0;
    case 'penult':
      return Math.max(0, n - 2);
    case 'final':
      return n - 1;
    case 'none':
      return -1;
  }
}

/**
 * An utterance of at least `minSeconds`: words of the language with its rhythm and melody, with
 * the speaker's rate and pitch range applied. Pitches are semitones relative to the voice's f0.
 */
export function utterance(
  spec: LanguageSpec,
  rng: Rng,
  minSeconds: number,
  voice: { rate: number; pitchRange: number },
): Segment[] {
  const segs: Segment[] = [];
  const rate = spec.rate * voice.rate * rng.uniform(0.9, 1.1);
  const range = voice.pitchRange / 4;
  let t = 0;
  // Declination is laid out over the expected length; a phrase longer than that keeps falling.
  const slope = spec.declination / Math.max(minSeconds, 0.5);
  while (t < minSeconds) {
    const n = spec.wordSyllables[0] + rng.int(spec.wordSyllables[1] - spec.wordSyllables[0] + 1);
    const stressed = stressedIndex(spec, n);
    for (let s = 0; s < n; s++) {
      const isStressed = s === stressed;
      const base = slope * t;
      const tone = spec.tones ? pick(rng, spec.tones) : [0, 0];
      const accent = isStressed ? spec.accent * range * rng.uniform(0.6, 1) : 0;
      const p0 = base + tone[0] + accent + rng.uniform(-0.5, 0.5);
      const p1 = base + tone[1] + accent * 0.3;
      const level = (isStressed ? 2 : 0) + rng.uniform(-2, 1);
      const phones = [...pick(rng, spec.onsets), pick(rng, spec.nuclei), ...pick(rng, spec.codas)];
      for (const ph0 of phones) {
        const info = PHONEMES[ph0];
        let ph = ph0;
        let dur = (info.dur / rate) * rng.uniform(0.85, 1.15);
        if (info.kind === 'vowel') {
          dur *= spec.vowelLength;
          if (isStressed) dur *= 1.3;
          else if (spec.reduceUnstressed && spec.stress !== 'none') {
            dur *= 0.6;
            if (rng.next() < 0.6) ph = '@';
          }
        } else if (rng.next() < spec.geminate) dur *= 1.8;
        const vowelPitch = info.kind === 'vowel';
        segs.push({ ph, dur, pitch: p0, pitchEnd: vowelPitch ? p1 : p0, level });
        t += dur;
      }
    }
    if (rng.next() < 0.12) {
      const dur = rng.uniform(0.06, 0.18);
      segs.push({ ph: '_', dur, pitch: 0, pitchEnd: 0, level: 0 });
      t += dur;
    }
  }
  const last = segs[segs.length - 1];
  last.pitchEnd += spec.final * range;
  return segs;
}

/** A random word of 1–3 syllables in a random language: content for "unknown" keywords and babble. */
export function randomWord(rng: Rng): string[] {
  const spec = pick(rng, LANGUAGES);
  const n = 1 + rng.int(3);
  const phones: string[] = [];
  for (let s = 0; s < n; s++) {
    phones.push(...pick(rng, spec.onsets), pick(rng, spec.nuclei), ...pick(rng, spec.codas));
  }
  return phones;
}

/**
 * Segments for one isolated word: phoneme durations scaled by tempo, a stress on the first vowel
 * (or the one given), and a pitch glide from pitchStart to pitchEnd across the word.
 */
export function wordSegments(
  phones: string[],
  rng: Rng,
  opts: { tempo: number; pitchStart: number; pitchEnd: number; stressVowel?: number },
): Segment[] {
  const durs = phones.map((ph) => (PHONEMES[ph].dur / opts.tempo) * rng.uniform(0.85, 1.15));
  let vowelCount = 0;
  const stressAt = opts.stressVowel ?? 0;
  phones.forEach((ph, i) => {
    if (PHONEMES[ph].kind === 'vowel') {
      if (vowelCount === stressAt) durs[i] *= 1.4;
      vowelCount++;
    }
  });
  const total = durs.reduce((a, b) => a + b, 0);
  let t = 0;
  return phones.map((ph, i) => {
    const a = t / total;
    t += durs[i];
    const b = t / total;
    return {
      ph,
      dur: durs[i],
      pitch: opts.pitchStart + (opts.pitchEnd - opts.pitchStart) * a,
      pitchEnd: opts.pitchStart + (opts.pitchEnd - opts.pitchStart) * b,
      level: rng.uniform(-1.5, 1.5),
    };
  });
}
