/**
 * Learning-rate schedules: pure functions from the optimizer step (0 for the first update) to a
 * learning rate. Being pure, a resumed run gets the same rates as an uninterrupted one.
 * Compose them: `withWarmup(cosineDecay({ peak: 1e-3, steps: 9000 }), 1000)` warms up for 1000
 * steps, then decays over the next 9000.
 */
import { MtaError } from '../common/index.js';

export type LrSchedule = (step: number) => number;

export function constantLr(lr: number): LrSchedule {
  checkRate('lr', lr);
  return () => lr;
}

/**
 * Half-cosine from `peak` at step 0 down to `floor` at step `steps`, then `floor`
 * (Loshchilov & Hutter's SGDR without restarts; PyTorch's CosineAnnealingLR closed form).
 */
export function cosineDecay(opts: { peak: number; steps: number; floor?: number }): LrSchedule {
  const { peak, steps, floor = 0 } = opts;
  checkRate('peak', peak);
  checkRate('floor', floor);
  checkSteps('steps', steps);
  return (step) => floor + (peak - floor) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps));
}

/** `peak`, multiplied by `factor` after every `every` steps. */
export function stepDecay(opts: { peak: number; every: number; factor: number }): LrSchedule {
  const { peak, every, factor } = opts;
  checkRate('peak', peak);
  checkSteps('every', every);
  if (!(factor > 0 && factor <= 1)) {
    throw new MtaError('BAD_CONFIG', 'step-decay factor must be in (0, 1]', {
      subject: 'schedule.factor',
      actual: String(factor),
    });
  }
  return (step) => peak * factor ** Math.floor(step / every);
}

/**
 * Linear warmup over `steps` steps to the rate `after` starts with, then `after` shifted to begin
 * where the warmup ends. Step t < steps gets after(0)·(t + 1)/steps, so the first update already
 * moves the weights and the last warmup step reaches the full rate.
 */
export function withWarmup(after: LrSchedule, steps: number): LrSchedule {
  checkSteps('warmup', steps);
  const target = after(0);
  return (step) => (step < steps ? (target * (step + 1)) / steps : after(step - steps));
}

function checkRate(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new MtaError('BAD_CONFIG', 'learning rate must be a finite non-negative number', {
      subject: `schedule.${name}`,
      actual: String(value),
    });
  }
}

function checkSteps(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new MtaError('BAD_CONFIG', 'step count must be a positive integer', {
      subject: `schedule.${name}`,
      actual: String(value),
    });
  }
}
