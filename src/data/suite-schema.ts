/**
 * The suite file format (JSON), validated with zod. A suite declares tasks; a task takes clips from
 * one or more sources, assigns each clip a split (train / val / test) and a label. Paths inside a
 * suite file are relative to the file's own folder. `suites/*.json` are examples of every feature.
 *
 * Sizes and counts are bounded so a hostile suite file cannot drive a huge allocation.
 */
import { z } from 'zod';

const MAX_VARIANTS = 16;
const MAX_WINDOW_SECONDS = 600;

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);
const fraction = z.number().min(0).max(1);
const snrRange = z
  .tuple([z.number().min(-60).max(100), z.number().min(-60).max(100)])
  .refine(([lo, hi]) => lo <= hi, { message: 'must be [low, high] with low ≤ high' });

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];
const split = z.enum(SPLITS);

/** How clips get their split. Regexes and list entries match the path relative to the source root. */
const splitRule = z.discriminatedUnion('type', [
  z
    .object({
      /** The source says: a manifest's split column, the built-in plan, or list files of paths. */
      type: z.literal('explicit'),
      lists: z.object({ train: z.string(), val: z.string(), test: z.string() }).partial().strict().optional(),
      /** Split of clips that neither the source nor a list names; without it such a clip is an error. */
      default: split.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('regex'),
      train: regex.optional(),
      val: regex.optional(),
      test: regex.optional(),
      default: split.optional(),
    })
    .strict(),
  z
    .object({
      /** Deterministic hash of the clip's group: one group never spans two splits. */
      type: z.literal('hash'),
      train: fraction,
      val: fraction,
      test: fraction,
      salt: z.string().default(''),
    })
    .strict()
    .refine((r) => Math.abs(r.train + r.val + r.test - 1) < 1e-9, {
      message: 'train + val + test must sum to 1',
    }),
  z.object({ type: z.literal('fixed'), split }).strict(),
]);

/** Per-source waveform transforms, applied before the front end (part of the feature cache key). */
const transform = z
  .object({
    /**
     * Resample to this rate and back: band-limits every source of a task to the same bandwidth, so a
     * class cannot be recognised by its recording's sample rate.
     */
    resampleThroughHz: z.number().int().min(1000).max(192000).optional(),
    /** Cut each file into windows (e.g. long music tracks); a window is one clip, its group the file's. */
    window: z
      .object({
        seconds: z.number().positive().max(MAX_WINDOW_SECONDS),
        hopSeconds: z.number().positive().max(MAX_WINDOW_SECONDS).optional(),
        /** A trailing window shorter than this is dropped (default: the window length). */
        minSeconds: z.number().positive().max(MAX_WINDOW_SECONDS).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Options every file source shares. */
const common = {
  /** Overrides the task's split rule for this source. */
  split: splitRule.optional(),
  transform: transform.optional(),
  /** Every clip of this source gets this label (e.g. all ESC-10 noise clips are "noise"). */
  label: z.string().min(1).optional(),
  /** Keep only paths (relative to root) matching this. */
  include: regex.optional(),
  exclude: regex.optional(),
  /** A regex with a named group `group` (or capture 1) on the relative path: speaker, recording id. */
  groupRegex: regex.optional(),
  /**
   * Files with identical bytes join one group, so a recording stored under two names never spans
   * two splits (KTuberling reuses some recordings for several words). Reads every file once.
   */
  groupDuplicates: z.boolean().optional(),
};

const folders = z
  .object({
    /** Each immediate subfolder of root is a class; its files (any depth) are the clips. */
    type: z.literal('folders'),
    root: z.string().min(1),
    /** Applied to the folder name; named group `label` or capture 1 is the label. */
    labelRegex: regex.optional(),
    extensions: z.array(z.string().min(1)).optional(),
    ...common,
  })
  .strict();

const glob = z
  .object({
    type: z.literal('glob'),
    root: z.string().min(1),
    /** Glob relative to root: `*`, `?`, `**`, `[abc]`, `{a,b}`. */
    pattern: z.string().min(1),
    /** On the path relative to root: named group `label` (or capture 1), optional named group `group`. */
    labelRegex: regex.optional(),
    /** What to do with a file the label regex does not match. */
    unmatched: z.enum(['error', 'skip']).default('error'),
    ...common,
  })
  .strict();

const manifest = z
  .object({
    /** CSV (header row) or JSONL: columns path, label, optional split and group. */
    type: z.literal('manifest'),
    file: z.string().min(1),
    /** Folder the manifest's paths are relative to (default: the manifest's folder). */
    root: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const soundtheme = z
  .object({
    /**
     * KTuberling sound themes: `<lang>.soundtheme` XML files map a language-independent sound name to
     * that language's file. Label = language code, group = sound name (one word never spans splits).
     */
    type: z.literal('soundtheme'),
    root: z.string().min(1),
    themes: z.string().min(1).default('*.soundtheme'),
    ...common,
  })
  .strict();

const builtin = z
  .object({
    /** One task of the built-in procedural suite, generated on the fly (no files). */
    type: z.literal('builtin'),
    task: z.string().min(1),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    clipsPerTask: z.number().int().min(1).max(1_000_000).optional(),
    split: splitRule.optional(),
    label: z.string().min(1).optional(),
  })
  .strict();

export const fileSourceSchema = z.discriminatedUnion('type', [folders, glob, manifest, soundtheme, builtin]);

const mixture = z
  .object({
    /**
     * Each clip of `speech` mixed with a clip of `noise` from the same split at an SNR drawn
     * uniformly from `snrDb`. Label, group and split are the speech clip's; the noise clip's split
     * comes from `noise.split` (so test noise can come from recordings training never uses).
     * Mixtures are fixed: drawn from the suite seed and the clip id.
     */
    type: z.literal('mixture'),
    speech: fileSourceSchema,
    noise: fileSourceSchema,
    snrDb: snrRange,
    /** Mixtures last at least this long (speech placed at a random offset, noise under all of it). */
    minSeconds: z.number().positive().max(60).default(1),
    split: splitRule.optional(),
  })
  .strict();

export const sourceSchema = z.discriminatedUnion('type', [
  folders,
  glob,
  manifest,
  soundtheme,
  builtin,
  mixture,
]);

const augment = z
  .object({
    /** Random gain in dB, uniform in [low, high]. */
    gainDb: snrRange.optional(),
    /**
     * Where a training patch is cut from its clip: `offset` = any frame (time shift), `patch` = a
     * random one of the clip's patch grid, `cycle` = the grid in turn by epoch (no randomness).
     */
    crop: z.enum(['offset', 'patch', 'cycle']).default('cycle'),
    /** Background noise mixed into the waveform at cache-build time: `variants` fixed mixtures per clip. */
    noise: z
      .object({
        source: fileSourceSchema,
        snrDb: snrRange,
        variants: z.number().int().min(1).max(MAX_VARIANTS).default(4),
        probability: fraction.default(0.5),
      })
      .strict()
      .optional(),
    specAugment: z
      .object({
        timeMasks: z.number().int().min(0).max(16).default(2),
        maxTimeWidth: z.number().int().min(0).max(10000).default(16),
        freqMasks: z.number().int().min(0).max(16).default(2),
        maxFreqWidth: z.number().int().min(0).max(10000).default(8),
      })
      .strict()
      .optional(),
  })
  .strict();

const task = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, `_`, `.` and `-` only')
      .max(64),
    description: z.string().optional(),
    sources: z.array(sourceSchema).min(1),
    split: splitRule.optional(),
    /** The class list, in label-index order; default: the sorted labels found. */
    classes: z.array(z.string().min(1)).min(2).optional(),
    /** Renames source labels (e.g. Speech Commands "zero" → FSDD "0"), applied before `classes`. */
    labelMap: z.record(z.string(), z.string()).optional(),
    /** Clips whose label is not in `classes`: an error (default) or dropped (and counted). */
    otherLabels: z.enum(['error', 'drop']).default('error'),
    /** Loss weight per class, or `balanced` (inverse training frequency, mean 1). */
    classWeights: z.union([z.literal('balanced'), z.record(z.string(), z.number().positive())]).optional(),
    /** Evaluation only: every clip is a test clip and training never sees the task. */
    evalOnly: z.boolean().default(false),
    augment: augment.optional(),
  })
  .strict();

export const suiteSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    /** Seeds mixtures and noise augmentation; splits do not depend on it. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    tasks: z.array(task).min(1),
  })
  .strict();

export type SplitRule = z.infer<typeof splitRule>;
export type SourceTransform = z.infer<typeof transform>;
export type FileSourceDef = z.infer<typeof fileSourceSchema>;
export type MixtureSourceDef = z.infer<typeof mixture>;
export type SourceDef = z.infer<typeof sourceSchema>;
export type AugmentConfig = z.infer<typeof augment>;
export type NoiseAugmentConfig = NonNullable<AugmentConfig['noise']>;
export type SpecAugmentConfig = NonNullable<AugmentConfig['specAugment']>;
export type TaskDef = z.infer<typeof task>;
export type SuiteDef = z.infer<typeof suiteSchema>;
