/**
 * Speaker identification (the paper's LibriSpeech task): ten fixed voices, some deliberately close
 * (similar pitch, differing in tract length or voice quality). A group is a recording session of
 * one speaker, with its own channel, mood (pitch, rate) and background; sessions are held out, so
 * every speaker appears in every split but test sessions are new.
 */
import type { Rng } from '../../../common/index.js';
import { SAMPLE_RATE } from '../dsp.js';
import { randomChannel } from '../finish.js';
import { LANGUAGES, utterance } from '../languages.js';
import { renderSpeech, type Voice } from '../speech.js';
import type { TaskGenerator } from '../types.js';
import { addBackground, crop, maybeRoom } from './mix.js';

const voice = (
  f0: number,
  formantScale: number,
  jitter: number,
  breathiness: number,
  pitchRange: number,
  rate: number,
): Voice => ({
  f0,
  formantScale,
  jitter,
  shimmer: 2.5 * jitter + 0.02,
  breathiness,
  openQuotient: 0.5 + 0.3 * breathiness,
  pitchRange,
  rate,
});

export const SPEAKERS: Voice[] = [
  voice(100, 0.97, 0.008, 0.1, 3, 1),
  voice(112, 1.02, 0.006, 0.35, 4, 0.9),
  voice(95, 0.94, 0.025, 0.15, 2.5, 1.1),
  voice(135, 1.05, 0.01, 0.2, 5, 1.05),
  voice(205, 1.12, 0.006, 0.4, 5, 1),
  voice(215, 1.17, 0.01, 0.15, 4, 1.15),
  voice(185, 1.1, 0.018, 0.25, 3, 0.95),
  voice(245, 1.2, 0.008, 0.3, 6, 1.1),
  voice(108, 1.0, 0.02, 0.45, 3.5, 1),
  voice(170, 1.08, 0.007, 0.05, 4.5, 0.85),
];

/** The session's variation of a speaker: mood, pace, and a little vocal effort. */
function sessionVoice(base: Voice, g: Rng): Voice {
  return {
    ...base,
    f0: base.f0 * 2 ** (g.uniform(-1.5, 1.5) / 12),
    formantScale: base.formantScale * g.uniform(0.98, 1.02),
    breathiness: Math.min(0.6, Math.max(0, base.breathiness + g.uniform(-0.1, 0.1))),
    rate: base.rate * g.uniform(0.88, 1.12),
  };
}

export const speakerTask: TaskGenerator = {
  name: 'speaker',
  classes: SPEAKERS.map((_, i) => `spk${i}`),
  seconds: [1.5, 2],
  groups: { count: 20, perClass: true, prefix: 'session' },
  render({ label, length, rng, groupRng }) {
    const v = sessionVoice(SPEAKERS[label], groupRng());
    const lang = LANGUAGES[rng.int(LANGUAGES.length)];
    const segs = utterance(lang, rng, length / SAMPLE_RATE + 0.5, v);
    const x = crop(renderSpeech(segs, v, rng), length, rng, 0.5);
    return addBackground(maybeRoom(x, rng, 0.2), rng, [5, 25]);
  },
  channel({ groupRng }) {
    return randomChannel(groupRng('channel'));
  },
};
