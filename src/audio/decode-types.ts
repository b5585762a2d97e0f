/** The container formats decodeAudio recognises from a file's leading bytes. */
export type AudioContainer = 'wav' | 'ogg-vorbis' | 'ogg-opus' | 'flac' | 'mp3';

/**
 * Decoded audio at the file's own rate. channels[c][i] is sample i of channel c, a float nominally
 * in [-1, 1); all channels have the same length (frames).
 */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
  container: AudioContainer;
  /** The codec inside the container, e.g. `pcm_s16le`, `pcm_f32le`, `vorbis`, `opus`, `flac`, `mp3`. */
  codec: string;
  /** Bits per stored sample, for formats that have one (WAV, FLAC). */
  bitsPerSample?: number;
}

/** What `mta info` reports about one file. */
export interface AudioInfo {
  path: string;
  bytes: number;
  container: AudioContainer;
  codec: string;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
  bitsPerSample?: number;
}
