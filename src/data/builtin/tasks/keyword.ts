/**
 * Keyword spotting (the paper's Speech Commands task): ten command words plus "unknown" (other
 * words), each said by many synthetic speakers at varied tempo and intonation, in noise. Speakers
 * are the groups, so test speakers are never heard in training.
 */
import { SAMPLE_RATE, fade, seconds } from '../dsp.js';
import { randomWord, wordSegments } from '../languages.js';
import { randomVoice, renderSpeech } from '../speech.js';
import type { TaskGenerator } from '../types.js';
import { addBackground, maybeRoom } from './mix.js';

/** Samples in one model patch (96 frames of 10 ms plus the 25 ms window). */
const PATCH = 15600;

const WORDS: Record<string, string[]> = {
  yes: ['j', 'E', 's'],
  no: ['n', 'o', 'U'],
  up: ['V', 'p'],
  down: ['d', 'a', 'U', 'n'],
  left: ['l', 'E', 'f', 't'],
  right: ['r', 'a', 'I', 't'],
  on: ['a', 'n'],
  off: ['O', 'f'],
  stop: ['s', 't', 'a', 'p'],
  go: ['g', 'o', 'U'],
};
const KEYWORDS = Object.keys(WORDS);
const SPELLINGS = new Set(Object.values(WORDS).map((w) => w.join(' ')));

export const keywordTask: TaskGenerator = {
  name: 'keyword',
  classes: [...KEYWORDS, 'unknown'],
  // Short clips: every patch position then covers the whole word (see the placement below).
  seconds: [1, 1.1],
  groups: { count: 40, perClass: false, prefix: 'spk' },
  render({ label, length, rng, groupRng }) {
    const voice = randomVoice(groupRng());
    let phones = WORDS[KEYWORDS[label]];
    if (!phones) {
      do phones = randomWord(rng);
      while (SPELLINGS.has(phones.join(' ')));
    }
    const question = rng.next() < 0.2;
    const start = rng.uniform(0, 3);
    const segs = wordSegments(phones, rng, {
      tempo: voice.rate * rng.uniform(0.75, 1.3),
      pitchStart: start,
      pitchEnd: question ? start + rng.uniform(2, 5) : start - rng.uniform(1, 5),
    });
    // Every patch of the clip covers [length − PATCH, PATCH): the word must lie inside it.
    const core = 2 * PATCH - length;
    const total = segs.reduce((s, x) => s + x.dur, 0);
    const fit = (0.9 * core) / SAMPLE_RATE / total;
    if (fit < 1) for (const s of segs) s.dur *= fit;
    let word = renderSpeech(segs, voice, rng);
    if (word.length > core) word = fade(word.slice(0, core), 0, seconds(0.01));
    const out = new Float32Array(length);
    out.set(word, length - PATCH + rng.int(core - word.length + 1));
    return addBackground(maybeRoom(out, rng, 0.3), rng, [-5, 20]);
  },
};
