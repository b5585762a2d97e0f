import type { Rng } from '../common/index.js';

/**
 * Parameter initialisers. Each fills the values in place from the parameter's own random stream
 * (Rng.derive(engine seed, parameter name)), so a parameter's initial values depend only on the seed
 * and its name, not on the order in which a model creates its layers.
 */
export type Init = (values: Float32Array, rng: Rng) => void;

export const zeros: Init = (v) => void v.fill(0);
export const ones: Init = (v) => void v.fill(1);

export function constant(c: number): Init {
  return (v) => void v.fill(c);
}

export function uniform(lo: number, hi: number): Init {
  return (v, rng) => {
    for (let i = 0; i < v.length; i++) v[i] = rng.uniform(lo, hi);
  };
}

export function normal(std: number): Init {
  return (v, rng) => {
    for (let i = 0; i < v.length; i++) v[i] = std * rng.normal();
  };
}

/** He et al. 2015 normal initialisation for ReLU networks: std = sqrt(2 / fanIn). */
export function heNormal(fanIn: number): Init {
  return normal(Math.sqrt(2 / fanIn));
}

/** Glorot & Bengio 2010 uniform initialisation: limit = sqrt(6 / (fanIn + fanOut)). */
export function glorotUniform(fanIn: number, fanOut: number): Init {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(-limit, limit);
}

/** Copies given values (e.g. loaded from a file); the length must match the parameter. */
export function values(src: ArrayLike<number>): Init {
  return (v) => {
    if (src.length !== v.length) throw new RangeError(`init values: expected ${v.length}, got ${src.length}`);
    v.set(src);
  };
}
