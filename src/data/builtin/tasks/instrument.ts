/**
 * Instrument family (the paper's NSynth family task): eight families built on different synthesis
 * principles (music.ts). A group is one instrument of a family; as in NSynth, test instruments are
 * never heard in training, so a model must learn the family, not the instrument.
 */
import { FAMILIES, FAMILY_RANGE, randomInstrument, renderPhrase } from '../music.js';
import type { TaskGenerator } from '../types.js';
import { addBackground, maybeRoom } from './mix.js';

export const instrumentTask: TaskGenerator = {
  name: 'instrument',
  classes: [...FAMILIES],
  seconds: [1, 2],
  groups: { count: 20, perClass: true, prefix: 'inst' },
  render({ label, length, rng, groupRng }) {
    const family = FAMILIES[label];
    const x = renderPhrase(randomInstrument(family, groupRng()), length, rng, FAMILY_RANGE[family]);
    return addBackground(maybeRoom(x, rng, 0.4), rng, [5, 30], true);
  },
};
