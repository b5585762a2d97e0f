/** Worker thread of a ReplicaGroup: holds one replica and takes part in every step (see replica-group.ts). */
import { parentPort } from 'node:worker_threads';
import { participate, type GroupBuffers } from './replica-group.js';
import { Replica, type ReplicaSpec } from './replica.js';
import type { OptimizerState } from '../engine/index.js';
import type { WeightMap } from '../model/index.js';
import type { TrainBatch } from './training-data.js';

type Message =
  | {
      type: 'build';
      spec: ReplicaSpec;
      weights: WeightMap;
      optState: OptimizerState;
      buffers: GroupBuffers;
      index: number;
    }
  | { type: 'step'; shard: TrainBatch[]; scales: number[]; stepIndex: number; lambdaAbs: number };

let replica: Replica | undefined;
let buffers: GroupBuffers | undefined;
let index = 0;

parentPort!.on('message', async (m: Message) => {
  try {
    if (m.type === 'build') {
      replica = await Replica.create(m.spec, m.weights, m.optState);
      buffers = m.buffers;
      index = m.index;
      parentPort!.postMessage({ type: 'built' });
    } else {
      participate(replica!, buffers!, index, m.stepIndex, m.shard, m.scales, m.lambdaAbs);
    }
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
