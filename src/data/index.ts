export {
  suiteSchema,
  SPLITS,
  type Split,
  type SplitRule,
  type SuiteDef,
  type TaskDef,
  type SourceDef,
  type FileSourceDef,
  type MixtureSourceDef,
  type SourceTransform,
  type AugmentConfig,
  type NoiseAugmentConfig,
  type SpecAugmentConfig,
} from './suite-schema.js';
export { loadSuiteFile, parseSuite, fieldPath, type SuiteFile } from './suite-file.js';
export { globToRegExp, globFiles } from './glob.js';
export { groupHash, makeSplitter } from './split.js';
export { resolveSuite, type ResolvedSuite, type ResolvedTask } from './resolve.js';
export {
  builtinSuitePlan,
  renderBuiltinClip,
  BUILTIN_GENERATOR_VERSION,
  BUILTIN_DEFAULT_SEED,
  BUILTIN_DEFAULT_CLIPS_PER_TASK,
  type BuiltinTaskSpec,
  type BuiltinClipRef,
} from './builtin/index.js';
export { builtinSuite, type BuiltinOptions } from './builtin-source.js';
export { openSuite, type OpenSuiteOptions } from './open-suite.js';
export {
  describeAudio,
  plainParts,
  type ClipRecord,
  type ClipAudio,
  type PlainAudio,
  type FileAudio,
  type BuiltinAudio,
  type MixtureAudio,
  type ClipWindow,
} from './clip.js';
export { ContentHasher } from './content-hash.js';
export { mix, WaveformRenderer } from './render.js';
export {
  prepareFeatures,
  noiseVariant,
  FeatureStore,
  DEFAULT_CACHE_DIR,
  type PrepareOptions,
  type PrepareReport,
  type SkippedClip,
  type StoreTask,
} from './feature-store.js';
export {
  applyGain,
  drawSpecAugment,
  applySpecAugment,
  type SpecAugmentDraw,
  type MaskSpan,
} from './augment.js';
export {
  TaskBatcher,
  MultiTaskBatches,
  clipPatches,
  evalClips,
  type Batch,
  type BatchOptions,
} from './batches.js';
export { suiteStats, type SuiteStats, type TaskStats } from './stats.js';
