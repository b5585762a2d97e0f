/**
 * Pitch (the paper's NSynth pitch task): 24 semitone classes, C3 (MIDI 48) to B4 (MIDI 71), each
 * played by instruments of every family in variants whose perceived pitch is the fundamental.
 * A group is one instrument; groups are shared by all classes and held out across splits.
 * Notes are detuned by up to ±20 cents, never enough to reach the next class.
 */
import { addInto, seconds } from '../dsp.js';
import { FAMILIES, randomInstrument, renderNote } from '../music.js';
import type { TaskGenerator } from '../types.js';
import { addBackground, maybeRoom } from './mix.js';

const PITCH_LOWEST_MIDI = 48;
const NAMES = ['C', 'Cs', 'D', 'Ds', 'E', 'F', 'Fs', 'G', 'Gs', 'A', 'As', 'B'];

export const pitchTask: TaskGenerator = {
  name: 'pitch',
  classes: Array.from({ length: 24 }, (_, i) => {
    const midi = PITCH_LOWEST_MIDI + i;
    return `${NAMES[midi % 12]}${Math.floor(midi / 12) - 1}`;
  }),
  seconds: [1, 1.5],
  groups: { count: 40, perClass: false, prefix: 'inst' },
  render({ label, length, rng, groupRng }) {
    const g = groupRng();
    const inst = randomInstrument(FAMILIES[g.int(FAMILIES.length)], g, true);
    const midi = PITCH_LOWEST_MIDI + label + rng.uniform(-0.2, 0.2);
    const out = new Float32Array(length);
    const decaying = inst.family === 'plucked' || inst.family === 'mallet';
    // Decaying notes are struck again so that every patch of the clip hears the pitch.
    const every = decaying ? seconds(rng.uniform(0.4, 0.9)) : length;
    for (let t = seconds(rng.uniform(0, 0.05)); t < length; t += every) {
      const n = decaying ? Math.min(length - t, seconds(2)) : length - t;
      addInto(out, renderNote(inst, midi, n, rng), t, rng.uniform(0.7, 1));
    }
    return addBackground(maybeRoom(out, rng, 0.3), rng, [0, 25], true);
  },
};
