/**
 * Exact cost (params, MACs) of a multi-task adapter model for any alive-channel pattern, and the
 * MorphNet-style differentiable surrogate that training penalises (DESIGN.md §1; MorphNet's
 * GammaFlopRegularizer / GammaModelSizeRegularizer: cost term A_in·Σ|γ_out| + A_out·Σ|γ_in| per conv).
 *
 * Conventions. Per conv with kernel k_h×k_w, running at H×W, with `cin` inputs and `cout` outputs:
 *   params = k_h·k_w·cin·cout + cout   (batch norm folded into the conv: one bias per output channel)
 *   MACs   = H·W·k_h·k_w·cin·cout
 * Head: params = in·K + K, MACs = in·K. Batch norm, ReLU and pooling count no MACs. With these rules the
 * reference encoder (widths 8…256) with a 10-class head has 396,626 params and 10,177,024 MACs.
 * Shared = the encoder; a task = its adapter convs and its head.
 */
import { blockGeometry, taskAdapterWidths, type ModelConfig } from './config.js';

export type CostMeasure = 'params' | 'macs';

/** Alive output channels of one adapter block's time conv and frequency conv. */
export interface BlockAlive {
  time: number;
  freq: number;
}

/** alive[task][block]; blocks without an adapter have {time: 0, freq: 0}. */
export type AliveCounts = BlockAlive[][];

/** |γ| gates of one adapter block: BN scales of its time conv and frequency conv outputs. */
export interface BlockGates {
  time: Float32Array;
  freq: Float32Array;
}

export interface Cost {
  params: number;
  macs: number;
}

export interface LayerCost extends Cost {
  layer: string;
  inChannels: number;
  outChannels: number;
}

export interface TaskCost extends Cost {
  layers: LayerCost[];
  /** Effective alive channels per block (after dead-end removal). */
  alive: BlockAlive[];
}

export interface CostReport {
  total: Cost;
  shared: Cost & { layers: LayerCost[] };
  tasks: Record<string, TaskCost>;
}

function convCost(
  layer: string,
  h: number,
  w: number,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
): LayerCost {
  const weights = kh * kw * cin * cout;
  return {
    layer,
    inChannels: cin,
    outChannels: cout,
    params: cout === 0 ? 0 : weights + cout,
    macs: h * w * weights,
  };
}

function sum(layers: Cost[]): Cost {
  return layers.reduce((a, l) => ({ params: a.params + l.params, macs: a.macs + l.macs }), {
    params: 0,
    macs: 0,
  });
}

/** Every adapter channel the config has alive (its pruned widths, or the unpruned model). */
export function fullAlive(c: ModelConfig): AliveCounts {
  return c.tasks.map((_, t) => taskAdapterWidths(c, t));
}

/** Channels whose |γ| exceeds the threshold. */
export function aliveFromGates(gates: BlockGates[][], threshold: number): AliveCounts {
  const count = (g: Float32Array): number => g.reduce((n, v) => n + (Math.abs(v) > threshold ? 1 : 0), 0);
  return gates.map((blocks) => blocks.map((g) => ({ time: count(g.time), freq: count(g.freq) })));
}

/**
 * Removes channels that cannot affect any output. Inside a block the time conv only feeds the
 * frequency conv, so if either has no alive channel both are dead (a frequency conv with no inputs
 * would emit a constant, which the masked model defines as zero). Across blocks an adapter block only
 * feeds the next adapter block (the last one feeds the head), so a dead block kills the ones before it.
 */
export function effectiveAlive(c: ModelConfig, alive: AliveCounts): AliveCounts {
  return alive.map((blocks) => {
    const out = blocks.map((a, l) => {
      const has = c.blocks[l].adapterWidth > 0 && a.time > 0 && a.freq > 0;
      return has ? { time: a.time, freq: a.freq } : { time: 0, freq: 0 };
    });
    for (let l = out.length - 2; l >= 0; l--) {
      if (out[l + 1].freq === 0) out[l] = { time: 0, freq: 0 };
    }
    return out;
  });
}

/** Exact params and MACs of the model with the given alive channels (default: unpruned). */
export function exactCost(c: ModelConfig, alive: AliveCounts = fullAlive(c)): CostReport {
  const geo = blockGeometry(c);
  const eff = effectiveAlive(c, alive);
  const sharedLayers: LayerCost[] = [];
  c.blocks.forEach((b, l) => {
    const cin = l === 0 ? 1 : c.blocks[l - 1].encoderWidth;
    const { h, w } = geo[l];
    sharedLayers.push(convCost(`encoder.${l}.time`, h, w, b.timeKernel, 1, cin, b.encoderWidth));
    sharedLayers.push(convCost(`encoder.${l}.freq`, h, w, 1, b.freqKernel, b.encoderWidth, b.encoderWidth));
  });
  const encOut = c.blocks[c.blocks.length - 1].encoderWidth;
  const tasks: Record<string, TaskCost> = {};
  c.tasks.forEach((t, ti) => {
    const layers: LayerCost[] = [];
    const a = eff[ti];
    c.blocks.forEach((b, l) => {
      if (a[l].freq === 0) return;
      const { h, w } = geo[l];
      const cin = l === 0 ? 1 : c.blocks[l - 1].encoderWidth + a[l - 1].freq;
      layers.push(convCost(`adapter.${t.name}.${l}.time`, h, w, b.timeKernel, 1, cin, a[l].time));
      layers.push(convCost(`adapter.${t.name}.${l}.freq`, h, w, 1, b.freqKernel, a[l].time, a[l].freq));
    });
    const headIn = encOut + a[a.length - 1].freq;
    const k = t.classes.length;
    layers.push({
      layer: `head.${t.name}`,
      inChannels: headIn,
      outChannels: k,
      params: headIn * k + k,
      macs: headIn * k,
    });
    tasks[t.name] = { ...sum(layers), layers, alive: a };
  });
  const shared = { ...sum(sharedLayers), layers: sharedLayers };
  return { total: sum([shared, ...Object.values(tasks)]), shared, tasks };
}

export interface Surrogate {
  value: number;
  /** d value / d γ for every gate, same layout as the gates (zero for dead channels). */
  grads: BlockGates[][];
}

/**
 * The MorphNet surrogate summed over every adapter conv (encoder channels feeding an adapter count as
 * always alive with R = 0):  F·(A_in·R_out + A_out·R_in),  F = H·W·k_h·k_w for MACs, k_h·k_w for params,
 * A = alive count (|γ| > threshold), R = Σ|γ| over the alive channels. A counts are piecewise constant,
 * so the gradient is F·A_in·sign(γ) for an output gate and F·A_out·sign(γ) for an input gate.
 */
export function surrogateCost(
  c: ModelConfig,
  gates: BlockGates[][],
  measure: CostMeasure,
  threshold: number,
): Surrogate {
  const geo = blockGeometry(c);
  let value = 0;
  const grads = gates.map((blocks) =>
    blocks.map((g) => ({ time: new Float32Array(g.time.length), freq: new Float32Array(g.freq.length) })),
  );
  const stats = (g: Float32Array): { a: number; r: number } => {
    let a = 0;
    let r = 0;
    for (const v of g) {
      if (Math.abs(v) > threshold) {
        a++;
        r += Math.abs(v);
      }
    }
    return { a, r };
  };
  // Adds F·A_in·sign(γ) to alive output gates, or F·A_out·sign(γ) to alive input gates.
  const addGrad = (dst: Float32Array, g: Float32Array, coef: number): void => {
    for (let i = 0; i < g.length; i++) if (Math.abs(g[i]) > threshold) dst[i] += coef * Math.sign(g[i]);
  };
  gates.forEach((blocks, ti) => {
    c.blocks.forEach((b, l) => {
      if (b.adapterWidth === 0) return;
      const { h, w } = geo[l];
      const area = measure === 'macs' ? h * w : 1;
      const g = blocks[l];
      const t = stats(g.time);
      const f = stats(g.freq);
      const prev = l > 0 && c.blocks[l - 1].adapterWidth > 0 ? blocks[l - 1].freq : undefined;
      const p = prev ? stats(prev) : { a: 0, r: 0 };
      const encIn = l === 0 ? 1 : c.blocks[l - 1].encoderWidth;
      // time conv: inputs = encoder (alive, R = 0) + previous adapter block's freq channels
      const fT = area * b.timeKernel;
      const aIn = encIn + p.a;
      value += fT * (aIn * t.r + t.a * p.r);
      addGrad(grads[ti][l].time, g.time, fT * aIn);
      if (prev) addGrad(grads[ti][l - 1].freq, prev, fT * t.a);
      // frequency conv: inputs = this block's time channels
      const fF = area * b.freqKernel;
      value += fF * (t.a * f.r + f.a * t.r);
      addGrad(grads[ti][l].freq, g.freq, fF * t.a);
      addGrad(grads[ti][l].time, g.time, fF * f.a);
    });
  });
  return { value, grads };
}
