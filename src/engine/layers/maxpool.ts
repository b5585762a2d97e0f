import type { Engine, Parameter } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { convGeometry, pair } from './conv-geometry.js';
import { savedState, type Layer, type Mode } from './layer.js';

/**
 * Max-pooling over kh×kw windows, NHWC: x [B, H, W, C] → y [B, OH, OW, C] with OH = floor((H − kh)/sh) + 1
 * (windows never leave the input; stride defaults to the window). The gradient goes to the first
 * maximum of each window in scan order. Kernels: wasm/pool.ts; reference: reference/pool.ts.
 */
export class MaxPool2d implements Layer {
  readonly window: [number, number];
  readonly stride: [number, number];
  private saved: { x: Tensor; y: Tensor } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    window: number | readonly [number, number],
    stride: number | readonly [number, number] = window,
  ) {
    this.window = pair(window, `${name}.window`);
    this.stride = pair(stride, `${name}.stride`);
  }

  params(): Parameter[] {
    return [];
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    const g = convGeometry(x.shape, this.window, this.stride, 'valid', this.name);
    const y = this.engine.tensor([g.B, g.OH, g.OW, g.C]);
    this.engine.kernels.maxpool_forward(x.ptr, y.ptr, g.B, g.H, g.W, g.C, g.kh, g.kw, g.sh, g.sw, g.OH, g.OW);
    this.saved = { x, y };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { x, y } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    const g = convGeometry(x.shape, this.window, this.stride, 'valid', this.name);
    const dx = this.engine.tensor(x.shape);
    this.engine.kernels.maxpool_backward(
      x.ptr, y.ptr, dy.ptr, dx.ptr, g.B, g.H, g.W, g.C, g.kh, g.kw, g.sh, g.sw, g.OH, g.OW,
    ); // prettier-ignore
    return dx;
  }
}
