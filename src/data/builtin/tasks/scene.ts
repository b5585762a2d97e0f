/**
 * Acoustic scene classification (the paper's TUT scenes task). Groups are recording locations,
 * whose character (traffic density, mains frequency, rain intensity...) is fixed per location;
 * other scenes bleeding in, stray events (a passing bird) and a noise floor vary per clip.
 */
import { renderBirdSong } from '../birds.js';
import { addInto, mixAtSnr, pinkNoise, rms, setRms, whiteNoise } from '../dsp.js';
import { SCENES, randomLocation, renderScene } from '../scenes.js';
import type { TaskGenerator } from '../types.js';

export const sceneTask: TaskGenerator = {
  name: 'scene',
  classes: [...SCENES],
  seconds: [1.5, 2],
  groups: { count: 20, perClass: true, prefix: 'loc' },
  render({ label, length, rng, groupRng }) {
    const x = renderScene(randomLocation(SCENES[label], groupRng()), length, rng);
    if (rng.next() < 0.3) {
      // Scenes bleed into each other (traffic heard from an office, rain on a street).
      const others = SCENES.filter((s) => s !== SCENES[label] && s !== 'babble');
      const other = randomLocation(others[rng.int(others.length)], rng);
      mixAtSnr(x, renderScene(other, length, rng), rng.uniform(3, 15));
    }
    if (rng.next() < 0.15)
      addInto(x, setRms(renderBirdSong(length, rng), 1), 0, rms(x) * rng.uniform(0.05, 0.4));
    const floor = rng.next() < 0.5 ? whiteNoise(rng, length) : pinkNoise(rng, length);
    return mixAtSnr(x, floor, rng.uniform(5, 30));
  },
};
