/**
 * Weights as plain data, masking and pruning. A channel is alive while its gate |γ| > threshold.
 * The masked model zeroes γ and β of dead channels, so they output exactly 0 after BN+ReLU; the pruned
 * model removes them (and every weight reading them), so both compute the same function.
 */
import { MtaError } from '../common/index.js';
import { taskAdapterWidths, type ModelConfig } from './config.js';
import type { MultiTaskNetwork } from './network.js';

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Every parameter and buffer (BN running statistics) by name. */
export type WeightMap = Map<string, WeightTensor>;

/** Copies the network's parameters and buffers out of engine memory. */
export function exportWeights(net: MultiTaskNetwork): WeightMap {
  const out: WeightMap = new Map();
  for (const p of [...net.params(), ...net.buffers()]) {
    out.set(p.name, { shape: [...p.shape], data: p.value().slice() });
  }
  return out;
}

/** Loads weights into the network, checking that every name and shape matches. */
export function importWeights(net: MultiTaskNetwork, weights: WeightMap, subject: string): void {
  const targets = [...net.params(), ...net.buffers()];
  for (const p of targets) {
    const w = weights.get(p.name);
    if (!w) throw new MtaError('BAD_MODEL', `missing tensor "${p.name}"`, { subject });
    if (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i])) {
      throw new MtaError('BAD_MODEL', `tensor "${p.name}" has the wrong shape`, {
        subject,
        expected: `[${p.shape.join(', ')}]`,
        actual: `[${w.shape.join(', ')}]`,
      });
    }
    p.value().set(w.data);
  }
  if (weights.size !== targets.length) {
    const known = new Set(targets.map((p) => p.name));
    const extra = [...weights.keys()].find((n) => !known.has(n));
    throw new MtaError('BAD_MODEL', `unexpected tensor "${extra}"`, { subject });
  }
}

/** Alive channels of one adapter block. */
export interface BlockMask {
  time: boolean[];
  freq: boolean[];
}

/**
 * Alive masks from the gates, with dead ends removed: a block with no alive time or frequency channel
 * is dead, and a dead block kills the blocks before it (they only feed it). See cost.effectiveAlive.
 */
export function gateMasks(config: ModelConfig, weights: WeightMap, threshold: number): BlockMask[][] {
  return config.tasks.map((task, t) => {
    const widths = taskAdapterWidths(config, t);
    const masks = config.blocks.map((_, l): BlockMask => {
      if (widths[l].time === 0 || widths[l].freq === 0) return { time: [], freq: [] };
      const gate = (kind: 'time' | 'freq'): boolean[] =>
        Array.from(
          weights.get(`adapter.${task.name}.${l}.${kind}.bn.gamma`)!.data,
          (g) => Math.abs(g) > threshold,
        );
      return { time: gate('time'), freq: gate('freq') };
    });
    const alive = (m: BlockMask): boolean => m.time.some(Boolean) && m.freq.some(Boolean);
    const dead = (m: BlockMask): BlockMask => ({
      time: m.time.map(() => false),
      freq: m.freq.map(() => false),
    });
    for (let l = 0; l < masks.length; l++) if (!alive(masks[l])) masks[l] = dead(masks[l]);
    for (let l = masks.length - 2; l >= 0; l--) if (!alive(masks[l + 1])) masks[l] = dead(masks[l]);
    return masks;
  });
}

/** The masked model: γ = β = 0 on every dead channel (weights are copied, not changed in place). */
export function maskWeights(config: ModelConfig, weights: WeightMap, masks: BlockMask[][]): WeightMap {
  const out: WeightMap = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, data: v.data.slice() }]));
  config.tasks.forEach((task, t) =>
    masks[t].forEach((m, l) => {
      for (const kind of ['time', 'freq'] as const) {
        m[kind].forEach((alive, i) => {
          if (alive) return;
          out.get(`adapter.${task.name}.${l}.${kind}.bn.gamma`)!.data[i] = 0;
          out.get(`adapter.${task.name}.${l}.${kind}.bn.beta`)!.data[i] = 0;
        });
      }
    }),
  );
  return out;
}

const indices = (mask: boolean[]): number[] => mask.flatMap((a, i) => (a ? [i] : []));

/** Selects input (axis -2) and output (axis -1) channels of a [..., cin, cout] tensor. */
function selectIO(w: WeightTensor, ins: number[], outs: number[]): WeightTensor {
  const cin = w.shape[w.shape.length - 2];
  const cout = w.shape[w.shape.length - 1];
  const lead = w.data.length / (cin * cout);
  const data = new Float32Array(lead * ins.length * outs.length);
  let o = 0;
  for (let p = 0; p < lead; p++) {
    for (const i of ins) {
      const row = (p * cin + i) * cout;
      for (const j of outs) data[o++] = w.data[row + j];
    }
  }
  return { shape: [...w.shape.slice(0, -2), ins.length, outs.length], data };
}

function selectVector(w: WeightTensor, keep: number[]): WeightTensor {
  return { shape: [keep.length], data: Float32Array.from(keep, (i) => w.data[i]) };
}

/**
 * Removes dead channels: returns the smaller model's config (per-task adapter widths) and weights.
 * Blocks whose channels all die disappear; with every adapter gone a task is a plain multi-head head.
 * Names absent from `weights` are skipped, so the same call prunes optimizer slots (which hold
 * parameters but no BN running statistics).
 */
export function pruneWeights(
  config: ModelConfig,
  weights: WeightMap,
  masks: BlockMask[][],
): { config: ModelConfig; weights: WeightMap } {
  const out: WeightMap = new Map([...weights].filter(([name]) => name.startsWith('encoder.')));
  const put = (name: string, f: (w: WeightTensor) => WeightTensor): void => {
    const w = weights.get(name);
    if (w) out.set(name, f(w));
  };
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const tasks = config.tasks.map((task, t) => {
    let prevKeep: number[] = [];
    const widths = config.blocks.map((_, l) => {
      const keepT = indices(masks[t][l].time);
      const keepF = indices(masks[t][l].freq);
      const p = `adapter.${task.name}.${l}`;
      if (keepT.length === 0 || keepF.length === 0) {
        prevKeep = [];
        return { time: 0, freq: 0 };
      }
      const encIn = l === 0 ? 1 : config.blocks[l - 1].encoderWidth;
      const ins = [...range(encIn), ...prevKeep.map((i) => encIn + i)];
      put(`${p}.time.conv.weight`, (w) => selectIO(w, ins, keepT));
      put(`${p}.freq.conv.weight`, (w) => selectIO(w, keepT, keepF));
      for (const [kind, keep] of [
        ['time', keepT],
        ['freq', keepF],
      ] as const) {
        for (const v of ['gamma', 'beta', 'running_mean', 'running_var']) {
          put(`${p}.${kind}.bn.${v}`, (w) => selectVector(w, keep));
        }
      }
      prevKeep = keepF;
      return { time: keepT.length, freq: keepF.length };
    });
    const encOut = config.blocks[config.blocks.length - 1].encoderWidth;
    const rows = [...range(encOut), ...prevKeep.map((i) => encOut + i)];
    put(`head.${task.name}.weight`, (w) => selectIO(w, rows, range(task.classes.length)));
    put(`head.${task.name}.bias`, (w) => w);
    return { ...task, adapter: widths };
  });
  return { config: { ...config, tasks }, weights: out };
}
