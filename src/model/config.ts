/**
 * Architecture of a multi-task adapter model (DESIGN.md §1).
 *
 * Input: one log-mel patch, frames × bands (time × mel), 1 channel. Block l (1-based) of the shared
 * encoder: conv k_t×1 (time) → BN → ReLU → conv 1×k_f (frequency) → BN → ReLU → 2×2 max-pool
 * (not after the last block). Convs use "same" padding, so a block keeps its input's H×W until the pool.
 * Each task t has an adapter column with the same block shape; adapter block 1 reads the spectrogram,
 * adapter block l > 1 reads concat(encoder block l−1 output, adapter block l−1 output). The head of t
 * is a dense softmax layer on global-max-pooled concat(encoder output, adapter output).
 */
import { z } from 'zod';
import { MtaError } from '../common/index.js';

export interface BlockConfig {
  /** Output channels of both encoder convs of this block. */
  encoderWidth: number;
  /** Maximum (initial) output channels of each adapter conv of this block; 0 = no adapter here. */
  adapterWidth: number;
  /** k_t of the time conv (k_t × 1). */
  timeKernel: number;
  /** k_f of the frequency conv (1 × k_f). */
  freqKernel: number;
  /** 2×2 max-pool after the block. */
  pool: boolean;
}

/** Output channels of one adapter block's time conv and frequency conv. */
export interface AdapterWidth {
  time: number;
  freq: number;
}

export interface TaskConfig {
  name: string;
  classes: string[];
  /**
   * This task's adapter widths per block, once training has pruned them (a pruned model's columns
   * differ per task). Absent: every block at its `adapterWidth`.
   */
  adapter?: AdapterWidth[];
}

export interface ModelConfig {
  inputFrames: number;
  inputBands: number;
  blocks: BlockConfig[];
  tasks: TaskConfig[];
}

/** Channel widths of the reference encoder at width multiplier 1 (DESIGN.md §1). */
export const REFERENCE_WIDTHS: readonly number[] = [8, 16, 32, 64, 128, 256];

export interface ModelShapeOptions {
  tasks: TaskConfig[];
  /** Encoder width multiplier (0.25 gives 2, 4, 8, 16, 32, 64). */
  width?: number;
  /** Adapter maximum width as a multiple of the encoder block's width; 0 = multi-head (no adapters). */
  adapterWidth?: number;
  /** 0-based indices of the blocks that carry adapters (default: all). */
  adapterBlocks?: number[];
  baseWidths?: readonly number[];
  timeKernel?: number;
  freqKernel?: number;
  inputFrames?: number;
  inputBands?: number;
}

export function scaleWidth(base: number, multiplier: number): number {
  return Math.max(1, Math.round(base * multiplier));
}

export function buildModelConfig(o: ModelShapeOptions): ModelConfig {
  const base = o.baseWidths ?? REFERENCE_WIDTHS;
  const width = o.width ?? 1;
  const adapterMult = o.adapterWidth ?? 1;
  const blocks = base.map((b, l): BlockConfig => {
    const encoderWidth = scaleWidth(b, width);
    const carries = o.adapterBlocks ? o.adapterBlocks.includes(l) : true;
    return {
      encoderWidth,
      adapterWidth: carries && adapterMult > 0 ? scaleWidth(encoderWidth, adapterMult) : 0,
      timeKernel: o.timeKernel ?? 3,
      freqKernel: o.freqKernel ?? 3,
      pool: l < base.length - 1,
    };
  });
  return parseModelConfig({
    inputFrames: o.inputFrames ?? 96,
    inputBands: o.inputBands ?? 64,
    blocks,
    tasks: o.tasks,
  });
}

const positiveInt = z.number().int().positive();
const schema = z
  .object({
    inputFrames: positiveInt,
    inputBands: positiveInt,
    blocks: z
      .array(
        z.object({
          encoderWidth: positiveInt,
          adapterWidth: z.number().int().nonnegative(),
          timeKernel: positiveInt.refine((k) => k % 2 === 1, 'must be odd (same padding)'),
          freqKernel: positiveInt.refine((k) => k % 2 === 1, 'must be odd (same padding)'),
          pool: z.boolean(),
        }),
      )
      .min(1),
    tasks: z
      .array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
          classes: z.array(z.string().min(1)).min(2, 'a task needs at least 2 classes'),
          adapter: z
            .array(z.object({ time: z.number().int().nonnegative(), freq: z.number().int().nonnegative() }))
            .optional(),
        }),
      )
      .min(1),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.tasks.forEach((t, i) => {
      if (names.has(t.name))
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'name'], message: 'duplicate task' });
      names.add(t.name);
    });
    // The adapter column must reach the head, so the blocks carrying adapters are a contiguous suffix.
    const first = c.blocks.findIndex((b) => b.adapterWidth > 0);
    if (first >= 0) {
      c.blocks.forEach((b, i) => {
        if (i > first && b.adapterWidth === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['blocks', i, 'adapterWidth'],
            message: 'adapters must run from their first block to the last one',
          });
        }
      });
    }
    let h = c.inputFrames;
    let w = c.inputBands;
    c.blocks.forEach((b, i) => {
      if (b.pool) {
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
        if (h < 1 || w < 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['blocks', i, 'pool'],
            message: 'input too small for this many pools',
          });
        }
      }
    });
  });

/** Validates an untrusted config (e.g. from a model file); errors name the field. */
export function parseModelConfig(x: unknown, subject = 'model config'): ModelConfig {
  const r = schema.safeParse(x);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new MtaError('BAD_CONFIG', `${path.replace(/^\./, '') || '(root)'}: ${issue.message}`, { subject });
  }
  return r.data;
}

/** Spatial size (H = frames, W = bands) at which each block's convs run. */
export function blockGeometry(c: ModelConfig): { h: number; w: number }[] {
  const out: { h: number; w: number }[] = [];
  let h = c.inputFrames;
  let w = c.inputBands;
  for (const b of c.blocks) {
    out.push({ h, w });
    if (b.pool) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
  }
  return out;
}

/** The adapter widths task t actually has (pruned widths, or the blocks' maximum). */
export function taskAdapterWidths(c: ModelConfig, t: number): AdapterWidth[] {
  return c.tasks[t].adapter ?? c.blocks.map((b) => ({ time: b.adapterWidth, freq: b.adapterWidth }));
}
