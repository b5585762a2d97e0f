/**
 * The multi-task adapter network (DESIGN.md §1) on the engine's layers.
 *
 * Shapes: x [N, F, B, 1] = N log-mel patches of F frames × B mel bands. enc[0] = x and enc[l + 1] =
 * encoder block l applied to enc[l]. Task t owns a contiguous row range of x (its examples; at
 * inference every task may use all rows) and its adapter column:
 *   a[0] = adapter block 0 (x rows of t),  a[l] = adapter block l (concat(enc[l] rows of t, a[l − 1]))
 *   logits_t = head_t(concat(globalmax(enc[L]) rows of t, globalmax(a[L − 1])))
 * Because rows are contiguous and NHWC is row-major, a task's rows are a view, never a copy.
 */
import { MtaError } from '../common/index.js';
import {
  Concat,
  Dense,
  GlobalMaxPool,
  Tensor,
  type Engine,
  type LayerBuffer,
  type Mode,
  type Parameter,
} from '../engine/index.js';
import { ConvBlock, type BatchNormSettings } from './block.js';
import { taskAdapterWidths, type ModelConfig } from './config.js';
import type { BlockGates } from './cost.js';

/** The rows of the input batch that belong to one task. */
export interface TaskRows {
  start: number;
  count: number;
}

interface AdapterColumn {
  /** blocks[l] is undefined where this task has no adapter channels. */
  blocks: (ConvBlock | undefined)[];
  concats: Concat[];
  pool: GlobalMaxPool | undefined;
  headConcat: Concat;
  head: Dense;
}

interface TaskPass {
  rows: TaskRows;
  /** Channel counts of the concat feeding each adapter block (encoder part, adapter part). */
  hasPrev: boolean[];
  headHasAdapter: boolean;
}

export const DEFAULT_BATCH_NORM: BatchNormSettings = { eps: 1e-3, momentum: 0.1 };

export class MultiTaskNetwork {
  readonly encoder: ConvBlock[];
  readonly columns: AdapterColumn[];
  private readonly encoderPool: GlobalMaxPool;
  private enc: Tensor[] = [];
  private encPooled: Tensor | undefined;
  private passes: (TaskPass | undefined)[] = [];

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
    bn: BatchNormSettings = DEFAULT_BATCH_NORM,
  ) {
    const c = config;
    this.encoder = c.blocks.map(
      (b, l) =>
        new ConvBlock(
          engine,
          `encoder.${l}`,
          {
            inChannels: l === 0 ? 1 : c.blocks[l - 1].encoderWidth,
            timeChannels: b.encoderWidth,
            freqChannels: b.encoderWidth,
            timeKernel: b.timeKernel,
            freqKernel: b.freqKernel,
            pool: b.pool,
          },
          bn,
        ),
    );
    this.encoderPool = new GlobalMaxPool(engine, 'encoder.global_pool');
    const encOut = c.blocks[c.blocks.length - 1].encoderWidth;
    this.columns = c.tasks.map((task, t) => {
      const widths = taskAdapterWidths(c, t);
      let prev = 0;
      const blocks = c.blocks.map((b, l) => {
        const w = widths[l];
        if (w.time === 0 || w.freq === 0) {
          prev = 0;
          return undefined;
        }
        const block = new ConvBlock(
          engine,
          `adapter.${task.name}.${l}`,
          {
            inChannels: (l === 0 ? 1 : c.blocks[l - 1].encoderWidth) + prev,
            timeChannels: w.time,
            freqChannels: w.freq,
            timeKernel: b.timeKernel,
            freqKernel: b.freqKernel,
            pool: b.pool,
          },
          bn,
        );
        prev = w.freq;
        return block;
      });
      const last = blocks[blocks.length - 1];
      return {
        blocks,
        concats: c.blocks.map((_, l) => new Concat(engine, `adapter.${task.name}.${l}.concat`)),
        pool: last ? new GlobalMaxPool(engine, `adapter.${task.name}.global_pool`) : undefined,
        headConcat: new Concat(engine, `head.${task.name}.concat`),
        head: new Dense(
          engine,
          `head.${task.name}`,
          encOut + (last ? last.shape.freqChannels : 0),
          task.classes.length,
        ),
      };
    });
  }

  encoderParams(): Parameter[] {
    return this.encoder.flatMap((b) => b.params());
  }

  /** Adapter and head parameters of task t. */
  taskParams(t: number): Parameter[] {
    const col = this.columns[t];
    return [...col.blocks.flatMap((b) => (b ? b.params() : [])), ...col.head.params()];
  }

  params(): Parameter[] {
    return [...this.encoderParams(), ...this.columns.flatMap((_, t) => this.taskParams(t))];
  }

  buffers(): LayerBuffer[] {
    return [
      ...this.encoder.flatMap((b) => b.buffers()),
      ...this.columns.flatMap((col) => col.blocks.flatMap((b) => (b ? b.buffers() : []))),
    ];
  }

  /** The gate parameters (adapter BN scales), for their own learning rate. */
  gateParams(): Parameter[] {
    return this.columns.flatMap((col) => col.blocks.flatMap((b) => (b ? [b.bnT.gamma, b.bnF.gamma] : [])));
  }

  /** Copies of every adapter gate γ, laid out as the cost model expects (empty where a block has none). */
  gates(): BlockGates[][] {
    return this.columns.map((col) =>
      col.blocks.map((b) =>
        b
          ? { time: b.bnT.gamma.value().slice(), freq: b.bnF.gamma.value().slice() }
          : { time: new Float32Array(0), freq: new Float32Array(0) },
      ),
    );
  }

  /** Adds scale · d(surrogate)/dγ into the gate gradients. */
  addGateGrads(grads: BlockGates[][], scale: number): void {
    this.columns.forEach((col, t) =>
      col.blocks.forEach((b, l) => {
        if (!b) return;
        const add = (dst: Float32Array, src: Float32Array): void => {
          for (let i = 0; i < dst.length; i++) dst[i] += scale * src[i];
        };
        add(b.bnT.gamma.grad(), grads[t][l].time);
        add(b.bnF.gamma.grad(), grads[t][l].freq);
      }),
    );
  }

  /**
   * x [N, F, B, 1] → logits per task (undefined for tasks not asked for). `rows[t]` is the slice of x
   * that task t sees; tasks left out of `rows` (undefined) skip their adapter and head entirely.
   * `encoderMode` lets a frozen encoder run on its running statistics while adapters train.
   */
  forward(
    x: Tensor,
    rows: (TaskRows | undefined)[],
    mode: Mode,
    encoderMode: Mode = mode,
  ): (Tensor | undefined)[] {
    const c = this.config;
    if (
      x.shape.length !== 4 ||
      x.shape[1] !== c.inputFrames ||
      x.shape[2] !== c.inputBands ||
      x.shape[3] !== 1
    ) {
      throw new MtaError('BAD_ARGUMENT', 'input patches have the wrong shape', {
        subject: 'model input',
        expected: `[N, ${c.inputFrames}, ${c.inputBands}, 1]`,
        actual: `[${x.shape.join(', ')}]`,
      });
    }
    const n = x.shape[0];
    this.enc = [x];
    for (const block of this.encoder)
      this.enc.push(block.forward(this.enc[this.enc.length - 1], encoderMode));
    this.encPooled = this.encoderPool.forward(this.enc[this.enc.length - 1], encoderMode);
    this.passes = rows.map(() => undefined);
    return this.columns.map((col, t) => {
      const r = rows[t];
      if (!r) return undefined;
      if (!(
        Number.isInteger(r.start) &&
        Number.isInteger(r.count) &&
        r.start >= 0 &&
        r.count >= 1 &&
        r.start + r.count <= n
      )) {
        throw new MtaError('BAD_ARGUMENT', 'task rows fall outside the batch', {
          subject: c.tasks[t].name,
          expected: `within [0, ${n})`,
          actual: `start ${r.start}, count ${r.count}`,
        });
      }
      const hasPrev: boolean[] = [];
      let a: Tensor | undefined;
      col.blocks.forEach((block, l) => {
        hasPrev.push(a !== undefined);
        if (!block) {
          a = undefined;
          return;
        }
        const encRows = this.enc[l].rows(r.start, r.count);
        const input = a ? col.concats[l].forward([encRows, a]) : encRows;
        a = block.forward(input, mode);
      });
      const encPooledRows = this.encPooled!.rows(r.start, r.count);
      const feat =
        a && col.pool ? col.headConcat.forward([encPooledRows, col.pool.forward(a, mode)]) : encPooledRows;
      this.passes[t] = { rows: r, hasPrev, headHasAdapter: a !== undefined };
      return col.head.forward(feat, mode);
    });
  }

  /**
   * Backpropagates each task's dlogits (undefined: no gradient for that task) through its head and
   * adapter, then, unless `encoder` is false (frozen encoder), through the shared encoder, where the
   * gradients of all tasks meet. Parameter gradients accumulate.
   */
  backward(dlogits: (Tensor | undefined)[], opts: { encoder?: boolean } = {}): void {
    const trainEncoder = opts.encoder ?? true;
    const k = this.engine.kernels;
    const L = this.encoder.length;
    // dEnc[l] (l = 1..L) accumulate d loss / d enc[l] over tasks; dPooled over heads.
    const dEnc: (Tensor | undefined)[] = [];
    let dPooled: Tensor | undefined;
    if (trainEncoder) {
      for (let l = 1; l <= L; l++) {
        dEnc[l] = this.engine.tensor(this.enc[l].shape);
        dEnc[l]!.data().fill(0);
      }
      dPooled = this.engine.tensor(this.encPooled!.shape);
      dPooled.data().fill(0);
    }
    const addRows = (dst: Tensor | undefined, r: TaskRows, src: Tensor): void => {
      if (!dst) return;
      const view = dst.rows(r.start, r.count);
      k.add_f32(view.ptr, src.ptr, view.ptr, src.size);
    };
    this.columns.forEach((col, t) => {
      const dy = dlogits[t];
      const pass = this.passes[t];
      if (!dy) return;
      if (!pass)
        throw new MtaError('BAD_ARGUMENT', 'backward for a task that had no forward', {
          subject: this.config.tasks[t].name,
        });
      const dfeat = col.head.backward(dy);
      let da: Tensor | undefined;
      if (pass.headHasAdapter) {
        const [dEncPart, dAdapterPooled] = col.headConcat.backward(dfeat);
        addRows(dPooled, pass.rows, dEncPart);
        da = col.pool!.backward(dAdapterPooled);
      } else {
        addRows(dPooled, pass.rows, dfeat);
      }
      for (let l = L - 1; l >= 0; l--) {
        const block = col.blocks[l];
        if (!block || !da) break;
        // Block 0 reads the spectrogram, whose gradient nobody needs.
        const din = block.backward(da, l > 0);
        if (!din) break;
        if (pass.hasPrev[l]) {
          const [dEncPart, dPrev] = col.concats[l].backward(din);
          addRows(dEnc[l], pass.rows, dEncPart);
          da = dPrev;
        } else {
          addRows(dEnc[l], pass.rows, din);
          da = undefined;
        }
      }
    });
    if (!trainEncoder) return;
    const dTop = this.encoderPool.backward(dPooled!);
    k.add_f32(dEnc[L]!.ptr, dTop.ptr, dEnc[L]!.ptr, dTop.size);
    for (let l = L - 1; l >= 0; l--) {
      const dx = this.encoder[l].backward(dEnc[l + 1]!, l > 0);
      if (dx) k.add_f32(dEnc[l]!.ptr, dx.ptr, dEnc[l]!.ptr, dx.size);
    }
  }
}
