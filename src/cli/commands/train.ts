import type { Command } from 'commander';
import {
  BASELINES,
  DEFAULT_TRAIN_OPTIONS as D,
  parseTrainOptions,
  runTraining,
  summaryTable,
} from '../../train/index.js';
import { integerFlag, listFlag, numberFlag, weightsFlag } from '../flags.js';

const HELP_AFTER = `
The model: a shared encoder (6 blocks, channels 8…256 × --width) plus, per task, an adapter column whose
width per block is learned under a cost budget: loss = Σ_t w_t·CE_t + λ·surrogate, where λ = --lambda / S0
(S0 = the cost surrogate of the unpruned model at initialisation, so --lambda between about 1 and 10 spans
the useful range). --cost macs favours channels in late, low-resolution blocks; --cost params in early ones.

Training runs a search phase (λ > 0, dead channels pruned every --prune-every steps), then a fine-tune phase
(λ = 0, structure frozen, early stopping on the validation mean clip accuracy). A checkpoint is written
atomically after every epoch; --resume continues a stopped run with the same result.

Baselines: multihead (shared encoder + heads; vary --width to trace its cost curve), single (one full model
per task), uniform (adapters of fixed width --adapter-width, no gates, λ = 0).

Outputs in --out: model.safetensors (or model-<task>.safetensors for --baseline single), metrics.json
(per-task patch and clip accuracy, exact params and MACs total / shared / per task / per layer, the
allocation per task and block), checkpoint.safetensors, best.safetensors.

Examples:
  mta train --suite builtin --out runs/adapters --lambda 4 --cost macs
  mta train --suite suites/real.json --out runs/real-mh --baseline multihead --width 0.5`;

interface Flags {
  suite: string;
  out: string;
  lambda?: number;
  cost?: string;
  baseline?: string;
  seed?: number;
  threads?: number;
  width?: number;
  adapterWidth?: number;
  batchSize?: number;
  lr?: number;
  searchEpochs?: number;
  finetuneEpochs?: number;
  patience?: number;
  pruneEvery?: number;
  threshold?: number;
  taskWeights?: Record<string, number>;
  tasks?: string[];
  clipsPerTask?: number;
  cacheDir?: string;
  freezeEncoder?: string;
  resume?: boolean;
  progress: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'Train a multi-task adapter model (or a baseline) on a suite; write the model and metrics.json.',
    )
    .requiredOption('--suite <suite>', 'suite JSON file, or "builtin" for the built-in procedural suite')
    .requiredOption('--out <dir>', 'output folder')
    .option('--lambda <x>', `relative cost weight λ_rel ≥ 0 (default ${D.lambda})`, numberFlag('--lambda'))
    .option('--cost <measure>', `cost measure: params or macs (default ${D.cost})`)
    .option('--baseline <kind>', `train a baseline instead: ${BASELINES.join(', ')}`)
    .option('--seed <n>', `random seed (default ${D.seed})`, integerFlag('--seed'))
    .option('--threads <n>', `worker threads (default ${D.threads}: the cores)`, integerFlag('--threads'))
    .option('--width <x>', `encoder width multiplier (default ${D.width})`, numberFlag('--width'))
    .option(
      '--adapter-width <x>',
      `adapter maximum width relative to the encoder (default ${D.adapterWidth})`,
      numberFlag('--adapter-width'),
    )
    .option(
      '--batch-size <n>',
      `examples per task per step (default ${D.batchSize})`,
      integerFlag('--batch-size'),
    )
    .option('--lr <x>', `Adam learning rate (default ${D.lr})`, numberFlag('--lr'))
    .option(
      '--search-epochs <n>',
      `epochs of the search phase (default ${D.searchEpochs})`,
      integerFlag('--search-epochs'),
    )
    .option(
      '--finetune-epochs <n>',
      `maximum epochs of the fine-tune phase (default ${D.finetuneEpochs})`,
      integerFlag('--finetune-epochs'),
    )
    .option(
      '--patience <n>',
      `early-stopping patience in epochs (default ${D.patience})`,
      integerFlag('--patience'),
    )
    .option(
      '--prune-every <n>',
      `steps between prunes in the search phase (default ${D.pruneEvery})`,
      integerFlag('--prune-every'),
    )
    .option(
      '--threshold <x>',
      `a channel is alive while |γ| > threshold (default ${D.threshold})`,
      numberFlag('--threshold'),
    )
    .option(
      '--task-weights <list>',
      'loss weight per task, e.g. keyword=2,pitch=0.5 (default 1)',
      weightsFlag('--task-weights'),
    )
    .option('--tasks <list>', 'train only these tasks of the suite (comma-separated)', listFlag('--tasks'))
    .option('--clips-per-task <n>', 'built-in suite only: clips per task', integerFlag('--clips-per-task'))
    .option('--cache-dir <dir>', 'feature cache folder (default .cache/mta)')
    .option('--freeze-encoder <model>', 'load the encoder of this model file and keep it frozen')
    .option('--resume', 'continue the run checkpointed in --out')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', HELP_AFTER)
    .action(async (f: Flags) => {
      const options = parseTrainOptions({
        lambda: f.lambda,
        cost: f.cost,
        baseline: f.baseline,
        seed: f.seed,
        threads: f.threads,
        width: f.width,
        adapterWidth: f.adapterWidth,
        batchSize: f.batchSize,
        lr: f.lr,
        searchEpochs: f.searchEpochs,
        finetuneEpochs: f.finetuneEpochs,
        patience: f.patience,
        pruneEvery: f.pruneEvery,
        threshold: f.threshold,
        taskWeights: f.taskWeights,
        freezeEncoder: f.freezeEncoder,
        resume: f.resume ?? false,
      });
      const out = await runTraining({
        suite: f.suite,
        out: f.out,
        options,
        cacheDir: f.cacheDir,
        clipsPerTask: f.clipsPerTask,
        tasks: f.tasks,
        progress: f.progress,
      });
      process.stdout.write(`${summaryTable(out.metrics)}\n`);
      process.stdout.write(`wrote ${[...out.modelFiles, `${f.out}/metrics.json`].join(', ')}\n`);
    });
}
