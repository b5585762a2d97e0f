import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError } from '../src/common/index.js';
import { constantLr, cosineDecay, stepDecay, withWarmup } from '../src/engine/index.js';

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-15 + 1e-12 * Math.abs(expected),
    `${what}: ${actual} vs ${expected}`,
  );
}

test('constant schedule', () => {
  const s = constantLr(3e-4);
  for (const t of [0, 1, 17, 1e6]) assert.equal(s(t), 3e-4);
});

test('cosine decay follows the closed form, reaches the floor and stays there', () => {
  const peak = 1e-3;
  const floor = 1e-5;
  const steps = 100;
  const s = cosineDecay({ peak, steps, floor });
  for (let t = 0; t <= 150; t++) {
    const tt = Math.min(t, steps);
    close(s(t), floor + ((peak - floor) * (1 + Math.cos((Math.PI * tt) / steps))) / 2, `t=${t}`);
  }
  close(s(0), peak, 'start');
  close(s(50), (peak + floor) / 2, 'half way');
  close(s(100), floor, 'end');
  close(s(10_000), floor, 'after the end');
  close(cosineDecay({ peak, steps })(steps), 0, 'default floor');
});

test('step decay multiplies by the factor every N steps', () => {
  const s = stepDecay({ peak: 0.1, every: 30, factor: 0.5 });
  for (let t = 0; t < 200; t++) close(s(t), 0.1 * 0.5 ** Math.floor(t / 30), `t=${t}`);
  close(s(29), 0.1, 'before the first drop');
  close(s(30), 0.05, 'at the first drop');
});

test('linear warmup then cosine: ramp to the peak, then the cosine shifted by the warmup', () => {
  const peak = 2e-3;
  const warm = 10;
  const decay = 90;
  const s = withWarmup(cosineDecay({ peak, steps: decay }), warm);
  for (let t = 0; t < warm; t++) close(s(t), (peak * (t + 1)) / warm, `warmup t=${t}`);
  close(s(warm - 1), peak, 'last warmup step reaches the peak');
  for (let t = warm; t < 120; t++) {
    const u = Math.min(t - warm, decay);
    close(s(t), (peak * (1 + Math.cos((Math.PI * u) / decay))) / 2, `cosine t=${t}`);
  }
  assert.ok(s(0) > 0, 'the first update is not wasted at rate 0');
  const constantAfterWarmup = withWarmup(constantLr(1), 4);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(constantAfterWarmup), [0.25, 0.5, 0.75, 1, 1, 1]);
});

test('bad schedule settings are BAD_CONFIG errors naming the setting', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => constantLr(-1), 'schedule.lr'],
    [() => constantLr(NaN), 'schedule.lr'],
    [() => cosineDecay({ peak: 1, steps: 0 }), 'schedule.steps'],
    [() => cosineDecay({ peak: 1, steps: 10, floor: Infinity }), 'schedule.floor'],
    [() => stepDecay({ peak: 1, every: 1.5, factor: 0.1 }), 'schedule.every'],
    [() => stepDecay({ peak: 1, every: 10, factor: 0 }), 'schedule.factor'],
    [() => withWarmup(constantLr(1), -3), 'schedule.warmup'],
  ];
  for (const [make, subject] of cases) {
    assert.throws(
      make,
      (e: unknown) => e instanceof MtaError && e.code === 'BAD_CONFIG' && e.subject === subject,
    );
  }
});
