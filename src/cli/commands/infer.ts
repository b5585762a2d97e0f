import type { Command } from 'commander';
import { frameCount, loadAudio, patchStarts } from '../../audio/index.js';
import { MtaError, isMtaError } from '../../common/index.js';
import { loadModel, type Model, type TaskPrediction } from '../../runtime/index.js';
import { intOption } from './suite-options.js';

const HELP_AFTER = `
Each file is decoded, mixed to mono and resampled to the model's rate (16 kHz), cut into patches by
the model's front end (a patch of 96 frames every 48 frames, one more ending at the last frame; a
clip shorter than a patch gives one patch padded with silence), and every selected task's
prediction for the clip is the mean of its patches' class probabilities.

Output: per file, per task the top-k classes with probabilities. With --json one JSON object
  { model, files: [{ file, durationSec, patches, tasks: [{ task, top: [{ label, index,
  probability }], probabilities: { <class>: p } }] }] }.
A file that cannot be read is reported on stderr as "mta: error [CODE] <file>: <reason>"; the other
files are still listed, and the exit code is 2. An unknown task or a bad model file stops at once.

Examples:
  mta infer runs/a/model.safetensors ../shared/data/fsdd/recordings/7_jackson_32.wav
  mta infer model.safetensors clips/*.ogg --tasks smn,keyword --top 1 --json`;

interface InferFlags {
  json?: boolean;
  tasks?: string[];
  top: number;
}

interface FileResult {
  file: string;
  durationSec: number;
  patches: number;
  tasks: TaskPrediction[];
}

function parseTasks(v: string): string[] {
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new MtaError('BAD_ARGUMENT', 'no task named', { subject: '--tasks' });
  return names;
}

/** Fails early, before any audio is decoded, on a task the model does not have. */
export function checkTasks(model: Model, names: string[] | undefined): void {
  for (const name of names ?? []) {
    if (!model.tasks.some((t) => t.name === name)) {
      throw new MtaError('BAD_ARGUMENT', 'the model has no such task', {
        subject: name,
        expected: `one of ${model.tasks.map((t) => t.name).join(', ')}`,
        actual: name,
      });
    }
  }
}

export function registerInfer(program: Command): void {
  program
    .command('infer')
    .description('Run every task (or the chosen ones) of a model on audio files and print the top classes.')
    .argument('<model>', 'model file written by `mta train` (model.safetensors)')
    .argument('<audio...>', 'audio files (WAV, Ogg Vorbis, Ogg Opus, FLAC, MP3)')
    .option('--json', 'print one JSON object instead of text')
    .option('--tasks <a,b>', 'comma-separated tasks to run (default: all)', parseTasks)
    .option('--top <k>', 'classes to list per task', intOption('--top', 1, 1_000_000), 3)
    .addHelpText('after', HELP_AFTER)
    .action(async (modelPath: string, paths: string[], o: InferFlags) => {
      const model = await loadModel(modelPath);
      checkTasks(model, o.tasks);
      const rate = model.frontend.sampleRate;
      const results: FileResult[] = [];
      const errors: MtaError[] = [];
      for (const file of paths) {
        try {
          const audio = await loadAudio(file, { sampleRate: rate });
          const tasks = await model.predict({ audio, sampleRate: rate }, { tasks: o.tasks, top: o.top });
          const r = {
            file,
            durationSec: audio.length / rate,
            patches: patchCount(model, audio.length),
            tasks,
          };
          results.push(r);
          if (!o.json) process.stdout.write(formatResult(r));
        } catch (e) {
          if (!isMtaError(e)) throw e;
          errors.push(e);
        }
      }
      if (o.json) {
        const files = results.map((r) => toJson(model, r));
        process.stdout.write(`${JSON.stringify({ model: modelPath, files }, null, 2)}\n`);
      }
      if (errors.length === 1) throw errors[0];
      for (const e of errors) process.stderr.write(`mta: error [${e.code}] ${e.describe()}\n`);
      if (errors.length > 1) {
        throw new MtaError('BAD_AUDIO', `${errors.length} of ${paths.length} files could not be read`, {
          subject: 'mta infer',
        });
      }
    });
}

/** Patches the front end cuts from n samples (a clip shorter than a window is padded to one). */
function patchCount(model: Model, n: number): number {
  return patchStarts(Math.max(1, frameCount(n, model.frontend)), model.frontend).length;
}

function formatResult(r: FileResult): string {
  const width = Math.max(...r.tasks.map((t) => t.task.length));
  const lines = r.tasks.map(
    (t) =>
      `  ${t.task.padEnd(width)}  ` + t.top.map((c) => `${c.label} ${c.probability.toFixed(3)}`).join(', '),
  );
  const patches = `${r.patches} patch${r.patches === 1 ? '' : 'es'}`;
  return `${r.file} (${r.durationSec.toFixed(2)} s, ${patches})\n${lines.join('\n')}\n`;
}

function toJson(model: Model, r: FileResult) {
  return {
    ...r,
    tasks: r.tasks.map((t) => {
      const classes = model.tasks.find((x) => x.name === t.task)!.classes;
      return {
        task: t.task,
        top: t.top,
        probabilities: Object.fromEntries(Array.from(t.probabilities, (p, i) => [classes[i], p])),
      };
    }),
  };
}
