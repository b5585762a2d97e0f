// The engine benchmark's network and data (issue 3 §7): the reference encoder of DESIGN.md §1 with a
// 10-class head, one fixed random batch of 64, and its training replicas.
import { DEFAULT_FRONTEND } from '../src/audio/index.js';
import { Rng } from '../src/common/index.js';
import { buildModelConfig } from '../src/model/index.js';
import { parseTrainOptions, ReplicaGroup } from '../src/train/index.js';

export const BATCH = 64;
export const MACS = 10_177_024;
export const { patchFrames: F, melBands: B } = DEFAULT_FRONTEND;
export const classes = Array.from({ length: 10 }, (_, i) => `c${i}`);
export const config = buildModelConfig({ tasks: [{ name: 'reference', classes }], adapterWidth: 0 });
const rng = new Rng(3);
export const x = Float32Array.from({ length: BATCH * F * B }, () => rng.normal() * 2 - 3);
export const y = Int32Array.from({ length: BATCH }, () => rng.int(10));

export async function trainGroup(threads: number): Promise<ReplicaGroup> {
  const options = parseTrainOptions({ threads, baseline: 'multihead', width: 1 });
  return ReplicaGroup.create(threads, {
    config,
    options,
    tasks: [{ name: 'reference', classes }],
    frames: F,
    bands: B,
    phase: 'finetune',
    frozen: false,
  });
}

export function trainStep(group: ReplicaGroup, step: number): void {
  group.step([{ size: BATCH, x, y }], [1], 0, step, ['reference']);
}
