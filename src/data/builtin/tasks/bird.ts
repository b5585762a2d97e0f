/**
 * Bird presence (the paper's bird audio detection task): chirping over a recording site's
 * background, against the background alone. Sites are the groups, so test sites are unheard.
 * Distant birds (low SNR) and bird-like distractors in both classes (squeaks, beeps, bubbling
 * water) keep the ceiling below 100%.
 */
import type { Rng } from '../../../common/index.js';
import { renderBirdSong } from '../birds.js';
import { SAMPLE_RATE, addInto, mixAtSnr, rms, seconds, setRms, sinCycles } from '../dsp.js';
import { SCENES, babble, randomLocation, renderScene } from '../scenes.js';
import type { TaskGenerator } from '../types.js';

/** Tonal, bird-band sounds that are not birds: a squeaking belt or an electronic beeper. */
function distractor(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const f = rng.uniform(1500, 4500);
  const squeak = rng.next() < 0.5;
  const period = seconds(rng.uniform(0.2, 0.7));
  const len = seconds(squeak ? rng.uniform(0.04, 0.15) : rng.uniform(0.05, 0.25));
  // The third harmonic only while it stays under Nyquist, so nothing aliases.
  const third = 3 * f * 1.15 < SAMPLE_RATE / 2 ? (squeak ? 0.5 : 0.3) : 0;
  for (let t = rng.int(period); t < n; t += period) {
    let ph = 0;
    for (let i = 0; i < len && t + i < n; i++) {
      const u = i / len;
      ph += (squeak ? f * (1 + 0.15 * u) : f) / SAMPLE_RATE;
      out[t + i] += Math.sin(Math.PI * u) * (sinCycles(ph) + third * sinCycles(3 * ph));
    }
  }
  return out;
}

export const birdTask: TaskGenerator = {
  name: 'bird',
  classes: ['absent', 'present'],
  seconds: [1, 2],
  groups: { count: 40, perClass: false, prefix: 'site' },
  render({ label, length, rng, groupRng }) {
    const g = groupRng();
    const site = randomLocation(SCENES[g.int(SCENES.length)], g);
    const x = site.scene === 'babble' ? babble(site.p, length, rng, 3) : renderScene(site, length, rng);
    if (rng.next() < 0.3) addInto(x, setRms(distractor(length, rng), 1), 0, rms(x) * rng.uniform(0.3, 2));
    if (label === 1) {
      const song = renderBirdSong(length, rng);
      // Bird-to-background ratio: the most distant birds are barely audible, as in field recordings.
      mixAtSnr(song, x, rng.uniform(-20, 10));
      return song;
    }
    return x;
  },
};
