/**
 * Training checkpoints: everything a stopped run needs to continue bit-identically — the (possibly
 * pruned) config, weights with BN statistics, optimizer slots and step, the batch iterators'
 * positions, and the phase and early-stopping state. One safetensors file, written atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { MtaError, writeFileAtomic } from '../common/index.js';
import type { OptimizerState } from '../engine/index.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../io/index.js';
import { parseModelConfig, type ModelConfig, type WeightMap } from '../model/index.js';
import type { BatchPosition } from './training-data.js';

export type Phase = 'search' | 'finetune' | 'done';

export interface EpochRecord {
  epoch: number;
  step: number;
  phase: Phase;
  trainLoss: number[];
  trainAccuracy: number[];
  valClipAccuracy: number[];
  params: number;
  macs: number;
}

export interface TrainState {
  config: ModelConfig;
  phase: Phase;
  /** Steps done in total and in the current phase. */
  step: number;
  phaseStep: number;
  epoch: number;
  position: BatchPosition;
  /** Surrogate of the unpruned model at initialisation (λ = λ_rel / s0). */
  s0: number;
  bestScore: number;
  bestStep: number;
  badEpochs: number;
  history: EpochRecord[];
  /** Fingerprint of the options that must not change across --resume. */
  fingerprint: string;
}

const META_KEY = 'mta.checkpoint';
const W = 'weights/';
const O = 'optimizer/';

export function saveCheckpoint(
  path: string,
  state: TrainState,
  weights: WeightMap,
  opt: OptimizerState,
): void {
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, w] of weights) tensors[W + name] = { dtype: 'F32', shape: w.shape, data: w.data };
  const optMeta: Record<string, number> = {};
  for (const [key, v] of Object.entries(opt)) {
    if (typeof v === 'number') optMeta[key] = v;
    else tensors[O + key] = { dtype: 'F32', shape: [v.length], data: v };
  }
  writeFileAtomic(
    path,
    encodeSafetensors(tensors, { [META_KEY]: JSON.stringify({ state, optimizer: optMeta }) }),
  );
}

export function loadCheckpoint(
  path: string,
): { state: TrainState; weights: WeightMap; optimizer: OptimizerState } | undefined {
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  let meta: { state: TrainState; optimizer: Record<string, number> };
  try {
    meta = JSON.parse(metadata[META_KEY] ?? '');
  } catch (e) {
    throw new MtaError('BAD_MODEL', 'not a training checkpoint', { subject: path, cause: e });
  }
  meta.state.config = parseModelConfig(meta.state.config, `${path} (config)`);
  const weights: WeightMap = new Map();
  const optimizer: OptimizerState = { ...meta.optimizer };
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32') throw new MtaError('BAD_MODEL', `tensor "${name}" is not F32`, { subject: path });
    if (name.startsWith(W)) weights.set(name.slice(W.length), { shape: t.shape, data: t.data.slice() });
    else if (name.startsWith(O)) optimizer[name.slice(O.length)] = t.data.slice();
  }
  return { state: meta.state, weights, optimizer };
}
