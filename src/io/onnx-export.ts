/**
 * ONNX export of a model file: one graph (opset 13, IR version 8) with the shared encoder and the
 * selected tasks' adapters and heads.
 *
 * Interface of the graph:
 * - input `logmel`: float32 [N, 1, frames, bands] (NCHW: N patches, 1 channel, H = time frames,
 *   W = mel bands), log-mel patches from the model's front end (stored in the metadata as
 *   `mta.frontend`; `mta logmel` and the runtime compute them).
 * - per task `<task>`: float32 [N, classes], softmax class probabilities of each patch (a clip's
 *   prediction is their mean), and `<task>/logits`: the logits before the softmax.
 * - metadata_props: `mta.tasks` (JSON: name, classes, output names per task), `mta.frontend`,
 *   `mta.cost` (exact params and MACs of the exported graph), `mta.info` (provenance), `mta.input`.
 *
 * Batch norm is folded into the convolutions in float64 (weight w·γ/σ, bias β − μ·γ/σ with
 * σ = √(running var + ε)), so each conv block is Conv → Relu → Conv → Relu (→ MaxPool 2×2). Weights
 * are transposed from the engine's [kh, kw, cin, cout] to ONNX's [cout, cin, kh, kw]; concatenation is
 * on channels (axis 1); heads are GlobalMaxPool → Flatten → (Concat) → Gemm → Softmax. Internal
 * tensor names contain '/', which task names cannot, so they never clash with an output.
 */
import { MtaError } from '../common/index.js';
import {
  DEFAULT_BATCH_NORM,
  exactCost,
  taskAdapterWidths,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';
import type { ModelFile } from './model-file.js';
import { ATTRIBUTE_TYPE, ONNX_FLOAT, onnxModelType } from './onnx-schema.js';

export const ONNX_INPUT = 'logmel';
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;
export const ONNX_FORMAT = 'mta-onnx-1';

export interface OnnxExportOptions {
  /** Tasks in the graph (default: all), in this order. */
  tasks?: string[];
}

/** The graph outputs of a task. */
export function onnxOutputNames(task: string): { probabilities: string; logits: string } {
  return { probabilities: task, logits: `${task}/logits` };
}

type Attr = number | number[];

interface NodeDef {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  attribute: { name: string; type: number; i?: number; ints?: number[] }[];
}

interface TensorDef {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];

  constructor(private readonly weights: WeightMap) {}

  constant(name: string, dims: number[], data: Float32Array): string {
    // raw_data is little-endian float32, the byte order of every platform Node and browsers run on.
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims, dataType: ONNX_FLOAT, rawData });
    return name;
  }

  node(opType: string, input: string[], output: string, attrs: Record<string, Attr> = {}): string {
    const attribute = Object.entries(attrs).map(([name, v]) =>
      typeof v === 'number'
        ? { name, type: ATTRIBUTE_TYPE.INT, i: v }
        : { name, type: ATTRIBUTE_TYPE.INTS, ints: v },
    );
    this.nodes.push({ opType, name: output, input, output: [output], attribute });
    return output;
  }

  tensor(name: string): Float32Array {
    const w = this.weights.get(name);
    if (!w) throw new MtaError('BAD_MODEL', `missing tensor "${name}"`, { subject: 'ONNX export' });
    return w.data;
  }

  /** Conv (BN folded) → Relu for the conv `<p>.conv` and batch norm `<p>.bn` of the model. */
  convBnRelu(p: string, x: string, kh: number, kw: number): string {
    const w = this.tensor(`${p}.conv.weight`);
    const gamma = this.tensor(`${p}.bn.gamma`);
    const beta = this.tensor(`${p}.bn.beta`);
    const mean = this.tensor(`${p}.bn.running_mean`);
    const variance = this.tensor(`${p}.bn.running_var`);
    const cout = gamma.length;
    const cin = w.length / (kh * kw * cout);
    const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + DEFAULT_BATCH_NORM.eps));
    const folded = new Float32Array(w.length);
    for (let y = 0; y < kh; y++)
      for (let x2 = 0; x2 < kw; x2++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) {
            folded[((o * cin + i) * kh + y) * kw + x2] = w[((y * kw + x2) * cin + i) * cout + o] * scale[o];
          }
    const bias = Float32Array.from(scale, (s, c) => beta[c] - mean[c] * s);
    const name = `/${p.replaceAll('.', '/')}`;
    const conv = this.node(
      'Conv',
      [
        x,
        this.constant(`${name}/weight`, [cout, cin, kh, kw], folded),
        this.constant(`${name}/bias`, [cout], bias),
      ],
      `${name}/conv`,
      {
        kernel_shape: [kh, kw],
        // "same" padding for stride 1 and odd kernels: (k − 1) / 2 on each side.
        pads: [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2],
        strides: [1, 1],
      },
    );
    return this.node('Relu', [conv], `${name}/relu`);
  }

  block(prefix: string, x: string, c: ModelConfig, l: number): string {
    const b = c.blocks[l];
    const t = this.convBnRelu(`${prefix}.time`, x, b.timeKernel, 1);
    const f = this.convBnRelu(`${prefix}.freq`, t, 1, b.freqKernel);
    if (!b.pool) return f;
    return this.node('MaxPool', [f], `/${prefix.replaceAll('.', '/')}/pool`, {
      kernel_shape: [2, 2],
      strides: [2, 2],
    });
  }

  globalPool(x: string, name: string): string {
    return this.node('Flatten', [this.node('GlobalMaxPool', [x], `${name}/global_max`)], `${name}/flat`, {
      axis: 1,
    });
  }
}

function selectTasks(c: ModelConfig, names: string[] | undefined): number[] {
  const picked = (names ?? c.tasks.map((t) => t.name)).map((name) => {
    const t = c.tasks.findIndex((x) => x.name === name);
    if (t < 0) {
      throw new MtaError('BAD_ARGUMENT', 'the model has no such task', {
        subject: name,
        expected: `one of ${c.tasks.map((x) => x.name).join(', ')}`,
      });
    }
    if (name === ONNX_INPUT) {
      throw new MtaError('BAD_ARGUMENT', `a task named "${ONNX_INPUT}" would clash with the graph input`, {
        subject: name,
      });
    }
    return t;
  });
  if (picked.length === 0) throw new MtaError('BAD_ARGUMENT', 'no task to export', { subject: 'tasks' });
  return [...new Set(picked)];
}

const dims = (...d: (number | string)[]) => ({
  dim: d.map((v) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v })),
});

const valueInfo = (name: string, shape: ReturnType<typeof dims>, docString: string) => ({
  name,
  docString,
  type: { tensorType: { elemType: ONNX_FLOAT, shape } },
});

/** The ONNX model (ModelProto bytes) of `m` with the selected tasks. */
export function encodeOnnx(m: ModelFile, opts: OnnxExportOptions = {}): Uint8Array {
  const c = m.model;
  const tasks = selectTasks(c, opts.tasks);
  const g = new GraphBuilder(m.weights);
  const enc = [ONNX_INPUT];
  c.blocks.forEach((_, l) => enc.push(g.block(`encoder.${l}`, enc[l], c, l)));
  const encPooled = g.globalPool(enc[enc.length - 1], '/encoder');
  const outputs: ReturnType<typeof valueInfo>[] = [];
  for (const t of tasks) {
    const task = c.tasks[t];
    const widths = taskAdapterWidths(c, t);
    // Only the last unbroken run of adapter blocks reaches the head.
    let from = widths.length;
    while (from > 0 && widths[from - 1].time > 0 && widths[from - 1].freq > 0) from--;
    let a: string | undefined;
    for (let l = from; l < c.blocks.length; l++) {
      const input = a
        ? g.node('Concat', [enc[l], a], `/adapter/${task.name}/${l}/concat`, { axis: 1 })
        : enc[l];
      a = g.block(`adapter.${task.name}.${l}`, input, c, l);
    }
    const feat = a
      ? g.node('Concat', [encPooled, g.globalPool(a, `/adapter/${task.name}`)], `/head/${task.name}/concat`, {
          axis: 1,
        })
      : encPooled;
    const names = onnxOutputNames(task.name);
    const k = task.classes.length;
    const w = g.constant(
      `/head/${task.name}/weight`,
      [...m.weights.get(`head.${task.name}.weight`)!.shape],
      g.tensor(`head.${task.name}.weight`),
    );
    const b = g.constant(`/head/${task.name}/bias`, [k], g.tensor(`head.${task.name}.bias`));
    g.node('Gemm', [feat, w, b], names.logits);
    g.node('Softmax', [names.logits], names.probabilities, { axis: 1 });
    outputs.push(
      valueInfo(names.probabilities, dims('N', k), `${task.name}: class probabilities (softmax) per patch`),
      valueInfo(names.logits, dims('N', k), `${task.name}: logits per patch`),
    );
  }
  const sub: ModelConfig = { ...c, tasks: tasks.map((t) => c.tasks[t]) };
  const meta: Record<string, unknown> = {
    'mta.format': ONNX_FORMAT,
    'mta.input': `${ONNX_INPUT}: float32 [N, 1, ${c.inputFrames}, ${c.inputBands}] log-mel patches (NCHW; H = frames, W = mel bands)`,
    'mta.tasks': sub.tasks.map((t) => ({
      name: t.name,
      classes: t.classes,
      outputs: onnxOutputNames(t.name),
    })),
    'mta.frontend': m.frontend,
    'mta.cost': exactCost(sub),
    'mta.info': m.info,
  };
  const model = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'multitask-adapters',
    producerVersion: ONNX_FORMAT,
    docString: 'Multi-task adapter audio classifier (shared encoder, per-task adapters and heads).',
    graph: {
      name: 'mta',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo(
          ONNX_INPUT,
          dims('N', 1, c.inputFrames, c.inputBands),
          'log-mel patches, NCHW: [N, 1, frames, bands]',
        ),
      ],
      output: outputs,
    },
    metadataProps: Object.entries(meta).map(([key, value]) => ({
      key,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

/** One graph per task (the encoder is repeated in each). */
export function encodeOnnxPerTask(m: ModelFile): Map<string, Uint8Array> {
  return new Map(m.model.tasks.map((t) => [t.name, encodeOnnx(m, { tasks: [t.name] })]));
}
