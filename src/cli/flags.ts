import { MtaError } from '../common/index.js';

/** Commander option parsers: anything that is not the expected kind of value is a user error naming the flag. */
export function numberFlag(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) {
      throw new MtaError('BAD_ARGUMENT', 'must be a number', { subject: flag, actual: v });
    }
    return n;
  };
}

export function integerFlag(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
      throw new MtaError('BAD_ARGUMENT', 'must be an integer', { subject: flag, actual: v });
    }
    return n;
  };
}

/** `a,b,c` → ['a', 'b', 'c'] (empty items rejected). */
export function listFlag(flag: string): (v: string) => string[] {
  return (v) => {
    const items = v.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) {
      throw new MtaError('BAD_ARGUMENT', 'must be a comma-separated list without empty items', {
        subject: flag,
        actual: v,
      });
    }
    return items;
  };
}

/** `name=2,other=0.5` → { name: 2, other: 0.5 }. */
export function weightsFlag(flag: string): (v: string) => Record<string, number> {
  return (v) => {
    const out: Record<string, number> = {};
    for (const item of listFlag(flag)(v)) {
      const [name, w, ...rest] = item.split('=');
      const n = Number(w);
      if (!name || rest.length || w === undefined || !Number.isFinite(n) || n < 0) {
        throw new MtaError('BAD_ARGUMENT', 'expected task=weight pairs with non-negative weights', {
          subject: flag,
          actual: item,
        });
      }
      out[name] = n;
    }
    return out;
  };
}
