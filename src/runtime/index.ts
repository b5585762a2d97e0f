export { loadModel, MAX_MODEL_BYTES, readModelBytes, type LoadModelOptions } from './load-model.js';
export { StreamResampler, resampleClip } from './resampler.js';
export type {
  ClassScore,
  Model,
  ModelStream,
  ModelTaskInfo,
  PredictInput,
  PredictOptions,
  StreamOptions,
  TaskPrediction,
} from './types.js';
