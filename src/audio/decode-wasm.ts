/**
 * The compressed-format decoders (Vorbis, Opus, FLAC, MP3) are WebAssembly modules from the
 * wasm-audio-decoders family. Each is created lazily on first use, reused for every later file
 * (reset between files), and used by one file at a time: their streaming state is per instance.
 * A decoder that failed is freed and replaced, since its state is unknown. They run on the calling
 * thread and hold no handles, so they never keep a process alive.
 *
 * Input is fed in chunks and the decoded length is checked after each one, so a hostile stream
 * cannot decode to more than MAX_DURATION_SEC of audio before we stop it.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { MtaError, isMtaError } from '../common/index.js';
import { checkChannelCount, checkFrameCount, checkSampleRate } from './decode-limits.js';

export type WasmCodec = 'vorbis' | 'opus' | 'flac' | 'mp3';

/** The shape shared by every wasm-audio-decoders decoder and its output. */
interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber: number; inputBytes: number }[];
}
interface WasmDecoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): WasmDecoded | Promise<WasmDecoded>;
  flush?: () => Promise<WasmDecoded>;
  reset(): Promise<void>;
  free(): void;
}

const CREATE: Record<WasmCodec, () => WasmDecoder> = {
  vorbis: () => new OggVorbisDecoder(),
  opus: () => new OggOpusDecoder(),
  flac: () => new FLACDecoder(),
  mp3: () => new MPEGDecoder(),
};

const CHUNK_BYTES = 1 << 16;

interface Slot {
  decoder?: WasmDecoder;
  /** Settles when the previous file's decode is done; the next one chains on it. */
  queue: Promise<unknown>;
}
const slots = new Map<WasmCodec, Slot>();

export interface WasmDecodeResult {
  sampleRate: number;
  channels: Float32Array[];
}

export function decodeWithWasm(codec: WasmCodec, bytes: Uint8Array, name: string): Promise<WasmDecodeResult> {
  let slot = slots.get(codec);
  if (!slot) slots.set(codec, (slot = { queue: Promise.resolve() }));
  const run = slot.queue.then(() => decodeExclusive(slot, codec, bytes, name));
  slot.queue = run.catch(() => undefined);
  return run;
}

/**
 * Frees every decoder created so far (after in-flight decodes finish). Decoding again afterwards
 * creates fresh ones. For long-lived processes that are done with audio.
 */
export async function releaseAudioDecoders(): Promise<void> {
  await Promise.all(
    [...slots.values()].map(async (slot) => {
      await slot.queue;
      slot.decoder?.free();
      slot.decoder = undefined;
    }),
  );
}

async function decodeExclusive(
  slot: Slot,
  codec: WasmCodec,
  bytes: Uint8Array,
  name: string,
): Promise<WasmDecodeResult> {
  const decoder = (slot.decoder ??= CREATE[codec]());
  try {
    await decoder.ready;
    const out = new Collector(codec, name);
    for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
      out.add(await decoder.decode(bytes.subarray(off, off + CHUNK_BYTES)));
    }
    if (decoder.flush) out.add(await decoder.flush());
    await decoder.reset();
    return out.result();
  } catch (e) {
    slot.decoder = undefined;
    try {
      decoder.free();
    } catch {
      // A broken instance may fail to free; it is dropped either way.
    }
    if (isMtaError(e)) throw e;
    throw new MtaError(
      'BAD_AUDIO',
      `${codec} decoder failed: ${e instanceof Error ? e.message : String(e)}`,
      {
        subject: name,
        cause: e,
      },
    );
  }
}

/** Gathers decoded pieces, checking each against the first and against the length limit. */
class Collector {
  private readonly pieces: Float32Array[][] = [];
  private frames = 0;
  private sampleRate = 0;
  private channelCount = 0;

  constructor(
    private readonly codec: WasmCodec,
    private readonly name: string,
  ) {}

  add(d: WasmDecoded): void {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      throw new MtaError('BAD_AUDIO', `${this.codec} stream is corrupt: ${e.message}`, {
        subject: this.name,
        actual: `error in frame ${e.frameNumber} near input byte ${e.inputBytes}`,
        hint: d.errors.length > 1 ? `${d.errors.length} decode errors in all` : undefined,
      });
    }
    if (d.samplesDecoded === 0) return;
    if (this.frames === 0) {
      checkSampleRate(d.sampleRate, this.name);
      checkChannelCount(d.channelData.length, this.name);
      this.sampleRate = d.sampleRate;
      this.channelCount = d.channelData.length;
    } else if (d.sampleRate !== this.sampleRate || d.channelData.length !== this.channelCount) {
      throw new MtaError('UNSUPPORTED_FORMAT', 'sample rate or channel count changes within the stream', {
        subject: this.name,
        expected: `${this.sampleRate} Hz, ${this.channelCount} channels`,
        actual: `${d.sampleRate} Hz, ${d.channelData.length} channels`,
        hint: 'chained streams with different formats are not supported',
      });
    }
    this.frames += d.samplesDecoded;
    checkFrameCount(this.frames, this.sampleRate, this.name);
    this.pieces.push(d.channelData.map((c) => c.subarray(0, d.samplesDecoded)));
  }

  result(): WasmDecodeResult {
    if (this.frames === 0) {
      throw new MtaError('BAD_AUDIO', `no ${this.codec} audio could be decoded`, {
        subject: this.name,
        hint: 'the file is empty of audio, truncated or not really this format',
      });
    }
    if (this.pieces.length === 1) return { sampleRate: this.sampleRate, channels: this.pieces[0] };
    const channels = Array.from({ length: this.channelCount }, (_, c) => {
      const out = new Float32Array(this.frames);
      let at = 0;
      for (const piece of this.pieces) {
        out.set(piece[c], at);
        at += piece[c].length;
      }
      return out;
    });
    return { sampleRate: this.sampleRate, channels };
  }
}
