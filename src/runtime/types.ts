import type { FrontendConfig, LogMel, Patches } from '../audio/index.js';
import type { CostReport } from '../model/index.js';

export interface ClassScore {
  label: string;
  /** Index of the class in the task's class list. */
  index: number;
  probability: number;
}

export interface TaskPrediction {
  task: string;
  /** The `top` most probable classes, most probable first. */
  top: ClassScore[];
  /** Probability of every class, in the task's class order (softmax; a clip's is the patches' mean). */
  probabilities: Float32Array;
}

export interface ModelTaskInfo {
  name: string;
  classes: string[];
  /** Exact params and MACs per patch of the task's adapter and head (the encoder is shared). */
  params: number;
  macs: number;
}

/** Raw audio at any rate (resampled to the model's), or a log-mel spectrogram from the model's front end. */
export type PredictInput = { audio: Float32Array; sampleRate: number } | { logmel: LogMel };

export interface PredictOptions {
  /** Tasks to run (default all); only their adapters and heads run. */
  tasks?: string[];
  /** Classes listed in `top` (default 5, at most the task's class count). */
  top?: number;
}

export interface StreamOptions extends PredictOptions {
  /** Rate of the pushed samples in Hz (integer, 1000–768000). */
  sampleRate: number;
}

export interface Model {
  readonly tasks: ModelTaskInfo[];
  readonly frontend: FrontendConfig;
  /** Exact params and MACs, computed from the architecture. */
  readonly cost: CostReport;
  /** Free-form provenance stored with the model (training options, metrics summary). */
  readonly info: Record<string, unknown>;
  /** Clip-level prediction: the mean of the patches' softmax. Audio at any rate (resampled). */
  predict(input: PredictInput, opts?: PredictOptions): Promise<TaskPrediction[]>;
  /**
   * Per-patch predictions of ready-cut patches (patchFrames × melBands each, e.g. from toPatches):
   * one TaskPrediction[] per patch.
   */
  predictPatches(patches: Patches, opts?: PredictOptions): TaskPrediction[][];
  /** Live use: push raw chunks at `sampleRate`; every completed patch (hop = patchHopFrames) yields predictions. */
  stream(opts: StreamOptions): ModelStream;
  /** Releases the model; any later call throws. */
  dispose(): void;
}

export interface ModelStream {
  /** Appends samples; returns one TaskPrediction[] (the selected tasks) per patch completed by them. */
  push(chunk: Float32Array): TaskPrediction[][];
  /**
   * Ends the input: returns the predictions of the front end's last patch (the one ending at the
   * final frame, or the one padded patch of input shorter than a patch), if any, and resets the
   * stream for new input.
   */
  end(): TaskPrediction[][];
}
