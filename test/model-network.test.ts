import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/common/index.js';
import { createEngine, SoftmaxCrossEntropy, type Engine, type Tensor } from '../src/engine/index.js';
import {
  exactCost,
  exportWeights,
  gateMasks,
  importWeights,
  maskWeights,
  MultiTaskNetwork,
  parseModelConfig,
  pruneWeights,
  type ModelConfig,
  type TaskRows,
} from '../src/model/index.js';
import { randomiseBatchNorm } from './runtime-fixtures.js';

const config: ModelConfig = parseModelConfig({
  inputFrames: 8,
  inputBands: 6,
  blocks: [
    { encoderWidth: 3, adapterWidth: 4, timeKernel: 3, freqKernel: 3, pool: true },
    { encoderWidth: 4, adapterWidth: 3, timeKernel: 3, freqKernel: 3, pool: true },
    { encoderWidth: 5, adapterWidth: 3, timeKernel: 3, freqKernel: 3, pool: false },
  ],
  tasks: [
    { name: 'a', classes: ['x', 'y', 'z'] },
    { name: 'b', classes: ['p', 'q'] },
    { name: 'c', classes: ['u', 'v', 'w', 'k'] },
  ],
});

function input(engine: Engine, n: number, seed: number): Tensor {
  const rng = new Rng(seed);
  return engine.fromValues(
    [n, 8, 6, 1],
    Float32Array.from({ length: n * 48 }, () => rng.normal()),
  );
}

async function network(cfg: ModelConfig, seed = 1): Promise<MultiTaskNetwork> {
  return new MultiTaskNetwork(await createEngine({ seed }), cfg);
}

const rows: TaskRows[] = [
  { start: 0, count: 3 },
  { start: 3, count: 2 },
  { start: 5, count: 4 },
];
const labels = [
  [0, 2, 1],
  [1, 0],
  [3, 0, 2, 1],
];

function totalLoss(net: MultiTaskNetwork, x: Tensor): number {
  const logits = net.forward(x, rows, 'eval');
  return logits.reduce(
    (s, l, t) =>
      s +
      new SoftmaxCrossEntropy(net.engine, `ce${t}`, config.tasks[t].classes.length).forward(l!, labels[t])
        .loss,
    0,
  );
}

test('network gradients (encoder shared by three tasks, adapters, heads) match finite differences', async () => {
  const net = await network(config);
  randomiseBatchNorm(net, 2);
  const engine = net.engine;
  const x = input(engine, 9, 3);
  const mark = engine.mark();
  engine.zeroGrads();
  const logits = net.forward(x, rows, 'eval');
  const d = logits.map(
    (l, t) =>
      new SoftmaxCrossEntropy(engine, `ce${t}`, config.tasks[t].classes.length).forward(l!, labels[t])
        .dlogits,
  );
  net.backward(d);
  const rng = new Rng(4);
  let checked = 0;
  for (const p of net.params()) {
    const grad = p.grad().slice();
    for (let k = 0; k < 3; k++) {
      const i = rng.int(grad.length);
      const v = p.value();
      const v0 = v[i];
      const eps = 1e-3;
      p.value()[i] = v0 + eps;
      engine.reset(mark);
      const up = totalLoss(net, x);
      p.value()[i] = v0 - eps;
      engine.reset(mark);
      const down = totalLoss(net, x);
      p.value()[i] = v0;
      const fd = (up - down) / (2 * eps);
      assert.ok(
        Math.abs(fd - grad[i]) <= 2e-3 + 2e-2 * Math.abs(fd),
        `${p.name}[${i}]: finite difference ${fd}, backward ${grad[i]}`,
      );
      checked++;
    }
  }
  assert.ok(checked > 100);
});

test('each task sees only its own rows; a frozen encoder gets no gradient', async () => {
  const net = await network(config);
  randomiseBatchNorm(net, 5);
  const x = input(net.engine, 9, 6);
  const together = net.forward(x, rows, 'eval').map((l) => l!.data().slice());
  const alone = net.forward(x, [undefined, rows[1], undefined], 'eval');
  assert.equal(alone[0], undefined);
  assert.deepEqual(alone[1]!.data().slice(), together[1]);
  net.engine.zeroGrads();
  const d = net.engine.fromValues(alone[1]!.shape, new Float32Array(alone[1]!.size).fill(1));
  net.backward([undefined, d, undefined], { encoder: false });
  assert.ok(net.encoderParams().every((p) => p.grad().every((g) => g === 0)));
  assert.ok(net.taskParams(1).some((p) => p.grad().some((g) => g !== 0)));
  assert.ok(net.taskParams(0).every((p) => p.grad().every((g) => g === 0)));
});

test('the pruned model computes what the masked model computes (within 1e-5), and costs what the cost model says', async () => {
  const net = await network(config, 7);
  randomiseBatchNorm(net, 8);
  const rng = new Rng(9);
  // Kill some channels: task a loses every third channel, task b loses block 1 entirely (so block 0 dies too),
  // task c loses everything (it becomes a multi-head head).
  for (const p of net.gateParams()) {
    const v = p.value();
    const task = p.name.split('.')[1];
    v.forEach((_, i) => {
      const kill = task === 'c' || (task === 'b' && p.name.includes('.1.')) || (task === 'a' && i % 3 === 1);
      if (kill) v[i] = rng.uniform(-0.005, 0.005);
    });
  }
  const weights = exportWeights(net);
  const masks = gateMasks(config, weights, 0.01);
  const masked = maskWeights(config, weights, masks);
  importWeights(net, masked, 'masked');
  const x = input(net.engine, 6, 10);
  const all = [0, 1, 2].map(() => ({ start: 0, count: 6 }));
  const expected = net.forward(x, all, 'eval').map((l) => l!.data().slice());

  const pruned = pruneWeights(config, masked, masks);
  const small = await network(pruned.config, 11);
  importWeights(small, pruned.weights, 'pruned');
  const got = small.forward(input(small.engine, 6, 10), all, 'eval').map((l) => l!.data().slice());
  for (let t = 0; t < 3; t++) {
    got[t].forEach((v, i) =>
      assert.ok(
        Math.abs(v - expected[t][i]) <= 1e-5 * (1 + Math.abs(expected[t][i])),
        `task ${t} logit ${i}`,
      ),
    );
  }
  // b: block 1 died, so block 0 (which only feeds it) died too; block 2 still reads the encoder.
  assert.deepEqual(pruned.config.tasks[1].adapter!.slice(0, 2), [
    { time: 0, freq: 0 },
    { time: 0, freq: 0 },
  ]);
  assert.ok(pruned.config.tasks[1].adapter![2].freq > 0);
  assert.ok(small.columns[2].blocks.every((b) => b === undefined));
  assert.ok(small.columns[0].blocks[2] !== undefined);

  // Deployed params = conv weights + one folded bias per BN channel (β) + heads: what exactCost counts.
  const deployed = [...small.params()]
    .filter((p) => !p.name.endsWith('gamma'))
    .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(deployed, exactCost(pruned.config).total.params);
});

test('weightShapes lists exactly the tensors the network holds, full and pruned', async () => {
  const { weightShapes } = await import('../src/model/index.js');
  for (const cfg of [
    config,
    parseModelConfig({
      ...config,
      tasks: [
        {
          ...config.tasks[0],
          adapter: [
            { time: 1, freq: 2 },
            { time: 3, freq: 1 },
            { time: 2, freq: 2 },
          ],
        },
        {
          ...config.tasks[1],
          adapter: [
            { time: 0, freq: 0 },
            { time: 0, freq: 0 },
            { time: 1, freq: 1 },
          ],
        },
        {
          ...config.tasks[2],
          adapter: [
            { time: 0, freq: 0 },
            { time: 0, freq: 0 },
            { time: 0, freq: 0 },
          ],
        },
      ],
    }),
  ]) {
    const net = await network(cfg);
    const held = new Map([...net.params(), ...net.buffers()].map((p) => [p.name, [...p.shape]]));
    assert.deepEqual(weightShapes(cfg), held);
  }
});
