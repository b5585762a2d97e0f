import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MtaError, Rng } from '../src/common/index.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../src/io/index.js';
import { FIXTURES_DIR } from './helpers/paths.js';

/** An independent writer: header length, the given JSON text, optional space padding, raw data. */
function rawFile(header: string | object, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let json = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const h = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectBadModel(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, 'weights.safetensors'),
    (e: unknown) => {
      assert.ok(e instanceof MtaError, `not an MtaError: ${String(e)}`);
      assert.equal(e.code, 'BAD_MODEL');
      assert.equal(e.subject, 'weights.safetensors');
      assert.match(e.describe(), pattern);
      return true;
    },
  );
}

test('safetensors: round trip of every kind of tensor, with metadata', () => {
  const tensors: Record<string, SafeTensor> = {
    'layer.w': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1.5, -2, 3e-8, 4, 5, -0]) },
    labels: { dtype: 'I64', shape: [3], data: new BigInt64Array([0n, -9007199254740993n, 7n]) },
    counts: { dtype: 'I32', shape: [1, 2], data: new Int32Array([-1, 2147483647]) },
    mask: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 255, 3, 4]) },
    'half.bits': { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xbf80]) },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  };
  // A name that an object literal would swallow as the prototype.
  Object.defineProperty(tensors, '__proto__', {
    value: { dtype: 'I8', shape: [1], data: new Int8Array([-3]) },
    enumerable: true,
  });
  const metadata = { format: 'mta', config: '{"width":0.25}' };
  const bytes = encodeSafetensors(tensors, metadata);

  // The layout follows the spec, read here without the decoder.
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  assert.match(text, /^\{.*\} *$/);
  const header = JSON.parse(text);
  assert.deepEqual(header.__metadata__, metadata);
  assert.deepEqual(header['layer.w'].shape, [2, 3]);
  const [b, e] = header['layer.w'].data_offsets as [number, number];
  assert.deepEqual(
    Array.from(new Float32Array(bytes.slice(8 + n + b, 8 + n + e).buffer)),
    Array.from(tensors['layer.w'].data as Float32Array),
  );

  const decoded = decodeSafetensors(bytes, 'rt.safetensors');
  assert.deepEqual(decoded.metadata, metadata);
  assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const d = decoded.tensors[name];
    assert.equal(d.dtype, t.dtype, name);
    assert.deepEqual(d.shape, t.shape, name);
    assert.equal(d.data.constructor, t.data.constructor, name);
    assert.deepEqual(
      Array.from(d.data as ArrayLike<number | bigint>),
      Array.from(t.data as ArrayLike<number | bigint>),
    );
    // The encoder aligns every tensor, so the decoder hands out views, not copies.
    assert.equal(d.data.buffer, bytes.buffer, `${name} should be a zero-copy view`);
  }
});

test('safetensors: an unaligned tensor (written by another tool) decodes to an aligned copy', () => {
  const data = new Uint8Array([7, ...f32Bytes([0.25, -1])]);
  const file = rawFile(
    {
      b: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
      a: { dtype: 'F32', shape: [2], data_offsets: [1, 9] },
    },
    data,
    false,
  );
  const { tensors, metadata } = decodeSafetensors(file, 'x');
  assert.deepEqual(metadata, {});
  assert.deepEqual(Array.from(tensors.a.data as Float32Array), [0.25, -1]);
  assert.notEqual(tensors.a.data.buffer, file.buffer);
  assert.deepEqual(Array.from(tensors.b.data as Uint8Array), [7]);
});

test('safetensors: a Node Buffer at an odd offset of a larger buffer (as fs gives) decodes right', () => {
  const file = encodeSafetensors({
    w: { dtype: 'F32', shape: [3], data: new Float32Array([1.5, -2, 4]) },
    n: { dtype: 'I64', shape: [1], data: new BigInt64Array([-5n]) },
  });
  const pool = new Uint8Array(file.length + 3).fill(0xee);
  pool.set(file, 1);
  const { tensors } = decodeSafetensors(Buffer.from(pool.buffer, 1, file.length), 'x');
  assert.deepEqual(Array.from(tensors.w.data as Float32Array), [1.5, -2, 4]);
  assert.deepEqual(Array.from(tensors.n.data as BigInt64Array), [-5n]);
});

test('safetensors: reads the PyTorch encoder fixture', () => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES_DIR, 'encoder-small.safetensors')));
  const { tensors, metadata } = decodeSafetensors(bytes, 'encoder-small.safetensors');
  assert.equal(metadata.generator, 'make_encoder_fixture.py');
  const shapes: Record<string, number[]> = {
    x: [4, 1, 96, 64],
    y: [4],
    'param.blocks.0.conv_t.weight': [2, 1, 3, 1],
    'param.blocks.0.conv_f.weight': [2, 2, 1, 3],
    'param.blocks.5.conv_f.weight': [64, 64, 1, 3],
    'param.head.weight': [10, 64],
    'grad.head.bias': [10],
    'train.logits': [4, 10],
    'train.loss': [1],
  };
  for (const [name, shape] of Object.entries(shapes)) assert.deepEqual(tensors[name].shape, shape, name);
  const loss = tensors['train.loss'];
  const logits = tensors['train.logits'];
  const y = tensors.y;
  assert.equal(loss.dtype, 'F32');
  assert.equal(logits.dtype, 'F32');
  assert.equal(y.dtype, 'I64');
  const l = loss.data[0];
  assert.ok(Number.isFinite(l) && l > 0, `loss ${l}`);
  // The stored loss is the mean cross-entropy of the stored logits: recompute it in float64.
  let ce = 0;
  for (let i = 0; i < 4; i++) {
    const row = Array.from(logits.data.subarray(i * 10, i * 10 + 10));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
    const label = Number(y.data[i]);
    assert.ok(label >= 0 && label < 10);
    ce += lse - row[label];
  }
  assert.ok(Math.abs(ce / 4 - l) < 1e-5 * l, `recomputed ${ce / 4} vs stored ${l}`);
});

test('safetensors: hostile headers fail with BAD_MODEL naming the reason', () => {
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const data = f32Bytes([1, 2]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['too short', new Uint8Array(5), /too short/],
    [
      'length beyond file',
      (() => {
        const f = rawFile({ w: ok }, data);
        new DataView(f.buffer).setBigUint64(0, 1n << 40n, true);
        return f;
      })(),
      /header length/,
    ],
    [
      'length 2^64-1',
      (() => {
        const f = rawFile({ w: ok }, data);
        new DataView(f.buffer).setBigUint64(0, (1n << 64n) - 1n, true);
        return f;
      })(),
      /header length/,
    ],
    ['not an object', rawFile('[1, 2]'), /start with '\{'/],
    ['bad JSON', rawFile('{"w": '), /not valid JSON/],
    [
      'bad UTF-8',
      (() => {
        const f = rawFile('{"w\u00e9": 1}');
        f[12] = 0xff;
        return f;
      })(),
      /UTF-8/,
    ],
    ['metadata not strings', rawFile({ __metadata__: { a: 1 } }), /"__metadata__" entry "a"/],
    ['entry not object', rawFile({ w: 3 }), /tensor "w": entry is not an object/],
    ['unknown dtype', rawFile({ w: { ...ok, dtype: 'F33' } }, data), /tensor "w": unknown dtype/],
    ['negative dim', rawFile({ w: { ...ok, shape: [-2] } }, data), /tensor "w": shape/],
    ['fractional dim', rawFile({ w: { ...ok, shape: [2.5] } }, data), /tensor "w": shape/],
    [
      'overflowing shape',
      rawFile({ w: { ...ok, shape: [2 ** 30, 2 ** 30, 2 ** 30] } }, data),
      /too many elements/,
    ],
    [
      'missing offsets',
      rawFile({ w: { dtype: 'F32', shape: [2] } }, data),
      /tensor "w": entry has the wrong fields/,
    ],
    ['offsets reversed', rawFile({ w: { ...ok, data_offsets: [8, 0] } }, data), /outside the data buffer/],
    ['offsets past end', rawFile({ w: { ...ok, data_offsets: [0, 16] } }, data), /outside the data buffer/],
    [
      'size mismatch',
      rawFile({ w: { ...ok, shape: [3] } }, data),
      /tensor "w": data_offsets span the wrong number/,
    ],
    [
      'overlap',
      rawFile({ w: ok, v: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data),
      /overlaps tensor "w"/,
    ],
    [
      'gap',
      rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data),
      /tensor "w": data_offsets leaves a gap/,
    ],
    ['trailing bytes', rawFile({ w: ok }, new Uint8Array(12)), /bytes no tensor refers to/],
    // JSON.parse copes with deep nesting; describing the value in the message must not recurse.
    [
      'deeply nested shape',
      rawFile(
        `{"w":{"dtype":"F32","shape":${'['.repeat(200_000)}${']'.repeat(200_000)},"data_offsets":[0,8]}}`,
        data,
      ),
      /tensor "w": shape is not a list of non-negative integers.*got an array of 1 items/,
    ],
    [
      'deeply nested dtype',
      rawFile(
        `{"w":{"dtype":${'['.repeat(200_000)}${']'.repeat(200_000)},"shape":[2],"data_offsets":[0,8]}}`,
        data,
      ),
      /tensor "w": unknown dtype/,
    ],
    [
      'name with control characters',
      rawFile({ ['\u001b[2Jw'.repeat(40)]: { ...ok, dtype: 'X' } }, data),
      /tensor "\\u001b\[2Jw.*…": unknown dtype/,
    ],
  ];
  for (const [label, bytes, pattern] of cases) {
    try {
      expectBadModel(bytes, pattern);
    } catch (e) {
      assert.fail(`case "${label}": ${(e as Error).message}`);
    }
  }
});

test('safetensors fuzz: 3,000 seeded mutations give a valid decode or a BAD_MODEL error, nothing else', () => {
  const valid = encodeSafetensors(
    {
      a: { dtype: 'F32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      b: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n]) },
      c: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      d: { dtype: 'F16', shape: [0], data: new Uint16Array(0) },
    },
    { note: 'fuzz' },
  );
  const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
  const headerText = Buffer.from(valid.subarray(8, headerEnd)).toString('utf8');
  const rng = new Rng(20240611);
  const pieces = [
    '0',
    '1',
    '-1',
    '1e309',
    '9007199254740993',
    '""',
    '[]',
    '{}',
    'null',
    '"F32"',
    ',',
    '[',
    '}',
    '"',
  ];

  const mutate = (): Uint8Array => {
    const kind = rng.int(5);
    if (kind === 0) {
      const f = valid.slice();
      for (let k = 1 + rng.int(4); k > 0; k--) f[rng.int(f.length)] ^= 1 << rng.int(8);
      return f;
    }
    if (kind === 1) return valid.slice(0, rng.int(valid.length));
    if (kind === 2) {
      const f = valid.slice();
      new DataView(f.buffer).setBigUint64(
        0,
        BigInt(rng.int(2 * headerEnd)) ** BigInt(1 + rng.int(3)) % (1n << 64n),
        true,
      );
      return f;
    }
    let text = headerText;
    if (kind === 3) {
      // Syntax damage: replace short runs of characters with JSON-ish pieces.
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const at = rng.int(text.length);
        text = text.slice(0, at) + pieces[rng.int(pieces.length)] + text.slice(at + rng.int(4));
      }
    } else {
      // Well-formed JSON with wrong numbers: shapes and offsets that overlap, leave gaps or overflow.
      const numbers = [...text.matchAll(/\d+/g)];
      const m = numbers[rng.int(numbers.length)];
      const delta = [-8, -4, -1, 1, 4, 8, 2 ** 40][rng.int(7)];
      text = text.slice(0, m.index) + String(Number(m[0]) + delta) + text.slice(m.index! + m[0].length);
    }
    return rawFile(text, valid.subarray(headerEnd), rng.int(2) === 0);
  };

  let decodedOk = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes = mutate();
    try {
      const { tensors } = decodeSafetensors(bytes, 'fuzz.safetensors');
      decodedOk++;
      for (const t of Object.values(tensors)) {
        assert.equal(
          t.data.length,
          t.shape.reduce((a, b) => a * b, 1),
        );
      }
    } catch (e) {
      if (!(e instanceof MtaError) || e.code !== 'BAD_MODEL' || e.subject !== 'fuzz.safetensors') {
        assert.fail(`mutation ${i} threw ${String(e)}`);
      }
    }
  }
  // Data-only bit flips leave the file valid, so some mutations must decode.
  assert.ok(decodedOk > 0);
});
