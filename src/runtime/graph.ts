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

function runBlock(b: FoldedBlock, x: Tensor): Tensor {
  const y = b.freq.forward(b.time.forward(x));
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
    const enc: Tensor[] = [x];
    for (const b of this.encoder) enc.push(runBlock(b, enc[enc.length - 1]));
    const pooled = this.encoderPool.forward(enc[enc.length - 1]);
    return tasks.map((t) => {
      const col = this.columns[t];
      let a: Tensor | undefined;
      for (let l = col.from; l < col.blocks.length; l++) {
        const input = a ? col.concats[l].forward([enc[l], a]) : enc[l];
        a = runBlock(col.blocks[l]!, input);
      }
      const feat = a ? col.headConcat.forward([pooled, col.pool.forward(a)]) : pooled;
      return col.head.forward(feat);
    });
  }
}
