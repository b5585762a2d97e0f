export { constantLr, cosineDecay, stepDecay, withWarmup, type LrSchedule } from './schedule.js';
export { Optimizer, type OptimizerOptions, type OptimizerState } from './optim.js';
export { Adam, AdamW, type AdamOptions } from './optim-adam.js';
export { Sgd, type SgdOptions } from './optim-sgd.js';
export { clipGradNorm } from './clip.js';
export { loadOptimizerState, loadParams, saveOptimizerState, saveParams } from './params-io.js';
