export { MtaError, isMtaError, type ErrorCode, type ErrorDetails } from './errors.js';
export { writeFileAtomic } from './atomic.js';
export { Rng } from './rng.js';
export { progress, type Progress } from './progress.js';
export { startModuleWorker } from './worker.js';
