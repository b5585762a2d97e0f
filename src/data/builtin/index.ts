/**
 * The built-in procedural suite: eight synthetic tasks mirroring the paper's (speech/music/noise,
 * bird presence, acoustic scene, keyword, language, speaker, instrument family, pitch), rendered
 * deterministically from a seed so the project's default works offline with no data files.
 *
 *   const { tasks, clips } = builtinSuitePlan({ seed: 0, clipsPerTask: 500 });
 *   const samples = renderBuiltinClip(clips[0], { seed: 0 }); // Float32Array, 16 kHz mono
 */
export { builtinSuitePlan } from './plan.js';
export { renderBuiltinClip, BUILTIN_GENERATOR_VERSION } from './render.js';
export {
  DEFAULT_SEED as BUILTIN_DEFAULT_SEED,
  DEFAULT_CLIPS_PER_TASK as BUILTIN_DEFAULT_CLIPS_PER_TASK,
} from './options.js';
export type { BuiltinTaskSpec, BuiltinClipRef, Split as BuiltinSplit } from './types.js';
