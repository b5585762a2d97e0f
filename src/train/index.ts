export {
  BASELINES,
  DEFAULT_TRAIN_OPTIONS,
  parseTrainOptions,
  type Baseline,
  type TrainOptions,
} from './options.js';
export {
  featureStoreData,
  type BatchPosition,
  type EvalClip,
  type EvalSplit,
  type TaskInfo,
  type TrainBatch,
  type TrainingData,
} from './training-data.js';
export { evaluate, evaluateClips, meanClipAccuracy, type TaskAccuracy } from './evaluate.js';
export {
  loadCheckpoint,
  saveCheckpoint,
  type EpochRecord,
  type Phase,
  type TrainState,
} from './checkpoint.js';
export { initialConfig, trainModel, writeJson, type TrainHooks, type TrainRun } from './trainer.js';
export { openFeatures, runTraining, type RunOutput, type RunRequest } from './run.js';
export {
  buildMetrics,
  comparisonTable,
  formatCount,
  summaryTable,
  type RunMetrics,
  type TaskMetrics,
} from './report.js';
export { collectRuns, expandGrid, parseGrid, runSweep, type SweepGrid, type SweepRun } from './sweep.js';
export {
  allocationTable,
  familyOf,
  frontierReport,
  interpolate,
  sweepPoints,
  type SweepPoint,
} from './frontier.js';
export { ReplicaGroup } from './replica-group.js';
export { Replica, type ReplicaSpec, type ShardStats } from './replica.js';
