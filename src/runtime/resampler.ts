/**
 * Streaming band-limited resampler for live input at any rate (a microphone at 44.1 or 48 kHz):
 * push chunks of any size, get the output samples that became computable. Synchronous and free of
 * WebAssembly, so a stream can start at once in Node and in the browser.
 *
 * Method: Kaiser-windowed sinc interpolation at arbitrary ratio (Smith's bandlimited interpolation,
 * as libsamplerate's sinc converters do), from one table of the window·sinc with linear
 * interpolation between its points.
 * - Cutoff at half the lower of the two rates, transition band 6% of that rate wide, 100 dB
 *   stopband (Kaiser β = 0.1102·(A − 8.7), window length from Kaiser's formula): to 16 kHz the
 *   passband is flat to 7.52 kHz (the front end's mel bands end at 7.5 kHz) and everything from
 *   8.48 kHz up is attenuated by ≥ 100 dB, checked by test/runtime-resampler.test.ts.
 * - Output sample k is the input interpolated at time k / toRate exactly (no delay): the stream
 *   holds it back until the input it needs has arrived. Input before the first sample and after
 *   end() counts as zeros, so a clip of n samples gives ceil(n · toRate / fromRate) samples.
 * - Every output is the same float64 sum whatever the chunking, so streamed output is identical to
 *   one-shot output.
 */
import { MtaError } from '../common/index.js';

const STOPBAND_DB = 100;
const KAISER_BETA = 0.1102 * (STOPBAND_DB - 8.7);
/** Transition band width as a fraction of the lower rate. */
const TRANSITION = 0.06;
/** Zero crossings of the sinc on each side: half of Kaiser's window length, in units of 1/lower rate. */
const ZERO_CROSSINGS = Math.ceil((STOPBAND_DB - 8) / (2.285 * 2 * Math.PI * TRANSITION) / 2);
/** Table points per zero crossing; linear interpolation between them errs by < 1e-6. */
const RESOLUTION = 1024;

export const MIN_RATE = 1000;
export const MAX_RATE = 768_000;

let table: Float64Array | undefined;

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x ≤ 30). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** sinc(u)·kaiser(u / ZERO_CROSSINGS) at u = i / RESOLUTION, plus one zero past the end. */
function sincTable(): Float64Array {
  if (table) return table;
  const n = ZERO_CROSSINGS * RESOLUTION;
  const t = new Float64Array(n + 2);
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i <= n; i++) {
    const u = i / RESOLUTION;
    const r = u / ZERO_CROSSINGS;
    const w = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    t[i] = (i === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * w;
  }
  table = t;
  return t;
}

export function checkRate(rate: number, subject: string): void {
  if (!Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw new MtaError('BAD_ARGUMENT', 'unsupported sample rate', {
      subject,
      expected: `an integer rate in Hz from ${MIN_RATE} to ${MAX_RATE}`,
      actual: String(rate),
    });
  }
}

export class StreamResampler {
  /** Filter scale: zero-crossing units per input sample (≤ 1). */
  private readonly scale: number;
  /** Half the filter's span, in input samples. */
  private readonly half: number;
  private buffer = new Float32Array(0);
  private buffered = 0;
  /** Absolute index of buffer[0]. */
  private bufferStart = 0;
  private inputCount = 0;
  private outputCount = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    checkRate(fromRate, 'fromRate');
    checkRate(toRate, 'toRate');
    this.scale = Math.min(1, toRate / fromRate);
    this.half = ZERO_CROSSINGS / this.scale;
  }

  /** Appends input samples and returns the output samples that can now be computed. */
  push(chunk: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) {
      this.inputCount += chunk.length;
      this.outputCount += chunk.length;
      return chunk.slice();
    }
    this.append(chunk);
    // Output k needs inputs up to floor(k·from/to + half).
    const ready = Math.floor(((this.inputCount - 1 - this.half) * this.toRate) / this.fromRate);
    return this.emit(Math.max(this.outputCount, ready + 1));
  }

  /** Ends the input (zeros follow it) and returns the remaining output samples; then resets. */
  end(): Float32Array {
    const total = Math.ceil((this.inputCount * this.toRate) / this.fromRate);
    const out = this.fromRate === this.toRate ? new Float32Array(0) : this.emit(total);
    this.buffered = 0;
    this.bufferStart = 0;
    this.inputCount = 0;
    this.outputCount = 0;
    return out;
  }

  private append(chunk: Float32Array): void {
    // Keep only the inputs the next output can reach.
    const keepFrom = Math.max(
      this.bufferStart,
      Math.ceil((this.outputCount * this.fromRate) / this.toRate - this.half),
    );
    const drop = Math.min(keepFrom - this.bufferStart, this.buffered);
    if (drop > 0) {
      this.buffer.copyWithin(0, drop, this.buffered);
      this.buffered -= drop;
      this.bufferStart += drop;
    }
    const need = this.buffered + chunk.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.buffer.length, 1024));
      grown.set(this.buffer.subarray(0, this.buffered));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.buffered);
    this.buffered = need;
    this.inputCount += chunk.length;
  }

  /** Computes outputs outputCount … until − 1. */
  private emit(until: number): Float32Array {
    const count = Math.max(0, until - this.outputCount);
    const out = new Float32Array(count);
    const t = sincTable();
    const { scale, half, buffer, bufferStart, fromRate, toRate } = this;
    const last = Math.min(this.inputCount, bufferStart + this.buffered) - 1;
    const step = scale * RESOLUTION;
    for (let i = 0; i < count; i++) {
      const k = this.outputCount + i;
      const p = (k * fromRate) / toRate;
      const j0 = Math.max(0, Math.ceil(p - half), bufferStart);
      const j1 = Math.min(Math.floor(p + half), last);
      let acc = 0;
      for (let j = j0; j <= j1; j++) {
        const u = Math.abs(p - j) * step;
        const idx = Math.floor(u);
        const frac = u - idx;
        acc += buffer[j - bufferStart] * (t[idx] + frac * (t[idx + 1] - t[idx]));
      }
      out[i] = acc * scale;
    }
    this.outputCount += count;
    return out;
  }
}

/** One-shot resampling with the same filter: equal to pushing x in any chunks, then end(). */
export function resampleClip(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  const r = new StreamResampler(fromRate, toRate);
  const a = r.push(x);
  const b = r.end();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
