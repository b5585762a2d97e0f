/**
 * A loaded model: front end + folded inference graph over one engine.
 *
 * Data flow of predict(): audio at any rate → resample (resampler.ts) → log-mel → patches (the front
 * end's policy: a patch every patchHopFrames frames, one more ending at the last frame, one padded
 * patch for a clip shorter than a patch) → batches of patches through the graph → softmax per patch
 * → clip probabilities = mean over patches.
 *
 * Memory: each batch runs inside an engine scratch mark and is released after its logits are read,
 * so after the first call of a given batch size the engine allocates nothing more.
 */
import { MtaError } from '../common/index.js';
import { LogMelExtractor, toPatches, type FrontendConfig, type Patches } from '../audio/index.js';
import type { Engine } from '../engine/index.js';
import type { ModelFile } from '../io/index.js';
import type { CostReport } from '../model/index.js';
import { InferenceGraph } from './graph.js';
import { checkRate, resampleClip } from './resampler.js';
import { softmaxRow, taskPrediction } from './scores.js';
import { ModelStreamImpl, type Selection } from './stream.js';
import type {
  Model,
  ModelStream,
  ModelTaskInfo,
  PredictInput,
  PredictOptions,
  StreamOptions,
  TaskPrediction,
} from './types.js';

/** Patches per forward pass: large enough to keep the conv kernels busy, small enough for memory. */
export const DEFAULT_BATCH = 32;
const DEFAULT_TOP = 5;

export class RuntimeModel implements Model {
  readonly tasks: ModelTaskInfo[];
  readonly frontend: FrontendConfig;
  readonly cost: CostReport;
  readonly info: Record<string, unknown>;
  private readonly graph: InferenceGraph;
  private readonly extractor: LogMelExtractor;
  private readonly patchSize: number;
  private readonly probs: Float64Array;
  private disposed = false;

  constructor(
    private readonly engine: Engine,
    file: ModelFile,
    subject: string,
    private readonly batch = DEFAULT_BATCH,
  ) {
    this.frontend = file.frontend;
    this.cost = file.cost;
    this.info = file.info;
    this.tasks = file.model.tasks.map((t) => ({
      name: t.name,
      classes: [...t.classes],
      params: file.cost.tasks[t.name].params,
      macs: file.cost.tasks[t.name].macs,
    }));
    this.graph = new InferenceGraph(engine, file.model, file.weights, subject);
    this.extractor = new LogMelExtractor(file.frontend);
    this.patchSize = file.frontend.patchFrames * file.frontend.melBands;
    this.probs = new Float64Array(Math.max(...this.tasks.map((t) => t.classes.length)));
  }

  async predict(input: PredictInput, opts: PredictOptions = {}): Promise<TaskPrediction[]> {
    const sel = this.select(opts);
    const patches = this.patchesOf(input);
    const sums = sel.tasks.map((t) => new Float64Array(this.tasks[t].classes.length));
    this.runPatches(patches, sel.tasks, (slot, _patch, p) => {
      const s = sums[slot];
      for (let j = 0; j < s.length; j++) s[j] += p[j];
    });
    return sel.tasks.map((t, slot) => {
      const mean = Float32Array.from(sums[slot], (v) => v / patches.count);
      return taskPrediction(this.tasks[t].name, this.tasks[t].classes, mean, sel.top);
    });
  }

  stream(opts: StreamOptions): ModelStream {
    const sel = this.select(opts);
    checkRate(opts.sampleRate, 'sampleRate');
    return new ModelStreamImpl(this, this.frontend, opts.sampleRate, sel);
  }

  dispose(): void {
    this.disposed = true;
  }

  predictPatches(patches: Patches, opts: PredictOptions = {}): TaskPrediction[][] {
    const sel = this.select(opts);
    const fe = this.frontend;
    if (
      patches.frames !== fe.patchFrames ||
      patches.bands !== fe.melBands ||
      !Number.isInteger(patches.count) ||
      patches.count < 0 ||
      patches.data.length !== patches.count * this.patchSize
    ) {
      throw new MtaError('BAD_ARGUMENT', 'patches do not fit the model', {
        subject: 'patches',
        expected: `count × ${fe.patchFrames} frames × ${fe.melBands} bands`,
        actual: `${patches.count} × ${patches.frames} × ${patches.bands} (${patches.data.length} values)`,
      });
    }
    return this.patchPredictions(patches, sel);
  }

  /** Per-patch predictions of the selected tasks (also the stream's output). */
  patchPredictions(patches: Patches, sel: Selection): TaskPrediction[][] {
    this.checkAlive();
    const out = Array.from({ length: patches.count }, () => new Array<TaskPrediction>(sel.tasks.length));
    this.runPatches(patches, sel.tasks, (slot, patch, p) => {
      const info = this.tasks[sel.tasks[slot]];
      out[patch][slot] = taskPrediction(info.name, info.classes, Float32Array.from(p), sel.top);
    });
    return out;
  }

  /** Validates the options: known task names (default all) and a positive top count. */
  select(opts: PredictOptions): Selection {
    this.checkAlive();
    const names = opts.tasks ?? this.tasks.map((t) => t.name);
    if (!Array.isArray(names) || names.length === 0) {
      throw new MtaError('BAD_ARGUMENT', 'no task selected', {
        subject: 'tasks',
        expected: `some of ${this.taskList()}`,
      });
    }
    const tasks = names.map((name) => {
      const t = this.tasks.findIndex((x) => x.name === name);
      if (t < 0) {
        throw new MtaError('BAD_ARGUMENT', 'the model has no such task', {
          subject: String(name),
          expected: `one of ${this.taskList()}`,
        });
      }
      return t;
    });
    const top = opts.top ?? DEFAULT_TOP;
    if (!Number.isInteger(top) || top < 1) {
      throw new MtaError('BAD_ARGUMENT', 'top must be a positive integer', {
        subject: 'top',
        actual: String(top),
      });
    }
    return { tasks: [...new Set(tasks)], top };
  }

  private taskList(): string {
    return this.tasks.map((t) => t.name).join(', ');
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new MtaError('BAD_ARGUMENT', 'the model was disposed', { subject: 'model' });
    }
  }

  private patchesOf(input: PredictInput): Patches {
    const fe = this.frontend;
    if ('logmel' in input) {
      const m = input.logmel;
      if (m.bands !== fe.melBands || m.frames < 1) {
        throw new MtaError('BAD_ARGUMENT', 'the log-mel does not fit the model', {
          subject: 'logmel',
          expected: `≥ 1 frame × ${fe.melBands} bands`,
          actual: `${m.frames} × ${m.bands}`,
        });
      }
      return toPatches(m, fe);
    }
    const { audio, sampleRate } = input;
    if (!(audio instanceof Float32Array)) {
      throw new MtaError('BAD_ARGUMENT', 'audio must be a Float32Array of samples', { subject: 'audio' });
    }
    checkRate(sampleRate, 'sampleRate');
    if (audio.length === 0) {
      throw new MtaError('BAD_ARGUMENT', 'no audio samples', { subject: 'audio', expected: '≥ 1 sample' });
    }
    let x = sampleRate === fe.sampleRate ? audio : resampleClip(audio, sampleRate, fe.sampleRate);
    // Shorter than one STFT window: digital silence after it, as the patch padding assumes.
    if (x.length < fe.windowSamples) {
      const padded = new Float32Array(fe.windowSamples);
      padded.set(x);
      x = padded;
    }
    return toPatches(this.extractor.compute(x), fe);
  }

  /** Runs every patch through the selected tasks; visit(slot, patch, probabilities) per task and patch. */
  private runPatches(
    patches: Patches,
    tasks: readonly number[],
    visit: (slot: number, patch: number, probabilities: Float64Array) => void,
  ): void {
    const { engine, patchSize } = this;
    const fe = this.frontend;
    for (let start = 0; start < patches.count; start += this.batch) {
      const n = Math.min(this.batch, patches.count - start);
      const mark = engine.mark();
      try {
        const x = engine.fromValues(
          [n, fe.patchFrames, fe.melBands, 1],
          patches.data.subarray(start * patchSize, (start + n) * patchSize),
        );
        const logits = this.graph.forward(x, tasks);
        logits.forEach((l, slot) => {
          const k = this.tasks[tasks[slot]].classes.length;
          const data = l.data();
          const p = this.probs.subarray(0, k);
          for (let i = 0; i < n; i++) {
            softmaxRow(data, i, k, p);
            visit(slot, start + i, p);
          }
        });
      } finally {
        engine.reset(mark);
      }
    }
  }
}
