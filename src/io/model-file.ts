/**
 * The model file: one safetensors file whose `__metadata__["mta"]` holds the JSON config (front end,
 * architecture with the pruned widths, tasks and class names, exact costs, training summary) and whose
 * tensors are the model's weights (training layout: BN not folded; runtimes fold at load).
 *
 * Loading trusts nothing: the safetensors layer validates offsets and sizes; here the JSON is
 * size-capped and schema-checked, and every tensor's name, dtype and shape must match what the
 * architecture implies, before a single weight is used.
 *
 * @example
 *   writeFileAtomic('model.safetensors', encodeModelFile({ frontend, model, weights }));
 *   const m = decodeModelFile(readFileSync('model.safetensors'), 'model.safetensors');
 */
import { z } from 'zod';
import { MtaError } from '../common/index.js';
import { parseFrontendConfig, type FrontendConfig } from '../audio/index.js';
import {
  exactCost,
  parseModelConfig,
  weightShapes,
  type CostReport,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { SafeTensor } from './safetensors-dtypes.js';

export const MODEL_FORMAT = 'mta-model';
export const MODEL_FORMAT_VERSION = 1;
const META_KEY = 'mta';
const MAX_CONFIG_CHARS = 4 << 20;

export interface ModelFile {
  frontend: FrontendConfig;
  model: ModelConfig;
  weights: WeightMap;
  /** Exact params and MACs (recomputed from the architecture on load, never trusted from the file). */
  cost: CostReport;
  /** Free-form provenance: training options, metrics summary. */
  info: Record<string, unknown>;
}

const headerSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  frontend: z.unknown(),
  model: z.unknown(),
  cost: z.unknown().optional(),
  info: z.record(z.string(), z.unknown()).optional(),
});

export function encodeModelFile(m: Omit<ModelFile, 'cost'> & { cost?: CostReport }): Uint8Array {
  const shapes = weightShapes(m.model);
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, shape] of shapes) {
    const w = m.weights.get(name);
    if (!w || w.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new MtaError('BAD_ARGUMENT', `weights do not match the architecture at "${name}"`, {
        subject: 'model file',
        expected: `[${shape.join(', ')}]`,
        actual: w ? `[${w.shape.join(', ')}]` : 'missing',
      });
    }
    tensors[name] = { dtype: 'F32', shape, data: w.data };
  }
  const header = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    frontend: m.frontend,
    model: m.model,
    cost: m.cost ?? exactCost(m.model),
    info: m.info,
  };
  return encodeSafetensors(tensors, { [META_KEY]: JSON.stringify(header) });
}

export function decodeModelFile(bytes: Uint8Array, subject: string): ModelFile {
  const { tensors, metadata } = decodeSafetensors(bytes, subject);
  const raw = metadata?.[META_KEY];
  if (typeof raw !== 'string') {
    throw new MtaError('BAD_MODEL', 'not a multitask-adapters model (no "mta" metadata)', {
      subject,
      hint: 'model files are written by `mta train`',
    });
  }
  if (raw.length > MAX_CONFIG_CHARS) {
    throw new MtaError('BAD_MODEL', 'model config too large', {
      subject,
      expected: `at most ${MAX_CONFIG_CHARS} characters`,
      actual: `${raw.length}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new MtaError('BAD_MODEL', 'model config is not valid JSON', { subject, cause: e });
  }
  const h = headerSchema.safeParse(json);
  if (!h.success) {
    const issue = h.error.issues[0];
    throw new MtaError('BAD_MODEL', `model header field "${issue.path.join('.')}": ${issue.message}`, {
      subject,
      hint: `expected format "${MODEL_FORMAT}" version ${MODEL_FORMAT_VERSION}`,
    });
  }
  const frontend = parseFrontendConfig(h.data.frontend, `${subject} (frontend)`);
  const model = parseModelConfig(h.data.model, `${subject} (model)`);
  if (model.inputBands !== frontend.melBands || model.inputFrames !== frontend.patchFrames) {
    throw new MtaError('BAD_MODEL', 'the model input does not match its front end', {
      subject,
      expected: `${frontend.patchFrames} frames × ${frontend.melBands} bands`,
      actual: `${model.inputFrames} × ${model.inputBands}`,
    });
  }
  const shapes = weightShapes(model);
  const weights: WeightMap = new Map();
  for (const [name, shape] of shapes) {
    const t = tensors[name];
    if (!t) throw new MtaError('BAD_MODEL', `missing tensor "${name}"`, { subject });
    if (t.dtype !== 'F32') {
      throw new MtaError('BAD_MODEL', `tensor "${name}" has the wrong dtype`, {
        subject,
        expected: 'F32',
        actual: t.dtype,
      });
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new MtaError('BAD_MODEL', `tensor "${name}" has the wrong shape`, {
        subject,
        expected: `[${shape.join(', ')}]`,
        actual: `[${t.shape.join(', ')}]`,
      });
    }
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new MtaError('BAD_MODEL', `tensor "${name}" holds a non-finite value at index ${i}`, {
          subject,
        });
      }
    }
    weights.set(name, { shape: [...t.shape], data });
  }
  const extra = Object.keys(tensors).find((n) => !shapes.has(n));
  if (extra !== undefined) {
    throw new MtaError('BAD_MODEL', `unexpected tensor "${extra}"`, { subject });
  }
  return { frontend, model, weights, cost: exactCost(model), info: h.data.info ?? {} };
}
