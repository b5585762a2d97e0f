export { DEFAULT_FRONTEND, parseFrontendConfig, type FrontendConfig } from './frontend-config.js';
export { LogMelExtractor, logMel, frameCount, type LogMel } from './frontend.js';
export { toPatches, patchStarts, type Patches } from './patch.js';
export { LogMelStream, type StreamOutput } from './stream.js';
export type { AudioContainer, DecodedAudio, AudioInfo } from './decode-types.js';
export { decodeAudio } from './decode.js';
export { releaseAudioDecoders } from './decode-wasm.js';
export { MAX_FILE_BYTES, MAX_DURATION_SEC } from './decode-limits.js';
export { downmix } from './downmix.js';
export { resample } from './resample.js';
export {
  loadAudio,
  loadAudioBytes,
  readAudioFile,
  readAudioInfo,
  DEFAULT_SAMPLE_RATE,
  type LoadAudioOptions,
} from './load.js';
export { encodeWav, writeWav, type EncodeWavOptions } from './wav-encode.js';
