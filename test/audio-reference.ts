/**
 * Float64 references for the audio tests, written independently of src/audio: sine generation,
 * a windowed single-frequency DFT (Goertzel-style), band energies from a direct DFT, and a WAV writer.
 */

/** amp · sin(2π f n / rate), computed in float64 and stored as float32. */
export function sine(freq: number, rate: number, frames: number, amp = 0.5): Float32Array {
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = amp * Math.sin((2 * Math.PI * freq * n) / rate);
  return x;
}

/** 4-term Blackman-Harris window (sidelobes below -92 dB), so a strong tone cannot mask a weak one. */
function blackmanHarris(n: number, size: number): number {
  const t = (2 * Math.PI * n) / (size - 1);
  return 0.35875 - 0.48829 * Math.cos(t) + 0.14128 * Math.cos(2 * t) - 0.01168 * Math.cos(3 * t);
}

/** Peak amplitude of the component at `freq` in x[start, end), from a windowed DFT at exactly that frequency. */
export function toneAmplitude(
  x: ArrayLike<number>,
  freq: number,
  rate: number,
  start = 0,
  end = x.length,
): number {
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let n = start; n < end; n++) {
    const w = blackmanHarris(n - start, end - start);
    const phase = (2 * Math.PI * freq * n) / rate;
    re += w * x[n] * Math.cos(phase);
    im -= w * x[n] * Math.sin(phase);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

export function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}

/**
 * Energy below and above `splitHz`, summed over Blackman-Harris-windowed frames with a direct DFT
 * (frames hop by half their length). DC is excluded.
 */
export function bandEnergies(
  x: ArrayLike<number>,
  rate: number,
  splitHz: number,
  size = 512,
): { below: number; above: number } {
  let below = 0;
  let above = 0;
  const w = Array.from({ length: size }, (_, n) => blackmanHarris(n, size));
  const cos = Array.from({ length: size }, (_, n) => Math.cos((2 * Math.PI * n) / size));
  const sin = Array.from({ length: size }, (_, n) => Math.sin((2 * Math.PI * n) / size));
  for (let start = 0; start + size <= x.length; start += size / 2) {
    for (let k = 1; k <= size / 2; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < size; n++) {
        const j = (k * n) % size; // e^{-2πi k n / size} from the table
        re += w[n] * x[start + n] * cos[j];
        im -= w[n] * x[start + n] * sin[j];
      }
      const e = re * re + im * im;
      if ((k * rate) / size < splitHz) below += e;
      else above += e;
    }
  }
  return { below, above };
}

/** What buildWav writes; sizes are derived from these, so a test can then corrupt the bytes. */
export interface WavSpec {
  /** Format tag of the fmt chunk (0xfffe for WAVE_FORMAT_EXTENSIBLE). */
  tag: number;
  /** For WAVE_FORMAT_EXTENSIBLE: the sub-format tag in the GUID and the valid bits. */
  subTag?: number;
  validBits?: number;
  channels: number;
  rate: number;
  bits: number;
  data: Uint8Array;
  /** Chunks placed between fmt and data: [id, body]. */
  extra?: [string, Uint8Array][];
}

/** A RIFF chunk: id, little-endian size, body, pad byte if odd. */
function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  const v = new DataView(out.buffer);
  [...id].forEach((c, i) => v.setUint8(i, c.charCodeAt(0)));
  v.setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An independent WAV writer for tests: any format tag, WAVE_FORMAT_EXTENSIBLE, extra chunks. */
export function buildWav(s: WavSpec): Uint8Array {
  const ext = s.tag === 0xfffe;
  const fmt = new Uint8Array(ext ? 40 : 16);
  const v = new DataView(fmt.buffer);
  const blockAlign = (s.channels * s.bits) / 8;
  v.setUint16(0, s.tag, true);
  v.setUint16(2, s.channels, true);
  v.setUint32(4, s.rate, true);
  v.setUint32(8, s.rate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, s.bits, true);
  if (ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, s.validBits ?? s.bits, true);
    v.setUint32(20, (1 << s.channels) - 1, true); // channel mask: the first n speaker positions
    v.setUint16(24, s.subTag ?? 1, true);
    // KSDATAFORMAT_SUBTYPE GUID tail {xxxxxxxx-0000-0010-8000-00aa00389b71}
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const body = concat([
    new Uint8Array([0x57, 0x41, 0x56, 0x45]), // WAVE
    chunk('fmt ', fmt),
    ...(s.extra ?? []).map(([id, b]) => chunk(id, b)),
    chunk('data', s.data),
  ]);
  return concat([chunk('RIFF', body).subarray(0, 8), body]);
}
