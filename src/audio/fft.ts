/**
 * Real-input FFT magnitudes for the log-mel front end, in float64.
 *
 * N = FFT size, H = N/2. A real frame x[0..N) is viewed as H complex samples z[n] = x[2n] + i·x[2n+1]
 * and transformed by an iterative decimation-in-time complex FFT of size H: a first twiddle-free
 * radix-4 (or, when log2 H is odd, radix-2) stage that gathers z in bit-reversed order straight
 * from the audio, windowing and zero-padding as it loads, then radix-4 stages with precomputed twiddles (one radix-4 butterfly = two radix-2 stages,
 * so half the passes over memory, which dominate the cost in JavaScript). The H + 1 bins of X are
 * then split off pairwise, using the symmetry of the packing:
 *   E = (Z[k] + conj Z[H−k]) / 2,  O = (Z[k] − conj Z[H−k]) / 2i,  w = e^{−2πik/N},
 *   X[k] = E + w·O,  X[H−k] = conj(E − w·O).
 * Buffers are allocated once per instance (plain double arrays, see frontend-arrays.ts); transforms
 * allocate nothing.
 */
import { doubleArray, toDoubleArray } from './frontend-arrays.js';

export class RealFft {
  /** FFT length N (power of two, ≥ 4). */
  readonly size: number;
  private readonly half: number;
  private readonly firstRadix: 2 | 4;
  /** For first-stage group p, its first input z[groupSource[p]] (bit reversal of p). */
  private readonly groupSource: number[];
  /**
   * Radix-4 stages after the first, as block sizes; stage s holds, per j < block/4, the twiddles
   * w^j, w^2j, w^3j (w = e^{−2πi/block}, re/im interleaved) at twiddleOffsets[s] + 6j.
   */
  private readonly blocks: number[] = [];
  private readonly twiddleOffsets: number[] = [];
  private readonly twiddles: number[];
  /** e^{−2πik/N} for k ≤ H/2. */
  private readonly splitCos: number[];
  private readonly splitSin: number[];
  private readonly zr: number[];
  private readonly zi: number[];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`RealFft size must be a power of two ≥ 4, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.half = half;
    this.zr = doubleArray(half);
    this.zi = doubleArray(half);
    const bits = Math.log2(half);
    this.firstRadix = bits % 2 === 1 ? 2 : 4;
    const groups = half / this.firstRadix;
    const groupBits = Math.log2(groups);
    this.groupSource = new Array<number>(groups).fill(0);
    for (let p = 0; p < groups; p++) {
      let r = 0;
      for (let b = 0; b < groupBits; b++) r |= ((p >> b) & 1) << (groupBits - 1 - b);
      this.groupSource[p] = r;
    }
    const tw: number[] = [];
    for (let block = 4 * this.firstRadix; block <= half; block *= 4) {
      this.blocks.push(block);
      this.twiddleOffsets.push(tw.length);
      for (let j = 0; j < block / 4; j++) {
        for (let p = 1; p <= 3; p++) {
          tw.push(Math.cos((-2 * Math.PI * p * j) / block), Math.sin((-2 * Math.PI * p * j) / block));
        }
      }
    }
    this.twiddles = toDoubleArray(tw);
    this.splitCos = doubleArray(half / 2 + 1);
    this.splitSin = doubleArray(half / 2 + 1);
    for (let k = 0; k <= half / 2; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * |X[k]| for binFrom ≤ k < binTo ≤ N/2 + 1, written to out[k] (other entries untouched), of the
   * real frame x[n] = samples[offset + n] · window[n] for n < window.length ≤ N, zero-padded to N.
   * The caller guarantees offset + window.length ≤ samples.length.
   */
  windowedMagnitude(
    samples: Float32Array,
    offset: number,
    window: readonly number[],
    out: number[],
    binFrom: number,
    binTo: number,
  ): void {
    if (this.firstRadix === 4) this.firstStageRadix4(samples, offset, window);
    else this.firstStageRadix2(samples, offset, window);
    for (let s = 0; s < this.blocks.length; s++) this.radix4Stage(this.blocks[s], this.twiddleOffsets[s]);
    this.split(out, binFrom, binTo);
  }

  /** x[n] of windowedMagnitude: windowing and zero padding fused into the first stage's loads. */
  private frameValue(samples: Float32Array, offset: number, window: readonly number[], n: number): number {
    return n < window.length ? samples[offset + n] * window[n] : 0;
  }

  /**
   * Positions 4p..4p+3 of the bit-reversed sequence hold z[r], z[r + 2Q], z[r + Q], z[r + 3Q]
   * (Q = H/4, r = groupSource[p]); the butterfly is the radix-4 one below with unit twiddles.
   */
  private firstStageRadix4(x: Float32Array, offset: number, window: readonly number[]): void {
    const { zr, zi, groupSource } = this;
    const q2 = this.half >> 1; // 2Q complex = H/2 reals
    for (let p = 0, o = 0; o < this.half; p++, o += 4) {
      const n0 = 2 * groupSource[p];
      const n2 = n0 + q2;
      const n1 = n2 + q2;
      const n3 = n1 + q2;
      const x0r = this.frameValue(x, offset, window, n0);
      const x0i = this.frameValue(x, offset, window, n0 + 1);
      const x1r = this.frameValue(x, offset, window, n1);
      const x1i = this.frameValue(x, offset, window, n1 + 1);
      const x2r = this.frameValue(x, offset, window, n2);
      const x2i = this.frameValue(x, offset, window, n2 + 1);
      const x3r = this.frameValue(x, offset, window, n3);
      const x3i = this.frameValue(x, offset, window, n3 + 1);
      const ar = x0r + x1r;
      const ai = x0i + x1i;
      const br = x0r - x1r;
      const bi = x0i - x1i;
      const sr = x2r + x3r;
      const si = x2i + x3i;
      const dr = x2r - x3r;
      const di = x2i - x3i;
      zr[o] = ar + sr;
      zi[o] = ai + si;
      zr[o + 2] = ar - sr;
      zi[o + 2] = ai - si;
      zr[o + 1] = br + di;
      zi[o + 1] = bi - dr;
      zr[o + 3] = br - di;
      zi[o + 3] = bi + dr;
    }
  }

  /** Positions 2p, 2p+1 of the bit-reversed sequence hold z[r], z[r + H/2] (r = groupSource[p]). */
  private firstStageRadix2(x: Float32Array, offset: number, window: readonly number[]): void {
    const { zr, zi, groupSource } = this;
    const h = this.half; // H/2 complex = H reals
    for (let p = 0, o = 0; o < this.half; p++, o += 2) {
      const n0 = 2 * groupSource[p];
      const n1 = n0 + h;
      const x0r = this.frameValue(x, offset, window, n0);
      const x0i = this.frameValue(x, offset, window, n0 + 1);
      const x1r = this.frameValue(x, offset, window, n1);
      const x1i = this.frameValue(x, offset, window, n1 + 1);
      zr[o] = x0r + x1r;
      zi[o] = x0i + x1i;
      zr[o + 1] = x0r - x1r;
      zi[o + 1] = x0i - x1i;
    }
  }

  /**
   * Two radix-2 DIT stages (spans block/2 and block) as one radix-4 butterfly on
   * z[i+j], z[i+j+q], z[i+j+2q], z[i+j+3q] (q = block/4) with c1 = w^2j·z1, c2 = w^j·z2, c3 = w^3j·z3:
   *   y0 = z0 + c1 + (c2 + c3), y2 = z0 + c1 − (c2 + c3), y1 = z0 − c1 − i(c2 − c3), y3 = z0 − c1 + i(c2 − c3).
   */
  private radix4Stage(block: number, tw: number): void {
    const { zr, zi, half, twiddles } = this;
    const q = block >> 2;
    for (let i = 0; i < half; i += block) {
      for (let j = 0, t = tw; j < q; j++, t += 6) {
        const p0 = i + j;
        const p1 = p0 + q;
        const p2 = p1 + q;
        const p3 = p2 + q;
        const w1r = twiddles[t];
        const w1i = twiddles[t + 1];
        const w2r = twiddles[t + 2];
        const w2i = twiddles[t + 3];
        const w3r = twiddles[t + 4];
        const w3i = twiddles[t + 5];
        const x1r = zr[p1];
        const x1i = zi[p1];
        const x2r = zr[p2];
        const x2i = zi[p2];
        const x3r = zr[p3];
        const x3i = zi[p3];
        const c1r = x1r * w2r - x1i * w2i;
        const c1i = x1r * w2i + x1i * w2r;
        const c2r = x2r * w1r - x2i * w1i;
        const c2i = x2r * w1i + x2i * w1r;
        const c3r = x3r * w3r - x3i * w3i;
        const c3i = x3r * w3i + x3i * w3r;
        const z0r = zr[p0];
        const z0i = zi[p0];
        const ar = z0r + c1r;
        const ai = z0i + c1i;
        const br = z0r - c1r;
        const bi = z0i - c1i;
        const sr = c2r + c3r;
        const si = c2i + c3i;
        const dr = c2r - c3r;
        const di = c2i - c3i;
        zr[p0] = ar + sr;
        zi[p0] = ai + si;
        zr[p2] = ar - sr;
        zi[p2] = ai - si;
        zr[p1] = br + di;
        zi[p1] = bi - dr;
        zr[p3] = br - di;
        zi[p3] = bi + dr;
      }
    }
  }

  private split(out: number[], binFrom: number, binTo: number): void {
    const { zr, zi, splitCos, splitSin, half } = this;
    // k = 0 and k = H: Z[0] = E + i·O with E, O real, w = 1 and −1.
    if (binFrom <= 0 && binTo > 0) out[0] = Math.abs(zr[0] + zi[0]);
    if (binFrom <= half && binTo > half) out[half] = Math.abs(zr[0] - zi[0]);
    const kFrom = Math.max(1, Math.min(binFrom, half - binTo + 1));
    for (let k = kFrom; k <= half >> 1; k++) {
      const m = half - k;
      const inLow = k >= binFrom && k < binTo;
      const inHigh = m >= binFrom && m < binTo;
      if (!inLow && !inHigh) continue;
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[m];
      const bi = zi[m];
      // E = (Z[k] + conj Z[m]) / 2, O = (Z[k] − conj Z[m]) / 2i, t = w·O.
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      const c = splitCos[k];
      const s = splitSin[k];
      const tr = c * or - s * oi;
      const ti = c * oi + s * or;
      if (inLow) {
        const re = er + tr;
        const im = ei + ti;
        out[k] = Math.sqrt(re * re + im * im);
      }
      if (inHigh) {
        const re = er - tr;
        const im = ei - ti;
        out[m] = Math.sqrt(re * re + im * im);
      }
    }
  }
}
