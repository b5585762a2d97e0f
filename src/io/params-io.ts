/**
 * Parameters and optimizer state as safetensors bytes: one F32 tensor per parameter, named by the
 * parameter's name, with the parameter's shape. Loading checks that the file holds exactly the
 * model's parameters with the same shapes before it writes a single weight.
 *
 * @example
 *   writeFileAtomic('model.safetensors', saveParams(params, { width: '0.25' }));
 *   const metadata = loadParams(params, readFileSync('model.safetensors'), 'model.safetensors');
 */
import { MtaError } from '../common/index.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { SafeTensor } from './safetensors-dtypes.js';
import type { OptimizerState, Param } from '../engine/index.js';

export function saveParams(params: readonly Param[], metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {};
  for (const p of params) {
    if (Object.hasOwn(tensors, p.name)) {
      throw new MtaError('BAD_ARGUMENT', 'two parameters share a name', { subject: `param "${p.name}"` });
    }
    tensors[p.name] = { dtype: 'F32', shape: [...p.shape], data: p.value() };
  }
  return encodeSafetensors(tensors, metadata);
}

/** Copies the file's weights into `params` and returns the file's metadata. */
export function loadParams(
  params: readonly Param[],
  bytes: Uint8Array,
  subject: string,
): Record<string, string> {
  const { tensors, metadata } = decodeSafetensors(bytes, subject);
  const bad = (message: string, expected?: string, actual?: string): MtaError =>
    new MtaError('BAD_MODEL', message, {
      subject,
      expected,
      actual,
      hint: 'the file was saved from a model with a different configuration',
    });
  const sources = params.map((p) => {
    if (!Object.hasOwn(tensors, p.name)) throw bad(`param "${p.name}" is missing from the file`);
    const t = tensors[p.name];
    if (t.dtype !== 'F32') throw bad(`param "${p.name}" has the wrong dtype`, 'F32', t.dtype);
    if (!sameShape(t.shape, p.shape)) {
      throw bad(`param "${p.name}" has the wrong shape`, JSON.stringify(p.shape), JSON.stringify(t.shape));
    }
    return t.data;
  });
  const known = new Set(params.map((p) => p.name));
  const extra = Object.keys(tensors).filter((name) => !known.has(name));
  if (extra.length > 0) {
    throw bad(
      `the file holds tensors the model does not have: ${quoteSome(extra)}`,
      'none',
      `${extra.length}`,
    );
  }
  params.forEach((p, i) => p.value().set(sources[i]));
  return metadata;
}

const STEP_METADATA_KEY = 'optimizer.step';

/** Optimizer state as safetensors: its arrays as F32 tensors, its step count in the metadata. */
export function saveOptimizerState(state: OptimizerState, metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {};
  const numbers: Record<string, string> = {};
  for (const [key, value] of Object.entries(state)) {
    if (typeof value === 'number') numbers[`optimizer.${key}`] = String(value);
    else tensors[key] = { dtype: 'F32', shape: [value.length], data: value };
  }
  return encodeSafetensors(tensors, { ...metadata, ...numbers });
}

/** The inverse of saveOptimizerState; Optimizer.loadState checks that the state fits. */
export function loadOptimizerState(bytes: Uint8Array, subject: string): OptimizerState {
  const { tensors, metadata } = decodeSafetensors(bytes, subject);
  const state: OptimizerState = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.startsWith('optimizer.')) continue;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new MtaError('BAD_MODEL', `metadata "${key}" is not a number`, { subject, actual: value });
    }
    state[key.slice('optimizer.'.length)] = n;
  }
  if (!Object.hasOwn(metadata, STEP_METADATA_KEY)) {
    throw new MtaError('BAD_MODEL', 'optimizer state has no step count', {
      subject,
      expected: STEP_METADATA_KEY,
    });
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32')
      throw new MtaError('BAD_MODEL', `tensor "${name}" is not F32`, { subject, actual: t.dtype });
    state[name] = t.data;
  }
  return state;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function quoteSome(names: string[]): string {
  const shown = names.slice(0, 3).map((n) => `"${n}"`);
  return names.length > 3 ? `${shown.join(', ')} and ${names.length - 3} more` : shown.join(', ');
}
