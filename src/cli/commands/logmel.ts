import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  DEFAULT_FRONTEND,
  LogMelExtractor,
  loadAudio,
  parseFrontendConfig,
  toPatches,
  type FrontendConfig,
  type LogMel,
} from '../../audio/index.js';
import { MtaError } from '../../common/index.js';

const HELP_AFTER = `
The audio is decoded, mixed to mono and resampled to the front end's rate (16 kHz by default), then
turned into a log-mel spectrogram: magnitude STFT with a periodic Hann window of 400 samples (25 ms),
hop 160 (10 ms), FFT 512, no padding; 64 triangular HTK-mel bands from 125 to 7500 Hz; log(mel + 0.001).
Patches are the model's inputs: 96 frames, every 48 frames, plus one patch ending at the last frame
if the hop leaves frames uncovered; a clip shorter than 96 frames is padded with silence frames.

--frontend takes a JSON object, inline or in a file; missing fields keep their defaults:
${defaultsTable()}

Output: the shape, patch count and min / max / mean / std of the log-mel values. With --json, one
JSON object: { file, sampleRate, samples, durationSec, frontend, frames, bands, patches,
min, max, mean, std, logmel } where logmel is the full matrix as an array of frames, each an array
of bands.

Examples:
  mta logmel ../shared/data/fsdd/recordings/0_george_0.wav
  mta logmel clip.ogg --json > clip.logmel.json
  mta logmel clip.wav --frontend '{"patchHopFrames": 96, "melBands": 40}'`;

function defaultsTable(): string {
  const fields = Object.entries(DEFAULT_FRONTEND).map(([k, v]) => `${k} ${v}`);
  const lines: string[] = [];
  for (let i = 0; i < fields.length; i += 5) lines.push(`  ${fields.slice(i, i + 5).join(', ')}`);
  return lines.join('\n');
}

/** Largest --frontend file read; a front-end config is a few hundred bytes. */
const MAX_CONFIG_BYTES = 64 * 1024;

interface Stats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export function registerLogmel(program: Command): void {
  program
    .command('logmel')
    .description('Compute the log-mel spectrogram of an audio file and print its shape and statistics.')
    .argument('<audio>', 'audio file (WAV, Ogg Vorbis, Ogg Opus, FLAC, MP3)')
    .option('--json', 'print the full matrix and its statistics as JSON')
    .option('--frontend <json|file>', 'front-end parameters as inline JSON or a JSON file (see below)')
    .addHelpText('after', HELP_AFTER)
    .action(async (path: string, opts: { json?: boolean; frontend?: string }) => {
      const cfg = opts.frontend === undefined ? DEFAULT_FRONTEND : await readFrontend(opts.frontend);
      const samples = await loadAudio(path, { sampleRate: cfg.sampleRate });
      const m = new LogMelExtractor(cfg).compute(samples);
      const patches = toPatches(m, cfg);
      const s = stats(m);
      const durationSec = samples.length / cfg.sampleRate;
      if (opts.json) {
        const rows = Array.from({ length: m.frames }, (_, t) =>
          Array.from(m.data.subarray(t * m.bands, (t + 1) * m.bands)),
        );
        const out = {
          file: path,
          sampleRate: cfg.sampleRate,
          samples: samples.length,
          durationSec,
          frontend: cfg,
          frames: m.frames,
          bands: m.bands,
          patches: patches.count,
          ...s,
          logmel: rows,
        };
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const f = (x: number) => x.toFixed(4);
      process.stdout.write(
        `${path}: ${durationSec.toFixed(3)} s, ${samples.length} samples at ${cfg.sampleRate} Hz\n` +
          `log-mel: ${m.frames} frames × ${m.bands} bands (window ${cfg.windowSamples}, hop ${cfg.hopSamples}, ` +
          `FFT ${cfg.fftSize}, ${cfg.melLowHz}–${cfg.melHighHz} Hz, log(mel + ${cfg.logOffset}))\n` +
          `patches: ${patches.count} × ${patches.frames} frames × ${patches.bands} bands ` +
          `(hop ${cfg.patchHopFrames} frames)\n` +
          (m.frames === 0
            ? `values: none (the clip is shorter than one ${cfg.windowSamples}-sample window)\n`
            : `values: min ${f(s.min)}  max ${f(s.max)}  mean ${f(s.mean)}  std ${f(s.std)}\n`),
      );
    });
}

async function readFrontend(arg: string): Promise<FrontendConfig> {
  const inline = arg.trimStart().startsWith('{');
  let text = arg;
  if (!inline) {
    let bytes: Buffer;
    try {
      bytes = await readFile(arg);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MtaError(
        code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        'cannot read front-end config',
        {
          subject: arg,
          hint: 'pass a JSON file or an inline JSON object',
          cause: e,
        },
      );
    }
    if (bytes.length > MAX_CONFIG_BYTES) {
      throw new MtaError('LIMIT_EXCEEDED', 'front-end config file is too large', {
        subject: arg,
        expected: `≤ ${MAX_CONFIG_BYTES} bytes`,
        actual: `${bytes.length} bytes`,
      });
    }
    text = bytes.toString('utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MtaError('BAD_CONFIG', `not valid JSON (${(e as Error).message})`, {
      subject: inline ? '--frontend' : arg,
    });
  }
  return parseFrontendConfig(json, '--frontend');
}

/** min / max / mean / population std of all values, accumulated in float64. */
function stats(m: LogMel): Stats {
  if (m.data.length === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of m.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / m.data.length;
  let sq = 0;
  for (const v of m.data) sq += (v - mean) * (v - mean);
  return { min, max, mean, std: Math.sqrt(sq / m.data.length) };
}
