export { DEFAULT_FRONTEND, parseFrontendConfig, type FrontendConfig } from './frontend-config.js';
export { LogMelExtractor, logMel, frameCount, type LogMel } from './frontend.js';
export { toPatches, patchStarts, type Patches } from './patch.js';
export { LogMelStream, type StreamOutput } from './stream.js';
