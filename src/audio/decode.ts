/**
 * decodeAudio: bytes of any supported file → channels of float samples at the file's own rate.
 * The format comes from the bytes (decode-sniff.ts); every failure is an MtaError naming the file.
 * Container headers are read before decoding to validate the stream, and after it to check that
 * the decoder delivered what they declare (a cut or damaged file must not pass as a shorter clip).
 */
import { MtaError } from '../common/index.js';
import { readFlacStreamInfo } from './decode-flac.js';
import { checkFileSize } from './decode-limits.js';
import { readMpegStreamInfo } from './decode-mp3.js';
import { opusPlayableFrames, scanOggPages } from './decode-ogg.js';
import { id3v2End, sniffContainer } from './decode-sniff.js';
import type { DecodedAudio } from './decode-types.js';
import { decodeWithWasm } from './decode-wasm.js';
import { decodeWav } from './wav-decode.js';

/** `name` is the file path (or any label) that errors name. */
export async function decodeAudio(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  checkFileSize(bytes.length, name);
  const container = sniffContainer(bytes, name);
  let decoded: DecodedAudio;
  if (container === 'wav') {
    decoded = decodeWav(bytes, name);
  } else if (container === 'flac') {
    decoded = await decodeFlac(bytes, name);
  } else if (container === 'mp3') {
    decoded = await decodeMp3(bytes, name);
  } else {
    decoded = await decodeOgg(bytes, name, container);
  }
  checkFinite(decoded.channels, name);
  return decoded;
}

async function decodeOgg(
  bytes: Uint8Array,
  name: string,
  container: 'ogg-vorbis' | 'ogg-opus',
): Promise<DecodedAudio> {
  const scan = scanOggPages(bytes, name);
  const codec = container === 'ogg-vorbis' ? 'vorbis' : 'opus';
  const { sampleRate, channels } = await decodeWithWasm(codec, bytes, name);
  const playable = codec === 'opus' ? opusPlayableFrames(bytes, scan) : undefined;
  const trim = playable !== undefined && playable < channels[0].length;
  return {
    sampleRate,
    channels: trim ? channels.map((c) => c.subarray(0, playable)) : channels,
    container,
    codec,
  };
}

async function decodeFlac(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readFlacStreamInfo(bytes, id3v2End(bytes, name), name);
  const { sampleRate, channels } = await decodeWithWasm('flac', bytes, name);
  if (info.totalFrames > 0 && channels[0].length < info.totalFrames) {
    throw truncated(name, 'FLAC', `${info.totalFrames} frames`, `${channels[0].length} frames`);
  }
  return { sampleRate, channels, container: 'flac', codec: 'flac', bitsPerSample: info.bitsPerSample };
}

async function decodeMp3(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = readMpegStreamInfo(bytes, id3v2End(bytes, name));
  if (!info) {
    throw new MtaError('BAD_AUDIO', 'no MPEG audio frame found', {
      subject: name,
      hint: 'the file has an ID3 tag but no audio after it',
    });
  }
  const { sampleRate, channels } = await decodeWithWasm('mp3', bytes, name);
  // Encoder delay and padding trimmed by gapless decoding stay below three frames.
  const minFrames = ((info.taggedFrames ?? 0) - 3) * info.samplesPerFrame;
  if (channels[0].length < minFrames) {
    const declared = (info.taggedFrames ?? 0) * info.samplesPerFrame;
    throw truncated(
      name,
      'MP3',
      `about ${declared} samples (${info.taggedFrames} MPEG frames)`,
      `${channels[0].length} samples`,
    );
  }
  return {
    sampleRate,
    channels: channels.slice(0, info.channels),
    container: 'mp3',
    codec: `mp${info.layer}`,
  };
}

function truncated(name: string, format: string, expected: string, actual: string): MtaError {
  return new MtaError('TRUNCATED', `${format} stream ends before the length its header declares`, {
    subject: name,
    expected,
    actual,
    hint: 'the file is truncated or damaged',
  });
}

function checkFinite(channels: Float32Array[], name: string): void {
  channels.forEach((ch, c) => {
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) {
        throw new MtaError('NON_FINITE', 'decoded audio contains a non-finite sample', {
          subject: name,
          expected: 'finite sample values',
          actual: `${ch[i]} at frame ${i} of channel ${c}`,
        });
      }
    }
  });
}
