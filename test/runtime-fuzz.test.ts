/**
 * loadModel on a few thousand seeded mutations of a valid model file: bit flips, truncation, header
 * JSON edits (shapes, dtypes, offsets, huge numbers) and model-config edits (widths, kernels, pools,
 * tasks, front end). Every outcome must be a loaded model that predicts finite probabilities, or an
 * MtaError: no other exception, no hang, no large allocation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MtaError, Rng } from '../src/common/index.js';
import { DEFAULT_FRONTEND } from '../src/audio/index.js';
import { createEngine } from '../src/engine/index.js';
import { encodeModelFile } from '../src/io/index.js';
import { exportWeights, MultiTaskNetwork, parseModelConfig } from '../src/model/index.js';
import { loadModel } from '../src/runtime/index.js';
import { randomiseBatchNorm } from './runtime-fixtures.js';

const KERNELS = new Uint8Array(readFileSync(new URL('../build/kernels.wasm', import.meta.url)));
const FRONTEND = { ...DEFAULT_FRONTEND, melBands: 8, patchFrames: 8, patchHopFrames: 4 };

async function tinyModel(): Promise<Uint8Array> {
  const model = parseModelConfig({
    inputFrames: 8,
    inputBands: 8,
    blocks: [
      { encoderWidth: 2, adapterWidth: 2, timeKernel: 3, freqKernel: 3, pool: true },
      { encoderWidth: 3, adapterWidth: 2, timeKernel: 3, freqKernel: 1, pool: false },
    ],
    tasks: [
      { name: 'a', classes: ['x', 'y'] },
      {
        name: 'b',
        classes: ['p', 'q', 'r'],
        adapter: [
          { time: 0, freq: 0 },
          { time: 1, freq: 2 },
        ],
      },
    ],
  });
  const net = new MultiTaskNetwork(await createEngine({ wasm: KERNELS, seed: 3 }), model);
  randomiseBatchNorm(net, 4);
  return encodeModelFile({ frontend: FRONTEND, model, weights: exportWeights(net), info: { fuzz: true } });
}

function splitFile(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  return { header, data: bytes.subarray(8 + n) };
}

function joinFile(header: unknown, data: Uint8Array, lengthDelta = 0): Uint8Array {
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const json = Buffer.from(text, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const HUGE = [0, -1, 1.5, 2 ** 31, 2 ** 40, 1e308, Number.MAX_SAFE_INTEGER, '7', null, [], {}];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** Sets a random leaf of a JSON value (object or array) to a hostile value; returns false if none. */
function mutateLeaf(rng: Rng, x: unknown): void {
  let node = x as Record<string, unknown>;
  for (let depth = 0; depth < 8; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const k = pick(rng, keys);
    const child = node[k];
    if (child !== null && typeof child === 'object' && rng.next() < 0.75) {
      node = child as Record<string, unknown>;
      continue;
    }
    const r = rng.int(4);
    if (r === 0) node[k] = pick(rng, HUGE);
    else if (r === 1 && typeof child === 'number') node[k] = child + pick(rng, [-1, 1, 2, 100, 1e6]);
    else if (r === 2) delete node[k];
    else node[k] = pick(rng, ['F16', 'F64', 'I32', 'U8', 'BOOL', 'XYZ', '', 'logmel']);
    return;
  }
}

function mutate(rng: Rng, valid: Uint8Array): Uint8Array {
  const kind = rng.int(6);
  if (kind === 0) {
    const f = valid.slice();
    for (let k = 1 + rng.int(8); k > 0; k--) f[rng.int(f.length)] ^= 1 << rng.int(8);
    return f;
  }
  if (kind === 1) return valid.slice(0, rng.int(valid.length));
  const { header, data } = splitFile(valid);
  if (kind === 2) {
    // A tensor entry: shape, dtype or offsets.
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    mutateLeaf(rng, header[pick(rng, names)]);
    return joinFile(header, data);
  }
  if (kind === 3 || kind === 4) {
    // The model config inside the metadata: architecture, tasks, front end, cost, info.
    const meta = header.__metadata__ as Record<string, string>;
    const config = JSON.parse(meta.mta);
    const part = kind === 3 ? config.model : config;
    for (let k = 1 + rng.int(3); k > 0; k--) mutateLeaf(rng, part);
    meta.mta = JSON.stringify(config);
    return joinFile(header, data);
  }
  // Header length field off by a little or a lot, or data cut/extended.
  const r = rng.int(3);
  if (r === 0) return joinFile(header, data, pick(rng, [-9, -8, -1, 1, 8, 2 ** 20, 2 ** 40]));
  if (r === 1) return joinFile(header, data.subarray(0, rng.int(data.length)));
  const extended = new Uint8Array(data.length + 4 * (1 + rng.int(16)));
  extended.set(data);
  return joinFile(header, extended);
}

test(
  'loadModel fuzz: 2,500 mutated model files give a working model or an MtaError, nothing else',
  { timeout: 120_000 },
  async () => {
    const valid = await tinyModel();
    const audio = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i / 7));
    const rng = new Rng(606);
    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const rssLimit = process.memoryUsage().rss + 1024 * 1024 * 1024;
    for (let i = 0; i < 2500; i++) {
      const bytes = mutate(rng, valid);
      try {
        const model = await loadModel(bytes, { wasm: KERNELS });
        const preds = await model.predict({ audio, sampleRate: 16000 });
        for (const p of preds)
          assert.ok(p.probabilities.every(Number.isFinite), `mutation ${i}: non-finite output`);
        count('loaded');
      } catch (e) {
        if (!(e instanceof MtaError)) {
          assert.fail(`mutation ${i}: ${e instanceof Error ? e.stack : String(e)}`);
        }
        count(e.code);
      }
      if (i % 100 === 0)
        assert.ok(process.memoryUsage().rss < rssLimit, `mutation ${i}: memory grew past 1 GB`);
    }
    // The mutations must reach both outcomes and several kinds of rejection.
    assert.ok((outcomes.get('loaded') ?? 0) > 50, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get('BAD_MODEL') ?? 0) > 500, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get('BAD_CONFIG') ?? 0) > 50, JSON.stringify([...outcomes]));
    console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  },
);
