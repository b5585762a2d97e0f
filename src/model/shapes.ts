import { taskAdapterWidths, type ModelConfig } from './config.js';

/**
 * The name and shape of every tensor a model with this config holds (parameters and BN running
 * statistics), in the order the network creates them. Lets a model file be checked before any
 * engine memory is touched. Layouts: conv [kh, kw, cin, cout], dense [in, out] (NHWC engine).
 */
export function weightShapes(c: ModelConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const block = (p: string, cin: number, ct: number, cf: number, kt: number, kf: number): void => {
    out.set(`${p}.time.conv.weight`, [kt, 1, cin, ct]);
    for (const v of ['gamma', 'beta', 'running_mean', 'running_var']) out.set(`${p}.time.bn.${v}`, [ct]);
    out.set(`${p}.freq.conv.weight`, [1, kf, ct, cf]);
    for (const v of ['gamma', 'beta', 'running_mean', 'running_var']) out.set(`${p}.freq.bn.${v}`, [cf]);
  };
  c.blocks.forEach((b, l) => {
    const cin = l === 0 ? 1 : c.blocks[l - 1].encoderWidth;
    block(`encoder.${l}`, cin, b.encoderWidth, b.encoderWidth, b.timeKernel, b.freqKernel);
  });
  const encOut = c.blocks[c.blocks.length - 1].encoderWidth;
  c.tasks.forEach((task, t) => {
    let prev = 0;
    taskAdapterWidths(c, t).forEach((w, l) => {
      if (w.time === 0 || w.freq === 0) {
        prev = 0;
        return;
      }
      const encIn = l === 0 ? 1 : c.blocks[l - 1].encoderWidth;
      const b = c.blocks[l];
      block(`adapter.${task.name}.${l}`, encIn + prev, w.time, w.freq, b.timeKernel, b.freqKernel);
      prev = w.freq;
    });
    out.set(`head.${task.name}.weight`, [encOut + prev, task.classes.length]);
    out.set(`head.${task.name}.bias`, [task.classes.length]);
  });
  return out;
}
