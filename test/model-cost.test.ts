import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aliveFromGates,
  buildModelConfig,
  exactCost,
  fullAlive,
  parseModelConfig,
  surrogateCost,
  type BlockGates,
  type ModelConfig,
} from '../src/model/index.js';
import { MtaError, Rng } from '../src/common/index.js';

const tenClasses = Array.from({ length: 10 }, (_, i) => `c${i}`);

test('reference encoder with a 10-class head: 396,626 params and 10,177,024 MACs (issue figures)', () => {
  const c = buildModelConfig({ tasks: [{ name: 'digits', classes: tenClasses }], adapterWidth: 0 });
  const r = exactCost(c);
  assert.equal(r.total.params, 396_626);
  assert.equal(r.total.macs, 10_177_024);
  assert.equal(r.tasks.digits.params, 256 * 10 + 10);
  assert.equal(r.shared.macs, 10_177_024 - 2560);
});

// A small model computed by hand: input 4×4, blocks [enc 2, adapter 2] (pool) and [enc 3, adapter 3].
const small: ModelConfig = parseModelConfig({
  inputFrames: 4,
  inputBands: 4,
  blocks: [
    { encoderWidth: 2, adapterWidth: 2, timeKernel: 3, freqKernel: 3, pool: true },
    { encoderWidth: 3, adapterWidth: 3, timeKernel: 3, freqKernel: 3, pool: false },
  ],
  tasks: [
    { name: 'a', classes: ['x', 'y', 'z'] },
    { name: 'b', classes: ['p', 'q'] },
  ],
});

test('hand-computed adapter costs, per layer, task, shared and total', () => {
  // task a: block0 time 1, freq 2; block1 time 3, freq 1.   task b: everything pruned.
  const alive = [
    [
      { time: 1, freq: 2 },
      { time: 3, freq: 1 },
    ],
    [
      { time: 0, freq: 0 },
      { time: 0, freq: 0 },
    ],
  ];
  const r = exactCost(small, alive);
  // shared: block0 at 4×4: time 3·1·2 = 6 w (+2 bias), MACs 16·6 = 96; freq 3·2·2 = 12 w (+2), MACs 192.
  //         block1 at 2×2: time 3·2·3 = 18 w (+3), MACs 72; freq 3·3·3 = 27 w (+3), MACs 108.
  assert.equal(r.shared.params, 8 + 14 + 21 + 30);
  assert.equal(r.shared.macs, 96 + 192 + 72 + 108);
  // task a: block0 time: 3·1·1 = 3 w (+1), MACs 48; freq: 3·1·2 = 6 w (+2), MACs 96.
  //         block1 time: in = enc 2 + adapter 2 = 4: 3·4·3 = 36 w (+3), MACs 144; freq 3·3·1 = 9 w (+1), MACs 36.
  //         head: in = 3 + 1 = 4, 3 classes: 12 + 3 params, 12 MACs.
  assert.equal(r.tasks.a.params, 4 + 8 + 39 + 10 + 15);
  assert.equal(r.tasks.a.macs, 48 + 96 + 144 + 36 + 12);
  assert.deepEqual(
    r.tasks.a.layers.map((l) => [l.layer, l.inChannels, l.outChannels]),
    [
      ['adapter.a.0.time', 1, 1],
      ['adapter.a.0.freq', 1, 2],
      ['adapter.a.1.time', 4, 3],
      ['adapter.a.1.freq', 3, 1],
      ['head.a', 4, 3],
    ],
  );
  // task b is the multi-head baseline for b: head only, on the 3 encoder channels.
  assert.equal(r.tasks.b.params, 3 * 2 + 2);
  assert.equal(r.tasks.b.macs, 6);
  assert.equal(r.total.params, r.shared.params + r.tasks.a.params + r.tasks.b.params);
  assert.equal(r.total.macs, r.shared.macs + r.tasks.a.macs + r.tasks.b.macs);
});

test('dead ends: a dead later block removes earlier ones, a half-dead block is dead', () => {
  const r = exactCost(small, [
    [
      { time: 2, freq: 2 },
      { time: 3, freq: 0 },
    ],
    [
      { time: 0, freq: 2 },
      { time: 1, freq: 1 },
    ],
  ]);
  assert.deepEqual(r.tasks.a.alive, [
    { time: 0, freq: 0 },
    { time: 0, freq: 0 },
  ]);
  assert.deepEqual(r.tasks.b.alive, [
    { time: 0, freq: 0 },
    { time: 1, freq: 1 },
  ]);
  // b's block1 time conv now reads only the 2 encoder channels: 3·2·1 = 6 weights + 1 bias.
  assert.equal(r.tasks.b.layers[0].inChannels, 2);
  assert.equal(r.tasks.b.layers[0].params, 7);
});

test('fully pruned adapters cost exactly the multi-head model', () => {
  const tasks = [
    { name: 'a', classes: tenClasses },
    { name: 'b', classes: ['u', 'v'] },
  ];
  const withAdapters = buildModelConfig({ tasks, width: 0.5 });
  const multihead = buildModelConfig({ tasks, width: 0.5, adapterWidth: 0 });
  const dead = fullAlive(withAdapters).map((bs) => bs.map(() => ({ time: 0, freq: 0 })));
  assert.deepEqual(exactCost(withAdapters, dead).total, exactCost(multihead).total);
  assert.ok(exactCost(withAdapters).total.params > exactCost(multihead).total.params);
});

function randomGates(c: ModelConfig, rng: Rng): BlockGates[][] {
  return c.tasks.map(() =>
    c.blocks.map((b) => ({
      time: Float32Array.from({ length: b.adapterWidth }, () => (rng.next() < 0.3 ? 0 : rng.uniform(-1, 1))),
      freq: Float32Array.from({ length: b.adapterWidth }, () => (rng.next() < 0.3 ? 0 : rng.uniform(-1, 1))),
    })),
  );
}

test('surrogate gradient matches central finite differences (both measures)', () => {
  const c = buildModelConfig({
    tasks: [{ name: 'a', classes: ['x', 'y'] }],
    width: 0.25,
    inputFrames: 16,
    inputBands: 16,
    baseWidths: [8, 16, 32],
  });
  const rng = new Rng(3);
  const gates = randomGates(c, rng);
  const threshold = 0.01;
  for (const measure of ['params', 'macs'] as const) {
    const s = surrogateCost(c, gates, measure, threshold);
    for (let l = 0; l < c.blocks.length; l++) {
      for (const kind of ['time', 'freq'] as const) {
        const g = gates[0][l][kind];
        for (let i = 0; i < g.length; i++) {
          if (Math.abs(g[i]) < 0.05) continue; // stay away from the kink at 0 and the threshold
          const eps = 1e-3;
          const v0 = g[i];
          g[i] = v0 + eps;
          const up = surrogateCost(c, gates, measure, threshold).value;
          g[i] = v0 - eps;
          const down = surrogateCost(c, gates, measure, threshold).value;
          g[i] = v0;
          const fd = (up - down) / (2 * eps);
          const an = s.grads[0][l][kind][i];
          assert.ok(
            Math.abs(fd - an) <= 1e-3 * Math.max(1, Math.abs(fd)),
            `${measure} ${kind}[${l}][${i}]: fd ${fd} vs ${an}`,
          );
        }
      }
    }
  }
});

test('surrogate with unit gates equals the closed form Σ F·(A_in·A_out + A_out·A_in_adapter)', () => {
  const c = small;
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const gates = c.tasks.map(() =>
    c.blocks.map((b) => ({ time: ones(b.adapterWidth), freq: ones(b.adapterWidth) })),
  );
  // per task, params measure (F = 3 for every conv):
  // block0 time: A_in = 1 (spectrogram, R 0), A_out 2 → 3·(1·2 + 2·0) = 6; freq: 3·(2·2 + 2·2) = 24
  // block1 time: A_in = 2 enc + 2 adapter, R_in = 2 → 3·(4·3 + 3·2) = 54; freq: 3·(3·3 + 3·3) = 54
  assert.equal(surrogateCost(c, gates, 'params', 0.01).value, 2 * (6 + 24 + 54 + 54));
  // MACs: block0 at 16 pixels, block1 at 4.
  assert.equal(surrogateCost(c, gates, 'macs', 0.01).value, 2 * (16 * (6 + 24) + 4 * (54 + 54)));
  assert.deepEqual(aliveFromGates(gates, 0.01), fullAlive(c));
});

test('config validation names the field', () => {
  const bad = (x: unknown, field: RegExp): void => {
    assert.throws(
      () => parseModelConfig(x, 'm.json'),
      (e: unknown) =>
        e instanceof MtaError && e.code === 'BAD_CONFIG' && e.subject === 'm.json' && field.test(e.message),
    );
  };
  const base = JSON.parse(JSON.stringify(small)) as ModelConfig;
  bad({ ...base, tasks: [{ name: 'a', classes: ['x'] }] }, /tasks\[0\]\.classes/);
  bad({ ...base, tasks: [base.tasks[0], base.tasks[0]] }, /tasks\[1\]\.name: duplicate/);
  bad(
    {
      ...base,
      blocks: [
        { ...base.blocks[0], adapterWidth: 2 },
        { ...base.blocks[1], adapterWidth: 0 },
      ],
    },
    /blocks\[1\]\.adapterWidth/,
  );
  bad(
    { ...base, blocks: [{ ...base.blocks[0], timeKernel: 2 }, base.blocks[1]] },
    /blocks\[0\]\.timeKernel: must be odd/,
  );
  bad({ ...base, inputFrames: 1 }, /pool/);
});
