/**
 * Turning clip audio into a waveform at the front end's rate: decode (or generate), band-limit,
 * cut a window, mix. Runs in the extraction workers. Decoded files are kept in a small LRU so the
 * windows of one long track, or many mixtures over the same noise recordings, decode it once.
 *
 * Mixtures: the speech is placed at a seeded random offset inside max(speech, minSeconds); a
 * seeded segment of the noise (repeated if too short) spans the whole mixture, scaled so that
 * 10·log10(P_speech / P_noise) = snrDb, with both powers measured over the speech's own samples.
 */
import { Rng, MtaError } from '../common/index.js';
import { loadAudio, resample } from '../audio/index.js';
import { renderBuiltinClip } from './builtin/index.js';
import type { ClipAudio, PlainAudio } from './clip.js';

/** The built-in generator's output rate. */
const BUILTIN_RATE = 16000;
/** Below this mean power a noise segment counts as silence and cannot set an SNR. */
const SILENT_POWER = 1e-10;

export class WaveformRenderer {
  private readonly lru = new Map<string, Float32Array>();
  private held = 0;

  /**
   * `maxSamples` bounds the decoded audio kept for reuse (default 48 M samples = 192 MB, about 50
   * minutes at 16 kHz): enough to hold a whole noise pool, such as ESC-10's 20 minutes of non-vocal
   * clips that every kws-noisy mixture draws from. A pool larger than the LRU would miss on nearly
   * every mixture, and decoding plus best-quality resampling then dominates extraction.
   */
  constructor(
    readonly sampleRate: number,
    private readonly maxSamples = 48 * 1024 * 1024,
  ) {}

  async render(a: ClipAudio): Promise<Float32Array> {
    if (a.kind !== 'mixture') return this.plain(a);
    return mix(await this.plain(a.speech), await this.plain(a.noise), a, this.sampleRate);
  }

  async plain(a: PlainAudio): Promise<Float32Array> {
    const whole = await this.decoded(a);
    if (a.kind !== 'file' || !a.window) return whole;
    const start = Math.round(a.window.startSec * this.sampleRate);
    const end = Math.min(whole.length, start + Math.round(a.window.durationSec * this.sampleRate));
    return whole.subarray(Math.min(start, end), end);
  }

  private async decoded(a: PlainAudio): Promise<Float32Array> {
    const key =
      a.kind === 'file'
        ? `f:${a.path}|${a.resampleThroughHz ?? ''}`
        : `b:${a.seed}:${a.ref.task}:${a.ref.index}`;
    const hit = this.lru.get(key);
    if (hit) {
      this.lru.delete(key);
      this.lru.set(key, hit);
      return hit;
    }
    const x = await this.decode(a);
    this.lru.set(key, x);
    this.held += x.length;
    for (const [k, v] of this.lru) {
      if (this.held <= this.maxSamples || k === key) break;
      this.lru.delete(k);
      this.held -= v.length;
    }
    return x;
  }

  private async decode(a: PlainAudio): Promise<Float32Array> {
    const sr = this.sampleRate;
    const through = a.resampleThroughHz;
    if (a.kind === 'file') {
      if (through === undefined) return loadAudio(a.path, { sampleRate: sr });
      return resample(await loadAudio(a.path, { sampleRate: through }), through, sr);
    }
    let x = renderBuiltinClip(a.ref, { seed: a.seed });
    let rate = BUILTIN_RATE;
    if (through !== undefined) {
      x = await resample(x, rate, through);
      rate = through;
    }
    return rate === sr ? x : resample(x, rate, sr);
  }
}

export function mix(
  speech: Float32Array,
  noise: Float32Array,
  m: { snrDb: number; seed: number; minSeconds: number },
  sampleRate: number,
): Float32Array {
  if (speech.length === 0 || noise.length === 0) {
    throw new MtaError('BAD_AUDIO', 'cannot mix an empty clip', { subject: 'mixture' });
  }
  const rng = new Rng(m.seed);
  const n = Math.max(speech.length, Math.round(m.minSeconds * sampleRate));
  const at = rng.int(n - speech.length + 1);
  let ps = 0;
  for (let i = 0; i < speech.length; i++) ps += speech[i] * speech[i];
  ps /= speech.length;
  // A few tries to find a segment that is not silence (ESC-10 clips have quiet stretches).
  let off = 0;
  let pn = 0;
  for (let tries = 0; tries < 8 && pn <= SILENT_POWER; tries++) {
    off = rng.int(noise.length);
    pn = 0;
    for (let i = 0; i < speech.length; i++) {
      const v = noise[(off + at + i) % noise.length];
      pn += v * v;
    }
    pn /= speech.length;
  }
  if (pn <= SILENT_POWER) {
    throw new MtaError('BAD_AUDIO', 'the noise recording is silent where it would be mixed', {
      subject: 'mixture',
    });
  }
  const g = Math.sqrt(ps / (pn * 10 ** (m.snrDb / 10)));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g * noise[(off + i) % noise.length];
  for (let i = 0; i < speech.length; i++) out[at + i] += speech[i];
  return out;
}
