/**
 * Batch log-mel front end (DESIGN.md §1, tf.signal conventions): magnitude STFT with a periodic Hann
 * window, no centering or padding (frame i covers samples [i·hop, i·hop + window)), a triangular
 * HTK-mel filterbank, then log(mel + logOffset).
 *
 * Layout: a LogMel is row-major frames × bands (frame t, band b at data[t·bands + b]), float32.
 * Internally everything is float64; buffers are allocated per extractor, never per frame.
 *
 *   const m = logMel(samples16k);          // m.frames × 64
 *   const p = toPatches(m);                // p.count × 96 × 64
 */
import { MtaError } from '../common/index.js';
import { RealFft } from './fft.js';
import { doubleArray } from './frontend-arrays.js';
import { DEFAULT_FRONTEND, parseFrontendConfig, type FrontendConfig } from './frontend-config.js';
import { applyMelFilterbank, melFilterbank, type MelFilterbank } from './mel.js';

export interface LogMel {
  frames: number;
  bands: number;
  /** frames × bands, row-major. */
  data: Float32Array;
}

/** Complete STFT frames in `samples` samples: 1 + ⌊(samples − window) / hop⌋, or 0 if shorter than a window. */
export function frameCount(samples: number, cfg: FrontendConfig): number {
  return samples < cfg.windowSamples ? 0 : 1 + Math.floor((samples - cfg.windowSamples) / cfg.hopSamples);
}

export class LogMelExtractor {
  readonly config: FrontendConfig;
  private readonly window: number[];
  private readonly magnitudes: number[];
  /** Band b's energy at [b + 1]; see applyMelFilterbank. */
  private readonly melAccumulator: number[];
  private readonly fft: RealFft;
  private readonly mel: MelFilterbank;

  constructor(cfg: FrontendConfig = DEFAULT_FRONTEND) {
    this.config = parseFrontendConfig(cfg);
    const { windowSamples, fftSize } = this.config;
    // Periodic Hann (tf.signal.hann_window(periodic=True)): 0.5 − 0.5·cos(2πn / N).
    this.window = doubleArray(windowSamples);
    for (let n = 0; n < windowSamples; n++)
      this.window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / windowSamples);
    this.magnitudes = doubleArray(fftSize / 2 + 1);
    this.melAccumulator = doubleArray(this.config.melBands + 2);
    this.fft = new RealFft(fftSize);
    this.mel = melFilterbank({
      sampleRate: this.config.sampleRate,
      fftSize,
      melBands: this.config.melBands,
      lowHz: this.config.melLowHz,
      highHz: this.config.melHighHz,
    });
  }

  /** Log-mel of a whole clip at config.sampleRate. Throws NON_FINITE if a frame sees NaN or ±Inf. */
  compute(samples: Float32Array): LogMel {
    const { hopSamples, melBands } = this.config;
    const frames = frameCount(samples.length, this.config);
    const data = new Float32Array(frames * melBands);
    for (let t = 0; t < frames; t++) {
      if (!this.computeFrame(samples, t * hopSamples, data, t * melBands)) {
        throw nonFinite(t, t * hopSamples, this.config);
      }
    }
    return { frames, bands: melBands, data };
  }

  /**
   * Writes the log-mel of the frame starting at samples[offset] to out[outOffset ..+ melBands).
   * Returns false if the result is not finite (the frame contains NaN or ±Inf samples).
   */
  computeFrame(samples: Float32Array, offset: number, out: Float32Array, outOffset: number): boolean {
    const { window, magnitudes, mel } = this;
    this.fft.windowedMagnitude(samples, offset, window, magnitudes, mel.minBin, mel.maxBin);
    const acc = this.melAccumulator;
    applyMelFilterbank(mel, magnitudes, acc);
    const logOffset = this.config.logOffset;
    let check = 0;
    for (let b = 0, bands = mel.bands; b < bands; b++) {
      const v = acc[b + 1];
      check += v;
      out[outOffset + b] = Math.log(v + logOffset);
    }
    return Number.isFinite(check);
  }
}

/** The extractor of the last logMel() call: building one (tables, validation) costs a fraction of a 1 s clip's log-mel. */
let lastExtractor: LogMelExtractor | undefined;

/** Log-mel of a whole clip; consecutive calls with equal configs share one extractor. */
export function logMel(samples: Float32Array, cfg: FrontendConfig = DEFAULT_FRONTEND): LogMel {
  const c = parseFrontendConfig(cfg);
  const last = lastExtractor?.config;
  const same =
    last !== undefined &&
    (last === c || (Object.keys(c) as (keyof FrontendConfig)[]).every((k) => c[k] === last[k]));
  const extractor = same ? lastExtractor! : new LogMelExtractor(c);
  lastExtractor = extractor;
  return extractor.compute(samples);
}

export function nonFinite(frame: number, firstSample: number, cfg: FrontendConfig): MtaError {
  return new MtaError('NON_FINITE', `log-mel frame ${frame} is not finite`, {
    subject: 'samples',
    expected: 'finite audio samples',
    actual: `NaN or ±Inf within samples ${firstSample}–${firstSample + cfg.windowSamples - 1}`,
  });
}
