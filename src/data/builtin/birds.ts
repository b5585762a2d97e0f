/**
 * Bird song for the bird-presence task: sequences of chirps (frequency sweeps, trills, warbles,
 * whistles) between about 1.5 and 8 kHz, like the calls in the DCASE bird audio detection data.
 */
import type { Rng } from '../../common/index.js';
import { SAMPLE_RATE, seconds, sinCycles } from './dsp.js';

type ChirpKind = 'sweep' | 'trill' | 'warble' | 'whistle';
const KINDS: ChirpKind[] = ['sweep', 'trill', 'warble', 'whistle'];

interface Species {
  kinds: ChirpKind[];
  /** Centre frequency of the song, Hz. */
  f: number;
  /** Relative level of the second harmonic. */
  h2: number;
}

function randomSpecies(rng: Rng): Species {
  const first = KINDS[rng.int(KINDS.length)];
  const kinds = rng.next() < 0.5 ? [first] : [first, KINDS[rng.int(KINDS.length)]];
  return { kinds, f: rng.uniform(1800, 6000), h2: rng.uniform(0, 0.3) };
}

/** Adds one chirp at `start`; returns its length in samples. */
function chirp(out: Float32Array, start: number, kind: ChirpKind, sp: Species, rng: Rng): number {
  const f = sp.f * rng.uniform(0.85, 1.15);
  let dur: number;
  let freqAt: (u: number) => number;
  switch (kind) {
    case 'sweep': {
      dur = rng.uniform(0.03, 0.15);
      const span = rng.uniform(-0.5, 0.5);
      freqAt = (u) => f * (1 + span * (u - 0.5));
      break;
    }
    case 'trill': {
      dur = rng.uniform(0.15, 0.4);
      const rate = rng.uniform(15, 35);
      freqAt = (u) => f * (1 + 0.25 * ((u * dur * rate) % 1) - 0.12);
      break;
    }
    case 'warble': {
      dur = rng.uniform(0.1, 0.3);
      const rate = rng.uniform(20, 60);
      const depth = rng.uniform(0.05, 0.2);
      freqAt = (u) => f * (1 + depth * sinCycles(u * dur * rate));
      break;
    }
    case 'whistle': {
      dur = rng.uniform(0.15, 0.4);
      const glide = rng.uniform(-0.15, 0.15);
      freqAt = (u) => f * 0.7 * (1 + glide * u);
      break;
    }
  }
  const len = Math.min(seconds(dur), out.length - start);
  const amp = rng.uniform(0.5, 1);
  let ph = 0;
  for (let i = 0; i < len; i++) {
    const u = i / len;
    ph += Math.min(freqAt(u), 7600) / SAMPLE_RATE;
    const env = Math.sin(Math.PI * u) ** 2;
    out[start + i] += amp * env * (sinCycles(ph) + sp.h2 * sinCycles(2 * ph));
  }
  return Math.max(len, 0);
}

/**
 * A song filling n samples. Chirp onsets are never more than 0.55 s apart and the first comes
 * within 0.25 s, so every 0.975 s model patch of the clip holds at least one whole chirp.
 */
export function renderBirdSong(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const species = randomSpecies(rng);
  let t = seconds(rng.uniform(0, 0.25));
  while (t < n) {
    const kind = species.kinds[rng.int(species.kinds.length)];
    const len = chirp(out, t, kind, species, rng);
    t += Math.max(len, seconds(0.03)) + seconds(rng.uniform(0.03, 0.55 - len / SAMPLE_RATE));
  }
  return out;
}
