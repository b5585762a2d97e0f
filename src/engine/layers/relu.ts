import type { Engine, Parameter } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { savedState, type Layer, type Mode } from './layer.js';

/** y = max(x, 0), any shape. The gradient at 0 is 0. Kernels: relu_forward / relu_backward. */
export class ReLU implements Layer {
  private saved: { y: Tensor } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
  ) {}

  params(): Parameter[] {
    return [];
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    const y = this.engine.tensor(x.shape);
    this.engine.kernels.relu_forward(x.ptr, y.ptr, x.size);
    this.saved = { y };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { y } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    this.engine.kernels.relu_backward(y.ptr, dy.ptr, dy.ptr, y.size); // in place: backward consumes dy
    return dy;
  }
}
