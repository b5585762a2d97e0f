import type { Command } from 'commander';
import { writeFileAtomic } from '../../common/index.js';
import {
  decodeModelFile,
  encodeOnnx,
  onnxOutputNames,
  ONNX_INPUT,
  ONNX_OPSET,
  type ModelFile,
} from '../../io/index.js';
import { readModelBytes } from '../../runtime/index.js';

const HELP_AFTER = `
The ONNX graph (opset ${ONNX_OPSET}) has one input and two outputs per task:
  ${ONNX_INPUT}        float32 [N, 1, frames, bands]: N log-mel patches in NCHW layout (H = 96 time
                frames, W = 64 mel bands for the default front end), exactly the patches that
                \`mta logmel\` and the runtime compute (16 kHz, 25 ms / 10 ms STFT, log(mel + 0.001))
  <task>        float32 [N, classes]: class probabilities (softmax) of each patch; a clip's
                prediction is the mean over its patches
  <task>/logits float32 [N, classes]: the logits before the softmax
Batch norm is folded into the convolutions. The class names, the front-end parameters and the exact
params and MACs are in the model's metadata_props (keys mta.tasks, mta.frontend, mta.cost, mta.info).

--per-task writes one graph per task (encoder + that task's adapter and head) instead: <file>
without its .onnx extension is a prefix, and task t goes to <prefix>.<t>.onnx.

Examples:
  mta export runs/a/model.safetensors --onnx runs/a/model.onnx
  mta export runs/a/model.safetensors --onnx runs/a/model.onnx --per-task   # model.<task>.onnx`;

export async function readModelFile(path: string): Promise<ModelFile> {
  return decodeModelFile(await readModelBytes(path), path);
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export a model to ONNX: one graph with one output per task (or one graph per task).')
    .argument('<model>', 'model file written by `mta train` (model.safetensors)')
    .requiredOption('--onnx <file>', 'ONNX file to write (with --per-task: the prefix of one file per task)')
    .option('--per-task', 'write one graph per task, to <file without .onnx>.<task>.onnx')
    .addHelpText('after', HELP_AFTER)
    .action(async (modelPath: string, o: { onnx: string; perTask?: boolean }) => {
      const m = await readModelFile(modelPath);
      const written: { file: string; tasks: string[]; bytes: number }[] = [];
      const write = (file: string, tasks: string[]): void => {
        const bytes = encodeOnnx(m, { tasks });
        writeFileAtomic(file, bytes);
        written.push({ file, tasks, bytes: bytes.length });
      };
      const names = m.model.tasks.map((t) => t.name);
      if (o.perTask) {
        const prefix = o.onnx.replace(/\.onnx$/i, '');
        for (const name of names) write(`${prefix}.${name}.onnx`, [name]);
      } else {
        write(o.onnx, names);
      }
      for (const w of written) {
        const outputs = w.tasks.map((t) => `${onnxOutputNames(t).probabilities} [N, ${classCount(m, t)}]`);
        process.stdout.write(
          `${w.file}: ${(w.bytes / 1024).toFixed(1)} KiB, input ${ONNX_INPUT} [N, 1, ${m.model.inputFrames}, ` +
            `${m.model.inputBands}], outputs ${outputs.join(', ')} (+ <task>/logits)\n`,
        );
      }
    });
}

function classCount(m: ModelFile, task: string): number {
  return m.model.tasks.find((t) => t.name === task)!.classes.length;
}
