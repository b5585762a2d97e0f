import type { Parameter } from '../engine.js';
import type { Tensor } from '../tensor.js';
import type { Layer, Mode } from './layer.js';

/** Layers applied in order; backward runs them in reverse. */
export class Sequential implements Layer {
  constructor(
    readonly name: string,
    readonly layers: readonly Layer[],
  ) {}

  params(): Parameter[] {
    return this.layers.flatMap((l) => l.params());
  }

  forward(x: Tensor, mode: Mode = 'eval'): Tensor {
    let y = x;
    for (const l of this.layers) y = l.forward(y, mode);
    return y;
  }

  backward(dy: Tensor): Tensor {
    let d = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i].backward(d);
    return d;
  }
}
