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
  init,
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

const isPool2 = (p: MaxPool2d): boolean => [...p.window, ...p.stride].every((v) => v === 2);

/** The same folded conv with the 2×2 max-pool after it run inside its kernel. */
function withPool2(engine: Engine, conv: Conv2d): Conv2d {
  return new Conv2d(engine, `${conv.name}.pool2`, {
    inChannels: conv.inChannels,
    outChannels: conv.outChannels,
    kernel: conv.kernel,
    stride: conv.stride,
    padding: conv.padding,
    bias: true,
    activation: conv.relu ? 'relu' : 'none',
    pool2: true,
    init: init.values(conv.weight.value()),
    biasInit: init.values(conv.bias!.value()),
  });
}

function fold(engine: Engine, b: ConvBlock): FoldedBlock {
  const time = b.bnT.fold(b.convT);
  // fold() already fuses a 2×2 pool that the batch norm itself carries; larger ones run after it.
  let freq = b.bnF.fold(b.convF);
  let pool =
    b.pool ??
    (b.bnF.pool > 1 && !freq.pool2 ? new MaxPool2d(engine, `${b.name}.pool.folded`, b.bnF.pool) : undefined);
  // The block's own 2×2 max-pool runs inside the conv kernel: the full-resolution output is never written.
  if (pool && isPool2(pool) && !freq.pool2) {
    freq = withPool2(engine, freq);
    pool = undefined;
  }
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
