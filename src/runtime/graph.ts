/**
 * The inference graph: the model's network with every batch norm folded into the convolution before
 * it (BatchNorm.fold: weight w·γ/σ, bias β − μ·γ/σ, ReLU fused), so each conv + BN + ReLU is one
 * kernel call. Layout as in the engine: NHWC, x [N, frames, bands, 1].
 *
 * Only the selected tasks' adapters and heads run; the encoder always runs. An adapter block that
 * cannot reach its head (a later block of the column was pruned away) is skipped, since its output
 * is never read: the column starts at the first block of its last unbroken run.
 */
import {
  Concat,
  Conv2d,
  GlobalMaxPool,
  MaxPool2d,
  type Dense,
  type Engine,
  type Tensor,
} from '../engine/index.js';
import {
  importWeights,
  MultiTaskNetwork,
  type ConvBlock,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';

interface FoldedBlock {
  time: Conv2d;
  freq: Conv2d;
  pool: MaxPool2d | undefined;
}

interface FoldedColumn {
  /** First block of the run of adapter blocks that reaches the head (blocks.length: none). */
  from: number;
  blocks: (FoldedBlock | undefined)[];
  concats: Concat[];
  pool: GlobalMaxPool;
  headConcat: Concat;
  head: Dense;
}

function fold(engine: Engine, b: ConvBlock): FoldedBlock {
  const time = b.bnT.fold(b.convT);
  // fold() fuses the 2×2 pool the batch norm carries into the conv kernel; larger pools run after it.
  const freq = b.bnF.fold(b.convF);
  const pool =
    b.bnF.pool > 1 && !freq.pool2 ? new MaxPool2d(engine, `${b.name}.pool.folded`, b.bnF.pool) : undefined;
  return { time, freq, pool };
}

/** Encoder and adapter outputs at one depth of the network (adapters: one per selected task). */
interface Activations {
  enc: Tensor;
  adapters: (Tensor | undefined)[];
}

/**
 * The first STEM_BLOCKS blocks run depth-first over sub-batches of STEM_BATCH patches (see
 * stemBySubBatch). Measured on the reference encoder at batch 64 (bench:engine's network): blocks
 * 0–2 take 0.7 ms (~3 %) less at sub-batches of 8 or 16; later blocks are as fast or faster at
 * full batch (their GEMMs get more rows).
 */
const STEM_BLOCKS = 3;
const STEM_BATCH = 8;

function runBlock(b: FoldedBlock, x: Tensor): Tensor {
  const y = b.time.forwardFused(b.freq, x) ?? b.freq.forward(b.time.forward(x));
  return b.pool ? b.pool.forward(y) : y;
}

export class InferenceGraph {
  private readonly encoder: FoldedBlock[];
  private readonly encoderPool: GlobalMaxPool;
  private readonly columns: FoldedColumn[];

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
    weights: WeightMap,
    subject: string,
  ) {
    // The training-layout network only carries the weights into engine memory for folding.
    const net = new MultiTaskNetwork(engine, config);
    importWeights(net, weights, subject);
    this.encoder = net.encoder.map((b) => fold(engine, b));
    this.encoderPool = new GlobalMaxPool(engine, 'runtime.encoder.pool');
    this.columns = net.columns.map((col, t) => {
      let from = col.blocks.length;
      while (from > 0 && col.blocks[from - 1] !== undefined) from--;
      const name = config.tasks[t].name;
      return {
        from,
        blocks: col.blocks.map((b, l) => (b && l >= from ? fold(engine, b) : undefined)),
        concats: col.blocks.map((_, l) => new Concat(engine, `runtime.${name}.${l}.concat`)),
        pool: new GlobalMaxPool(engine, `runtime.${name}.pool`),
        headConcat: new Concat(engine, `runtime.${name}.head.concat`),
        head: col.head,
      };
    });
  }

  /**
   * x [N, frames, bands, 1] → logits [N, classes] of each task in `tasks` (indices into the config),
   * as scratch tensors: read them before the engine's scratch is reset.
   */
  forward(x: Tensor, tasks: readonly number[]): Tensor[] {
    const L = this.encoder.length;
    const S = Math.min(STEM_BLOCKS, L);
    const start: Activations = { enc: x, adapters: tasks.map(() => undefined) };
    const stem = x.shape[0] > STEM_BATCH ? this.stemBySubBatch(x, S, tasks) : this.run(start, 0, S, tasks);
    const { enc, adapters } = this.run(stem, S, L, tasks);
    const pooled = this.encoderPool.forward(enc);
    return tasks.map((t, i) => {
      const col = this.columns[t];
      const a = adapters[i];
      const feat = a ? col.headConcat.forward([pooled, col.pool.forward(a)]) : pooled;
      return col.head.forward(feat);
    });
  }

  /**
   * Advances the encoder and the selected tasks' adapter columns through blocks from .. to−1; `s.enc`
   * is the input of encoder block `from`, `s.adapters[i]` the output of task i's adapter block from−1.
   */
  private run(s: Activations, from: number, to: number, tasks: readonly number[]): Activations {
    let enc = s.enc;
    const adapters = [...s.adapters];
    for (let l = from; l < to; l++) {
      tasks.forEach((t, i) => {
        const col = this.columns[t];
        if (l < col.from) return;
        const a = adapters[i];
        adapters[i] = runBlock(col.blocks[l]!, a ? col.concats[l].forward([enc, a]) : enc);
      });
      enc = runBlock(this.encoder[l], enc);
    }
    return { enc, adapters };
  }

  /**
   * Blocks 0 .. S−1 over sub-batches of STEM_BATCH rows, gathered into full-batch tensors. The first
   * blocks' activations are the largest (96×64×8 floats per patch after the first conv): a whole
   * batch of them falls out of cache between one layer and the next, a sub-batch does not, and its
   * scratch is reused from one sub-batch to the next.
   */
  private stemBySubBatch(x: Tensor, S: number, tasks: readonly number[]): Activations {
    const { engine } = this;
    const n = x.shape[0];
    let out: Activations | undefined;
    for (let start = 0; start < n; start += STEM_BATCH) {
      const m = Math.min(STEM_BATCH, n - start);
      // The first sub-batch's results tell the output shapes; its scratch stays below them.
      const mark = out ? engine.mark() : undefined;
      const part = this.run({ enc: x.rows(start, m), adapters: tasks.map(() => undefined) }, 0, S, tasks);
      out ??= {
        enc: engine.tensor([n, ...part.enc.shape.slice(1)]),
        adapters: part.adapters.map((a) => a && engine.tensor([n, ...a.shape.slice(1)])),
      };
      out.enc.rows(start, m).data().set(part.enc.data());
      out.adapters.forEach((a, i) => a?.rows(start, m).data().set(part.adapters[i]!.data()));
      if (mark !== undefined) engine.reset(mark);
    }
    return out!;
  }
}
