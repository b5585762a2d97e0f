/**
 * Speech / music / noise (the paper's MUSAN task). A group is a source: a talker, an ensemble,
 * or a noisy place. Every class gets the same channels and levels, and speech and music carry
 * background noise, so only the content tells the classes apart.
 */
import { LANGUAGES, utterance } from '../languages.js';
import { FAMILIES, FAMILY_RANGE, randomInstrument, renderDrums, renderPhrase } from '../music.js';
import { SAMPLE_RATE, addInto, brownNoise, mixAtSnr, pinkNoise, setRms, whiteNoise } from '../dsp.js';
import { SCENES, randomLocation, renderScene } from '../scenes.js';
import { randomVoice, renderSpeech } from '../speech.js';
import type { ClipRequest, TaskGenerator } from '../types.js';
import { addBackground, crop, maybeRoom } from './mix.js';

function speech({ length, rng, groupRng }: ClipRequest): Float32Array {
  const voice = randomVoice(groupRng());
  const lang = LANGUAGES[rng.int(LANGUAGES.length)];
  const segs = utterance(lang, rng, length / SAMPLE_RATE + 0.3, voice);
  const x = crop(renderSpeech(segs, voice, rng), length, rng, 0.3);
  return addBackground(maybeRoom(x, rng, 0.3), rng, [0, 25]);
}

function music({ length, rng, groupRng }: ClipRequest): Float32Array {
  const g = groupRng();
  const parts = 1 + g.int(3);
  const drums = g.next() < 0.4;
  const bpm = g.uniform(70, 160);
  const out = new Float32Array(length);
  const drumsOnly = drums && rng.next() < 0.15;
  for (let p = 0; p < (drumsOnly ? 0 : parts); p++) {
    const family = FAMILIES[g.int(FAMILIES.length)];
    const inst = randomInstrument(family, g);
    addInto(out, setRms(renderPhrase(inst, length, rng, FAMILY_RANGE[family]), 1), 0, rng.uniform(0.4, 1));
  }
  if (drums) addInto(out, setRms(renderDrums(length, bpm, rng), 1), 0, drumsOnly ? 1 : rng.uniform(0.3, 0.8));
  return addBackground(maybeRoom(out, rng, 0.4), rng, [0, 25]);
}

function noise({ length, rng, groupRng }: ClipRequest): Float32Array {
  const g = groupRng();
  const u = g.next();
  let x: Float32Array;
  if (u < 0.1) x = whiteNoise(rng, length);
  else if (u < 0.2) x = pinkNoise(rng, length);
  else if (u < 0.25) x = brownNoise(rng, length);
  else {
    // Babble is speech, so it stays out of the noise class.
    const scenes = SCENES.filter((s) => s !== 'babble');
    x = renderScene(randomLocation(scenes[g.int(scenes.length)], g), length, rng);
  }
  return rng.next() < 0.5 ? addBackground(x, rng, [5, 20]) : mixAtSnr(x, pinkNoise(rng, length), 25);
}

export const smnTask: TaskGenerator = {
  name: 'smn',
  classes: ['speech', 'music', 'noise'],
  seconds: [1, 2],
  groups: { count: 20, perClass: true, prefix: 'src' },
  render(req) {
    return [speech, music, noise][req.label](req);
  },
};
