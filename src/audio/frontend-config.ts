/**
 * Log-mel front-end parameters. They are stored with every model so inference always uses the front
 * end the model was trained with; a config read from a file is untrusted, so every field is bounded.
 *
 * Units: samples at `sampleRate`, STFT frames (one per `hopSamples`), Hz.
 */
import { z } from 'zod';
import { MtaError } from '../common/index.js';
import { melFilterbank } from './mel.js';

export interface FrontendConfig {
  /** Input rate in Hz; audio is resampled to it before the front end. */
  sampleRate: number;
  /** STFT window length in samples (periodic Hann). */
  windowSamples: number;
  /** STFT hop in samples; one log-mel frame per hop. */
  hopSamples: number;
  /** FFT length (power of two, ≥ windowSamples); the window is zero-padded to it. */
  fftSize: number;
  melBands: number;
  melLowHz: number;
  melHighHz: number;
  /** Added before the natural log: log(mel + logOffset). */
  logOffset: number;
  /** Frames per model input patch. */
  patchFrames: number;
  /** Frames between consecutive patch starts (≤ patchFrames, so patches never skip frames). */
  patchHopFrames: number;
}

/**
 * DESIGN.md §1: 25 ms / 10 ms STFT, 64 HTK-mel bands 125–7500 Hz, 96-frame patches (0.96 s).
 * The patch hop of 48 frames (50 % overlap) is YAMNet's 0.48 s: every frame lands in two patches, so
 * clip-level averages do not depend on where an event falls relative to patch boundaries.
 */
export const DEFAULT_FRONTEND: Readonly<FrontendConfig> = Object.freeze({
  sampleRate: 16000,
  windowSamples: 400,
  hopSamples: 160,
  fftSize: 512,
  melBands: 64,
  melLowHz: 125,
  melHighHz: 7500,
  logOffset: 0.001,
  patchFrames: 96,
  patchHopFrames: 48,
});

// Upper bounds keep a hostile model or suite file from driving huge allocations.
const MAX_FFT_SIZE = 65536;
const MAX_PATCH_FRAMES = 10000;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const schema = z
  .object({
    sampleRate: int(1000, 768000),
    windowSamples: int(2, MAX_FFT_SIZE),
    hopSamples: int(1, MAX_FFT_SIZE),
    fftSize: int(4, MAX_FFT_SIZE).refine((n) => (n & (n - 1)) === 0, 'a power of two'),
    melBands: int(1, MAX_FFT_SIZE / 2),
    melLowHz: z.number().min(0),
    melHighHz: z.number().positive(),
    logOffset: z.number().positive().max(1e6),
    patchFrames: int(1, MAX_PATCH_FRAMES),
    patchHopFrames: int(1, MAX_PATCH_FRAMES),
  })
  .partial()
  .strict();

interface CrossCheck {
  field: keyof FrontendConfig;
  ok: (c: FrontendConfig) => boolean;
  expected: (c: FrontendConfig) => string;
}

const CROSS_CHECKS: CrossCheck[] = [
  {
    field: 'windowSamples',
    ok: (c) => c.windowSamples <= c.fftSize,
    expected: (c) => `≤ fftSize (${c.fftSize})`,
  },
  {
    field: 'hopSamples',
    ok: (c) => c.hopSamples <= c.windowSamples,
    expected: (c) => `≤ windowSamples (${c.windowSamples})`,
  },
  { field: 'melHighHz', ok: (c) => c.melHighHz > c.melLowHz, expected: (c) => `> melLowHz (${c.melLowHz})` },
  {
    field: 'melHighHz',
    ok: (c) => c.melHighHz <= c.sampleRate / 2,
    expected: (c) => `≤ Nyquist (${c.sampleRate / 2} Hz)`,
  },
  {
    field: 'patchHopFrames',
    ok: (c) => c.patchHopFrames <= c.patchFrames,
    expected: (c) => `≤ patchFrames (${c.patchFrames})`,
  },
];

/**
 * Configs this module returned. They are frozen, so they are still valid: parsing one again (as
 * every front-end entry point does with its argument) returns it at once.
 */
const validated = new WeakSet<object>([DEFAULT_FRONTEND]);

/**
 * Validates a front-end config (for example the `frontend` object of a model or suite file). Missing
 * fields take their DEFAULT_FRONTEND value; unknown fields are rejected as likely typos. Returns a
 * frozen config. Throws MtaError('BAD_CONFIG') whose subject is `<subject>.<field>`.
 */
export function parseFrontendConfig(x: unknown, subject = 'frontend'): FrontendConfig {
  if (typeof x === 'object' && x !== null && validated.has(x)) return x as FrontendConfig;
  const r = schema.safeParse(x);
  if (!r.success) {
    const issue = r.error.issues[0];
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = [...issue.path.map(String), ...keys].join('.');
    const known = field !== '' && isRecord(x) && field in x;
    throw new MtaError(
      'BAD_CONFIG',
      keys.length ? 'unknown front-end parameter' : field ? 'invalid front-end parameter' : 'not an object',
      {
        subject: field ? `${subject}.${field}` : subject,
        expected: expectedOf(issue),
        actual: known ? JSON.stringify(x[field]) : x === null ? 'null' : typeof x,
      },
    );
  }
  const cfg: FrontendConfig = { ...DEFAULT_FRONTEND, ...r.data };
  for (const check of CROSS_CHECKS) {
    if (!check.ok(cfg)) {
      throw new MtaError('BAD_CONFIG', 'inconsistent front-end parameters', {
        subject: `${subject}.${check.field}`,
        expected: check.expected(cfg),
        actual: String(cfg[check.field]),
      });
    }
  }
  const fb = melFilterbank({ ...cfg, lowHz: cfg.melLowHz, highHz: cfg.melHighHz });
  const empty = fb.binsPerBand.indexOf(0);
  if (empty >= 0) {
    throw new MtaError('BAD_CONFIG', `mel band ${empty} covers no FFT bin, so it would always be zero`, {
      subject: `${subject}.melBands`,
      expected: 'every band to cover at least one FFT bin',
      actual: String(cfg.melBands),
      hint: 'use fewer mel bands, a larger fftSize or a wider melLowHz–melHighHz range',
    });
  }
  Object.freeze(cfg);
  validated.add(cfg);
  return cfg;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `${issue.inclusive === false ? '>' : '≥'} ${issue.minimum}`;
    case 'too_big':
      return `${issue.inclusive === false ? '<' : '≤'} ${issue.maximum}`;
    case 'invalid_type':
      if (issue.expected === 'int') return 'an integer';
      return `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `one of ${Object.keys(DEFAULT_FRONTEND).join(', ')}`;
    default:
      return issue.message;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
