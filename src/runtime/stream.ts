/**
 * Live inference: raw chunks at any rate → streaming resampler → streaming log-mel → a prediction per
 * completed patch. Given the same 16 kHz samples, the patches are bit-identical to the ones predict()
 * cuts from the whole clip (LogMelStream equals the batch front end), so are the predictions.
 */
import { MtaError } from '../common/index.js';
import { LogMelStream, type FrontendConfig, type Patches } from '../audio/index.js';
import { StreamResampler } from './resampler.js';
import type { ModelStream, TaskPrediction } from './types.js';

/** Selected task indices and how many classes to list. */
export interface Selection {
  tasks: number[];
  top: number;
}

export interface PatchPredictor {
  patchPredictions(patches: Patches, sel: Selection): TaskPrediction[][];
}

export class ModelStreamImpl implements ModelStream {
  private readonly resampler: StreamResampler | undefined;
  private readonly logmel: LogMelStream;

  constructor(
    private readonly model: PatchPredictor,
    frontend: FrontendConfig,
    sampleRate: number,
    private readonly sel: Selection,
  ) {
    this.resampler =
      sampleRate === frontend.sampleRate ? undefined : new StreamResampler(sampleRate, frontend.sampleRate);
    this.logmel = new LogMelStream(frontend);
  }

  push(chunk: Float32Array): TaskPrediction[][] {
    if (!(chunk instanceof Float32Array)) {
      throw new MtaError('BAD_ARGUMENT', 'a chunk must be a Float32Array of samples', { subject: 'chunk' });
    }
    const samples = this.resampler ? this.resampler.push(chunk) : chunk;
    return this.model.patchPredictions(this.logmel.push(samples).patches, this.sel);
  }

  end(): TaskPrediction[][] {
    const tail = this.resampler ? this.logmel.push(this.resampler.end()).patches : undefined;
    const last = this.logmel.end().patches;
    return [
      ...(tail ? this.model.patchPredictions(tail, this.sel) : []),
      ...this.model.patchPredictions(last, this.sel),
    ];
  }
}
