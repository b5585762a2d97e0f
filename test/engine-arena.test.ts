// The arena that owns WebAssembly memory: alignment, slack, scratch scopes, growth, fresh views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALIGN, Arena, SLACK } from '../src/engine/arena.js';
import { createEngine } from '../src/engine/index.js';

test('allocations are 16-byte aligned, never overlap, and keep their slack free', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
  const arena = new Arena(memory, 100);
  const sizes = [1, 7, 16, 33, 4096, 3];
  const spans = sizes.map((n) => ({ ptr: arena.scratch.alloc(n), end: 0 }));
  spans.forEach((s, i) => (s.end = s.ptr + sizes[i] + SLACK));
  for (const [i, s] of spans.entries()) {
    assert.equal(s.ptr % ALIGN, 0);
    assert.ok(s.ptr >= 100);
    if (i > 0) assert.ok(s.ptr >= spans[i - 1].end, `allocation ${i} overlaps the previous one's slack`);
  }
});

test('reset releases everything allocated after the mark, and the same sequence reuses the same memory', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
  const arena = new Arena(memory, 64);
  const keep = arena.scratch.alloc(1000);
  const mark = arena.scratch.mark();
  const first = [arena.scratch.alloc(5000), arena.scratch.alloc(20 << 20), arena.scratch.alloc(10)];
  const bytes = memory.buffer.byteLength;
  arena.scratch.reset(mark);
  const second = [arena.scratch.alloc(5000), arena.scratch.alloc(20 << 20), arena.scratch.alloc(10)];
  assert.deepEqual(second, first);
  assert.equal(memory.buffer.byteLength, bytes);
  assert.ok(first.every((p) => p > keep));
  arena.scratch.reset(0);
  assert.equal(arena.scratch.alloc(1000), keep);
});

test('persistent and scratch regions grow independently while the other is in use', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
  const arena = new Arena(memory, 64);
  const s1 = arena.scratch.alloc(100);
  const p1 = arena.persistent.alloc(3 << 20); // larger than a persistent block: its own block
  const s2 = arena.scratch.alloc(100);
  const p2 = arena.persistent.alloc(100);
  const spans = [
    [s1, 100],
    [p1, 3 << 20],
    [s2, 100],
    [p2, 100],
  ].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][0] + spans[i - 1][1]);
  assert.ok(memory.buffer.byteLength >= Math.max(...spans.map(([p, n]) => p + n + SLACK)));
});

test('tensor views are fresh: values survive memory growth and read back through data()', async () => {
  const engine = await createEngine();
  const t = engine.fromValues([3], [1, 2, 3]);
  const before = engine.arena.memoryBytes();
  engine.tensor([64 << 20]); // forces growth, detaching old ArrayBuffers
  assert.ok(engine.arena.memoryBytes() > before);
  assert.deepEqual([...t.data()], [1, 2, 3]);
});
