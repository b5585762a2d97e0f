// The top classes every prediction reports, against a plain sort of all classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/common/index.js';
import { topClasses } from '../src/runtime/scores.js';

test('top classes: most probable first, ties to the lower index, at most as many as there are classes', () => {
  const classes = ['a', 'b', 'c', 'd'];
  const p = Float32Array.from([0.2, 0.5, 0.2, 0.1]);
  assert.deepEqual(
    topClasses(p, classes, 3).map((c) => [c.label, c.index]),
    [
      ['b', 1],
      ['a', 0],
      ['c', 2],
    ],
  );
  assert.equal(topClasses(p, classes, 10).length, 4);
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const k = 1 + rng.int(30);
    // Few distinct values, so that ties are common.
    const q = Float32Array.from({ length: k }, () => rng.int(5) / 4);
    const names = Array.from({ length: k }, (_, i) => `c${i}`);
    const top = 1 + rng.int(k + 2);
    const expected = [...q.keys()].sort((x, y) => q[y] - q[x] || x - y).slice(0, top);
    assert.deepEqual(
      topClasses(q, names, top).map((c) => c.index),
      expected,
    );
  }
});
