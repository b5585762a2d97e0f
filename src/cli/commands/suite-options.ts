import { MtaError } from '../../common/index.js';

/** A commander option parser for an integer flag in [min, max]; anything else is a user error. */
export function intOption(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new MtaError('BAD_ARGUMENT', 'must be an integer', {
        subject: flag,
        expected: `${min}…${max}`,
        actual: v,
      });
    }
    return n;
  };
}
