import type { Command } from 'commander';
import { MtaError } from '../../common/index.js';
import { evalClips, openSuite, prepareFeatures, resolveSuite, SPLITS, type Split } from '../../data/index.js';
import { loadModel, type Model } from '../../runtime/index.js';
import { addFeatureOptions } from './suite-options.js';

const HELP_AFTER = `
The model's tasks are matched to the suite's by name (tasks in only one of them are skipped) and
classes by name. Features come from the feature cache, computed with the model's own front end.
Each clip of the split runs through the deployment runtime (src/runtime, batch norm folded): patch
accuracy counts every patch's top class, clip accuracy the top class of the mean of the clip's
patch probabilities. The confusion matrix has one row per true class and one column per predicted
class, in the model's class order.

Output: per task the accuracies and the confusion matrix; with --json one object
  { model, suite, split, tasks: [{ task, classes, clips, patches, clipAccuracy, patchAccuracy,
  confusion }] } (accuracies are fractions, null for a task with no clip in the split).

Examples:
  mta eval runs/a/model.safetensors --suite suites/esc10.json
  mta eval runs/b/model.safetensors --suite builtin --clips-per-task 100 --split val --json`;

interface EvalFlags {
  suite: string;
  split: Split;
  json?: boolean;
  cacheDir: string;
  workers?: number;
  seed?: number;
  clipsPerTask?: number;
}

export interface TaskEvaluation {
  task: string;
  classes: string[];
  clips: number;
  patches: number;
  clipAccuracy: number | null;
  patchAccuracy: number | null;
  confusion: number[][];
}

function parseSplit(v: string): Split {
  if (!(SPLITS as readonly string[]).includes(v)) {
    throw new MtaError('BAD_ARGUMENT', 'unknown split', {
      subject: '--split',
      expected: SPLITS.join(', '),
      actual: v,
    });
  }
  return v as Split;
}

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
  return best;
};

export function registerEval(program: Command): void {
  addFeatureOptions(
    program
      .command('eval')
      .description(
        'Per-task patch and clip accuracy and confusion matrix of a model on a split of a task suite.',
      )
      .argument('<model>', 'model file written by `mta train` (model.safetensors)')
      .requiredOption('--suite <suite>', 'a suite JSON file, or `builtin` for the built-in procedural suite')
      .option('--split <split>', `split to evaluate (${SPLITS.join(', ')})`, parseSplit, 'test' as Split)
      .option('--json', 'print the results as JSON'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (modelPath: string, o: EvalFlags) => {
      const model = await loadModel(modelPath);
      const suite = await resolveSuite(openSuite(o.suite, { seed: o.seed, clipsPerTask: o.clipsPerTask }));
      const tasks = suite.tasks.filter((t) => model.tasks.some((m) => m.name === t.name));
      if (tasks.length === 0) {
        throw new MtaError('BAD_ARGUMENT', 'no task of the model is in the suite', {
          subject: o.suite,
          expected: `a task named ${model.tasks.map((t) => t.name).join(' or ')}`,
          actual: suite.tasks.map((t) => t.name).join(', '),
        });
      }
      const skipped = model.tasks.filter((m) => !tasks.some((t) => t.name === m.name)).map((m) => m.name);
      if (skipped.length > 0 && !o.json) {
        process.stderr.write(`mta eval: not in the suite, skipped: ${skipped.join(', ')}\n`);
      }
      // Suite label index → model class index, by class name.
      const classMaps = tasks.map((t) => {
        const classes = model.tasks.find((m) => m.name === t.name)!.classes;
        return t.classes.map((c) => {
          const i = classes.indexOf(c);
          if (i < 0) {
            throw new MtaError('BAD_DATA', `the suite's class "${c}" is not a class of the model`, {
              subject: `${o.suite} task ${t.name}`,
              expected: `one of ${classes.join(', ')}`,
            });
          }
          return i;
        });
      });
      const store = await prepareFeatures(
        { ...suite, tasks },
        {
          frontend: model.frontend,
          cacheDir: o.cacheDir,
          workers: o.workers,
          splits: [o.split],
          progress: !o.json,
        },
      );
      try {
        const results = tasks.map((t, i) =>
          evaluateTask(model, t.name, classMaps[i], evalClips(store, t.name, o.split)),
        );
        process.stdout.write(
          o.json
            ? `${JSON.stringify({ model: modelPath, suite: o.suite, split: o.split, tasks: results }, null, 2)}\n`
            : results.map(formatTask).join('\n'),
        );
      } finally {
        store.close();
      }
    });
}

export function evaluateTask(
  model: Model,
  task: string,
  classMap: number[],
  clips: Iterable<{
    label: number;
    patches: { count: number; frames: number; bands: number; data: Float32Array };
  }>,
): TaskEvaluation {
  const classes = model.tasks.find((t) => t.name === task)!.classes;
  const confusion = classes.map(() => new Array<number>(classes.length).fill(0));
  let clipCount = 0;
  let clipsRight = 0;
  let patches = 0;
  let patchesRight = 0;
  for (const clip of clips) {
    const truth = classMap[clip.label];
    const preds = model.predictPatches(clip.patches, { tasks: [task], top: 1 });
    const mean = new Float64Array(classes.length);
    for (const [p] of preds) {
      if (p.top[0].index === truth) patchesRight++;
      for (let j = 0; j < mean.length; j++) mean[j] += p.probabilities[j];
    }
    patches += preds.length;
    const predicted = argmax(mean);
    confusion[truth][predicted]++;
    if (predicted === truth) clipsRight++;
    clipCount++;
  }
  return {
    task,
    classes,
    clips: clipCount,
    patches,
    clipAccuracy: clipCount ? clipsRight / clipCount : null,
    patchAccuracy: patches ? patchesRight / patches : null,
    confusion,
  };
}

function formatTask(r: TaskEvaluation): string {
  const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const head =
    `${r.task}: clip accuracy ${pct(r.clipAccuracy)} (${r.clips} clips), ` +
    `patch accuracy ${pct(r.patchAccuracy)} (${r.patches} patches)\n`;
  const labelWidth = Math.max(4, ...r.classes.map((c) => c.length));
  const cell = Math.max(3, ...r.confusion.flat().map((n) => String(n).length));
  const short = r.classes.map((_, j) => String(j).padStart(cell));
  const rows = r.confusion.map(
    (row, i) =>
      `  ${String(i).padStart(2)} ${r.classes[i].padEnd(labelWidth)} ${row.map((n) => String(n).padStart(cell)).join(' ')}`,
  );
  return `${head}  confusion (rows: true class, columns: predicted class #)\n  ${' '.repeat(3 + labelWidth)} ${short.join(' ')}\n${rows.join('\n')}\n`;
}
