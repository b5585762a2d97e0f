/**
 * Spoken language identification: six invented languages (see languages.ts). Each language has
 * its own pool of speakers drawn from one shared voice population, and speakers are the groups,
 * so the split holds out speakers and a voice can never identify the language.
 */
import { SAMPLE_RATE } from '../dsp.js';
import { LANGUAGES, utterance } from '../languages.js';
import { randomVoice, renderSpeech } from '../speech.js';
import type { TaskGenerator } from '../types.js';
import { addBackground, crop, maybeRoom } from './mix.js';

export const languageTask: TaskGenerator = {
  name: 'language',
  classes: LANGUAGES.map((l) => l.name),
  seconds: [1.5, 2],
  groups: { count: 20, perClass: true, prefix: 'spk' },
  render({ label, length, rng, groupRng }) {
    const voice = randomVoice(groupRng());
    const segs = utterance(LANGUAGES[label], rng, length / SAMPLE_RATE + 0.5, voice);
    const x = crop(renderSpeech(segs, voice, rng), length, rng, 0.5);
    return addBackground(maybeRoom(x, rng, 0.3), rng, [0, 25]);
  },
};
