/**
 * The deployment issue's acceptance run on a model that `mta train` really trained (2 tasks of the
 * built-in suite, small encoder, a few epochs: about 10 s): `mta export --onnx`, then the clip-level
 * top class of every task on held-out test clips from `mta infer --json`, from onnxruntime-node on the
 * exported graph (our log-mel and patching, then the mean of the per-patch probabilities), and from
 * the browser runtime of `mta demo` in headless Chromium (the page's model, fed the same samples).
 * All three must agree wherever the top class leads the runner-up by more than numerical noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_FRONTEND, loadAudio, logMel, toPatches } from '../src/audio/index.js';
import { ONNX_INPUT } from '../src/io/index.js';
import { launchChromium, noChromium, startDemo } from './helpers/browser.js';
import { runCli } from './helpers/cli.js';
const TASKS = ['smn', 'bird'];
const CLIPS_PER_TASK = 200;
const TEST_CLIPS_PER_TASK = 8;
/** Runtimes differ by ~1e-5 in probability (kernel rounding); a lead below this may flip. */
const MARGIN = 1e-3;

/** Per file, per task: class probabilities of the clip. */
type ClipProbabilities = Record<string, number[]>[];

/** Runs `mta ...args`; its standard output, or a failure with its standard error. */
function mta(args: string[]): string {
  const r = runCli(args, { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `mta ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

interface Trained {
  dir: string;
  model: string;
  onnx: string;
  clips: string[];
  classes: Record<string, string[]>;
  /** What `mta infer --json` printed, as probabilities per clip and task. */
  infer: ClipProbabilities;
}

let trained: Promise<Trained> | undefined;

/** Trains, exports and runs `mta infer` once for both tests of this file. */
function trainOnce(): Promise<Trained> {
  trained ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mta-deploy-'));
    const common = ['--tasks', TASKS.join(','), '--clips-per-task', String(CLIPS_PER_TASK)];
    mta(['suite', 'generate', 'builtin', '--out', join(dir, 'suite'), ...common]);
    mta([
      'train', '--suite', 'builtin', ...common, '--width', '0.25', '--search-epochs', '4',
      '--finetune-epochs', '6', '--threads', '2', '--no-progress',
      '--out', join(dir, 'run'), '--cache-dir', join(dir, 'cache'),
    ]); // prettier-ignore
    const model = join(dir, 'run', 'model.safetensors');
    const onnx = join(dir, 'model.onnx');
    mta(['export', model, '--onnx', onnx]);
    // Held-out clips: the test split of the same generated suite the training read.
    const manifest = readFileSync(join(dir, 'suite', 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; task: string; split: string });
    const clips = TASKS.flatMap((task) =>
      manifest
        .filter((e) => e.task === task && e.split === 'test')
        .slice(0, TEST_CLIPS_PER_TASK)
        .map((e) => join(dir, 'suite', e.path)),
    );
    const report = JSON.parse(mta(['infer', model, ...clips, '--json'])) as {
      files: { tasks: { task: string; probabilities: Record<string, number> }[] }[];
    };
    const classes = Object.fromEntries(
      report.files[0].tasks.map((t) => [t.task, Object.keys(t.probabilities)]),
    );
    const infer = report.files.map((f) =>
      Object.fromEntries(f.tasks.map((t) => [t.task, Object.values(t.probabilities)])),
    );
    return { dir, model, onnx, clips, classes, infer };
  })();
  return trained;
}

const argmax = (v: number[]): number => v.indexOf(Math.max(...v));

/** Compares top classes where `reference` is decisive; returns how many (clip, task) pairs were. */
function assertSameTop(reference: ClipProbabilities, other: ClipProbabilities, who: string): number {
  let decisive = 0;
  reference.forEach((tasks, i) => {
    for (const [task, p] of Object.entries(tasks)) {
      const [first, second] = [...p].sort((a, b) => b - a);
      if (first - second <= MARGIN) continue;
      decisive++;
      assert.equal(argmax(other[i][task]), argmax(p), `${who}: top class of ${task} on clip ${i}`);
    }
  });
  return decisive;
}

test('a model trained by mta train: mta infer and onnxruntime-node on its ONNX export give the same top classes', async () => {
  const t = await trainOnce();
  const session = await ort.InferenceSession.create(readFileSync(t.onnx), { intraOpNumThreads: 1 });
  try {
    const viaOrt: ClipProbabilities = [];
    for (const clip of t.clips) {
      const p = toPatches(logMel(await loadAudio(clip)), DEFAULT_FRONTEND);
      const x = new ort.Tensor('float32', p.data, [p.count, 1, p.frames, p.bands]);
      const out = await session.run({ [ONNX_INPUT]: x });
      viaOrt.push(
        Object.fromEntries(
          TASKS.map((task) => {
            const probs = out[task].data as Float32Array;
            const k = t.classes[task].length;
            const mean = Array.from({ length: k }, (_, j) => {
              let s = 0;
              for (let n = 0; n < p.count; n++) s += probs[n * k + j];
              return s / p.count;
            });
            return [task, mean];
          }),
        ),
      );
    }
    const decisive = assertSameTop(t.infer, viaOrt, 'onnxruntime-node');
    // Most comparisons must count: a model whose outputs are all ties would make this test vacuous.
    assert.ok(decisive >= 0.75 * t.clips.length * TASKS.length, `only ${decisive} decisive predictions`);
  } finally {
    await session.release();
  }
});

test(
  'a model trained by mta train: the browser runtime of mta demo in Chromium gives the same top classes as mta infer',
  {
    skip: noChromium,
    timeout: 180_000,
  },
  async () => {
    const t = await trainOnce();
    const demo = await startDemo(['--model', t.model, '--port', '0']);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(demo.url);
      await page.waitForFunction(() => window.mtaDemo?.model !== undefined, null, { timeout: 30_000 });
      // The same samples Node decoded (16 kHz WAVs: no resampling on either side).
      const clips = await Promise.all(t.clips.map(async (c) => Array.from(await loadAudio(c))));
      const inBrowser: ClipProbabilities = await page.evaluate(async (clips) => {
        const out: Record<string, number[]>[] = [];
        for (const samples of clips) {
          const p = await window.mtaDemo.model!.predict({
            audio: Float32Array.from(samples),
            sampleRate: 16000,
          });
          out.push(Object.fromEntries(p.map((r) => [r.task, Array.from(r.probabilities)])));
        }
        return out;
      }, clips);
      const decisive = assertSameTop(t.infer, inBrowser, 'Chromium');
      assert.ok(decisive >= 0.75 * t.clips.length * TASKS.length, `only ${decisive} decisive predictions`);
    } finally {
      await browser.close();
      demo.child.kill();
    }
  },
);
