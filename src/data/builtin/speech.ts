/**
 * Source-filter speech synthesis, shared by the keyword, language, speaker and speech/music/noise
 * tasks and by the babble backgrounds. Source: a Rosenberg glottal pulse train (Rosenberg 1971)
 * with jitter and shimmer, plus aspiration noise gated by the glottal cycle. Filter: a cascade of
 * five Klatt resonators for the vocal tract, and a parallel bandpass for frication and bursts.
 * Controls (formants, source levels, f0) update every BLOCK samples; formants glide with a ~20 ms
 * time constant, which gives coarticulated transitions between phonemes.
 */
import type { Rng } from '../../common/index.js';
import { Biquad, Noise, Resonator, SAMPLE_RATE, dbToGain, seconds, sinCycles } from './dsp.js';
import { PHONEMES, type Phoneme } from './phonemes.js';

export interface Voice {
  /** Mean fundamental frequency, Hz. */
  f0: number;
  /** Vocal-tract scaling of every formant: a shorter tract (children, most women) is above 1. */
  formantScale: number;
  /** Std of the relative period-to-period perturbation of the glottal period. */
  jitter: number;
  /** Std of the relative period-to-period perturbation of the pulse amplitude. */
  shimmer: number;
  /** Aspiration noise during vowels, 0 (modal) to 1 (very breathy). */
  breathiness: number;
  /** Fraction of the glottal cycle the glottis is open: higher gives a softer, steeper spectrum. */
  openQuotient: number;
  /** Semitones of intonation excursion this voice uses. */
  pitchRange: number;
  /** Speaking-rate factor: above 1 is faster. */
  rate: number;
}

/** A random adult voice; the population every synthetic speaker is drawn from. */
export function randomVoice(rng: Rng): Voice {
  const high = rng.next() < 0.5;
  const breathiness = rng.uniform(0, 0.5);
  return {
    f0: high ? rng.uniform(160, 255) : rng.uniform(85, 150),
    formantScale: high ? rng.uniform(1.06, 1.2) : rng.uniform(0.92, 1.06),
    jitter: rng.next() < 0.15 ? rng.uniform(0.02, 0.035) : rng.uniform(0.003, 0.015),
    shimmer: rng.uniform(0.02, 0.1),
    breathiness,
    openQuotient: 0.5 + 0.3 * breathiness + rng.uniform(-0.05, 0.05),
    pitchRange: rng.uniform(2, 6),
    rate: rng.uniform(0.85, 1.2),
  };
}

/** One phoneme of an utterance with its prosody. */
export interface Segment {
  ph: string;
  /** Duration in seconds. */
  dur: number;
  /** Pitch at the start and end of the segment, semitones relative to the voice's f0. */
  pitch: number;
  pitchEnd: number;
  /** Loudness relative to normal, dB. */
  level: number;
}

const BLOCK = 32;
const FORMANT_SMOOTH = 1 - Math.exp(-BLOCK / (0.02 * SAMPLE_RATE));
const LEVEL_SMOOTH = 1 - Math.exp(-BLOCK / (0.004 * SAMPLE_RATE));
/** Calibrates the noise branch against the voiced branch so /s/ sits about 8 dB under a vowel. */
const NOISE_GAIN = 1.4;
const ASPIRATION_GAIN = 0.6;

interface Targets {
  formants: [number, number, number];
  voicing: number;
  aspiration: number;
  frication: number;
  noise: Phoneme['noise'];
  nasal: boolean;
}

/** Source levels for a phoneme, by sub-phase for stops (closure, burst, release). */
function targetsAt(
  p: Phoneme,
  formants: [number, number, number],
  frac: number,
  breathiness: number,
): Targets {
  const t: Targets = { formants, voicing: 0, aspiration: 0, frication: 0, noise: p.noise, nasal: false };
  switch (p.kind) {
    case 'vowel':
      t.voicing = 1;
      t.aspiration = 0.5 * breathiness;
      break;
    case 'approximant':
      t.voicing = 0.75;
      t.aspiration = 0.3 * breathiness;
      break;
    case 'nasal':
      t.voicing = 1;
      t.nasal = true;
      break;
    case 'fricative':
      t.voicing = p.voiced ? 0.3 : 0;
      t.frication = p.noise!.gain;
      t.aspiration = 0.04;
      break;
    case 'aspirate':
      t.aspiration = 0.7;
      break;
    case 'stop':
      if (frac < 0.6) t.voicing = p.voiced ? 0.1 : 0;
      else if (frac < 0.75) t.frication = p.noise!.gain;
      else if (p.voiced) t.voicing = 0.5;
      else t.aspiration = 0.5;
      break;
    case 'pause':
      break;
  }
  return t;
}

/** Renders an utterance with the given voice; the result has arbitrary scale (callers set the level). */
export function renderSpeech(segs: Segment[], voice: Voice, rng: Rng): Float32Array {
  const lens = segs.map((s) => Math.max(BLOCK, seconds(s.dur)));
  const total = lens.reduce((a, b) => a + b, 0);
  const out = new Float32Array(total);
  // Formant targets: /h/ and friends borrow the next phoneme's, so aspiration is coloured by the vowel.
  const formantOf: [number, number, number][] = new Array(segs.length);
  let next: [number, number, number] = [500, 1500, 2500];
  for (let i = segs.length - 1; i >= 0; i--) {
    const f = PHONEMES[segs[i].ph].formants;
    if (f) next = f;
    formantOf[i] = next;
  }

  const tract = [new Resonator(), new Resonator(), new Resonator(), new Resonator(), new Resonator()];
  const fricBand = new Biquad();
  const src = new Noise(rng);
  const fs = voice.formantScale;
  const f4 = 3400 * fs;
  const f5 = 4400 * fs;
  const oq = voice.openQuotient;
  const opening = 0.6 * oq;
  const closing = oq - opening;
  const b1 = 70 + 80 * voice.breathiness;

  const cur = { f1: formantOf[0][0], f2: formantOf[0][1], f3: formantOf[0][2], av: 0, ah: 0, af: 0 };
  let phase = 0;
  let periodScale = 1;
  let pulseAmp = 1;
  let prevFlow = 0;
  let drift = 0;
  let pos = 0;
  for (let si = 0; si < segs.length; si++) {
    const seg = segs[si];
    const ph = PHONEMES[seg.ph];
    const len = lens[si];
    const gain = dbToGain(seg.level);
    for (let b0 = 0; b0 < len; b0 += BLOCK) {
      const frac = (b0 + BLOCK / 2) / len;
      const tg = targetsAt(ph, formantOf[si], frac, voice.breathiness);
      cur.f1 += (tg.formants[0] - cur.f1) * FORMANT_SMOOTH;
      cur.f2 += (tg.formants[1] - cur.f2) * FORMANT_SMOOTH;
      cur.f3 += (tg.formants[2] - cur.f3) * FORMANT_SMOOTH;
      cur.av += (tg.voicing * gain - cur.av) * LEVEL_SMOOTH;
      cur.ah += (tg.aspiration * gain - cur.ah) * LEVEL_SMOOTH;
      cur.af += (tg.frication * gain - cur.af) * LEVEL_SMOOTH;
      drift = 0.995 * drift + 0.04 * rng.normal();
      const semis = seg.pitch + (seg.pitchEnd - seg.pitch) * frac + drift;
      const f0 = voice.f0 * 2 ** (semis / 12);
      tract[0].set(cur.f1 * fs, tg.nasal ? 120 : b1);
      tract[1].set(cur.f2 * fs, tg.nasal ? 300 : 100);
      tract[2].set(cur.f3 * fs, tg.nasal ? 350 : 150);
      tract[3].set(f4, 250);
      tract[4].set(f5, 350);
      if (tg.noise) fricBand.set('bandpass', tg.noise.f * fs, (tg.noise.f * fs) / tg.noise.bw);
      const end = Math.min(len, b0 + BLOCK);
      const dphase = f0 / SAMPLE_RATE;
      // The flow derivative scales with f0; dividing by dphase keeps pulse strength pitch-independent.
      const pulseNorm = 0.05 / dphase;
      for (let k = b0; k < end; k++) {
        phase += dphase * periodScale;
        if (phase >= 1) {
          phase -= 1;
          periodScale = 1 / (1 + voice.jitter * rng.normal());
          pulseAmp = 1 + voice.shimmer * rng.normal();
        }
        let flow = 0;
        if (phase < opening) flow = 0.5 - 0.5 * sinCycles(phase / (2 * opening) + 0.25);
        else if (phase < oq) flow = sinCycles((phase - opening) / (4 * closing) + 0.25);
        const dflow = (flow - prevFlow) * pulseNorm;
        prevFlow = flow;
        const noise = src.next();
        const asp = noise * cur.ah * ASPIRATION_GAIN * (phase < oq ? 1 : 0.35);
        let v = cur.av * pulseAmp * dflow + asp;
        v = tract[0].step(v);
        v = tract[1].step(v);
        v = tract[2].step(v);
        v = tract[3].step(v);
        v = tract[4].step(v);
        const fr = cur.af > 1e-4 ? fricBand.step(noise) * cur.af * NOISE_GAIN : 0;
        out[pos + k] = v + fr;
      }
    }
    pos += len;
  }
  return out;
}
