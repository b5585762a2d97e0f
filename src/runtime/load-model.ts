/**
 * loadModel: bytes, a file path (Node) or a URL (file: read in Node, anything else fetched) → a
 * ready Model. The file is validated completely (src/io/model-file.ts) before any weight is used.
 * Node modules are imported only when a path or file: URL is given, so the browser bundle needs none.
 *
 *   const model = await loadModel('runs/a/model.safetensors');
 *   const [smn] = await model.predict({ audio, sampleRate: 48000 }, { tasks: ['smn'], top: 1 });
 */
import { MtaError } from '../common/index.js';
import { createEngine } from '../engine/index.js';
import { decodeModelFile } from '../io/index.js';
import { DEFAULT_BATCH, RuntimeModel } from './model.js';
import type { Model } from './types.js';

/** Largest model file read (a default-size model is about 2 MB). */
export const MAX_MODEL_BYTES = 1 << 30;

export interface LoadModelOptions {
  /** The engine's compiled kernels (bytes or URL); default: build/kernels.wasm beside the package. */
  wasm?: Uint8Array | URL;
  /**
   * Without `wasm`: true requires the relaxed-SIMD kernels (fused multiply-add), false uses plain
   * SIMD; by default relaxed SIMD is used where the runtime supports it.
   */
  relaxedSimd?: boolean;
  /** Patches per forward pass (default 32). */
  batch?: number;
}

const isNode = (): boolean => typeof process !== 'undefined' && process.versions?.node !== undefined;

function tooLarge(subject: string, bytes: number): MtaError {
  return new MtaError('LIMIT_EXCEEDED', 'model file too large', {
    subject,
    expected: `at most ${MAX_MODEL_BYTES} bytes`,
    actual: `${bytes} bytes`,
  });
}

/** Reads a model file from disk (Node), capped at MAX_MODEL_BYTES, with errors that name the file. */
export async function readModelBytes(path: string | URL, subject = String(path)): Promise<Uint8Array> {
  const { readFile, stat } = await import('node:fs/promises');
  try {
    const st = await stat(path);
    if (st.isDirectory())
      throw new MtaError('FILE_UNREADABLE', 'is a directory, not a model file', { subject });
    if (st.size > MAX_MODEL_BYTES) throw tooLarge(subject, st.size);
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof MtaError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new MtaError('FILE_NOT_FOUND', 'no such model file', {
        subject,
        hint: 'models are written by `mta train --out <dir>` as <dir>/model.safetensors',
        cause: e,
      });
    }
    throw new MtaError('FILE_UNREADABLE', `cannot read the model file (${code ?? String(e)})`, {
      subject,
      cause: e,
    });
  }
}

async function fetchBytes(url: string | URL, subject: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new MtaError('FILE_UNREADABLE', 'cannot fetch the model file', { subject, cause: e });
  }
  if (!response.ok) {
    throw new MtaError('FILE_NOT_FOUND', 'cannot fetch the model file', {
      subject,
      actual: `HTTP ${response.status}`,
    });
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_MODEL_BYTES) throw tooLarge(subject, declared);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_MODEL_BYTES) throw tooLarge(subject, bytes.length);
  return bytes;
}

async function readSource(
  source: Uint8Array | string | URL,
): Promise<{ bytes: Uint8Array; subject: string }> {
  if (source instanceof Uint8Array) return { bytes: source, subject: 'model' };
  if (source instanceof URL) {
    const subject = source.href;
    const local = source.protocol === 'file:' && isNode();
    return {
      bytes: local ? await readModelBytes(source, subject) : await fetchBytes(source, subject),
      subject,
    };
  }
  if (typeof source === 'string') {
    return {
      bytes: isNode() ? await readModelBytes(source, source) : await fetchBytes(source, source),
      subject: source,
    };
  }
  throw new MtaError('BAD_ARGUMENT', 'a model source is bytes, a path or a URL', {
    subject: 'loadModel',
    actual: typeof source,
  });
}

export async function loadModel(
  source: Uint8Array | string | URL,
  opts: LoadModelOptions = {},
): Promise<Model> {
  const batch = opts.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
    throw new MtaError('BAD_ARGUMENT', 'batch must be an integer from 1 to 4096', {
      subject: 'batch',
      actual: String(batch),
    });
  }
  const { bytes, subject } = await readSource(source);
  const file = decodeModelFile(bytes, subject);
  const engine = await createEngine({ wasm: opts.wasm, relaxedSimd: opts.relaxedSimd });
  return new RuntimeModel(engine, file, subject, batch);
}
