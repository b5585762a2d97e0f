import { MtaError } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { savedState, type Layer, type Mode } from './layer.js';

/**
 * Global pooling over all positions: x [B, H, W, C] → y [B, C]. Max routes the gradient to the
 * first maximum; average spreads it evenly. Kernels: wasm/pool.ts; reference: reference/pool.ts.
 */
export class GlobalPool implements Layer {
  private saved: { x: Tensor; y: Tensor } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly kind: 'max' | 'avg',
  ) {}

  params(): Parameter[] {
    return [];
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    if (x.shape.length !== 4) {
      throw new MtaError('BAD_ARGUMENT', 'expected an NHWC tensor', {
        subject: this.name,
        actual: `[${x.shape.join(', ')}]`,
      });
    }
    const [B, H, W, C] = x.shape;
    const y = this.engine.tensor([B, C]);
    const k = this.engine.kernels;
    if (this.kind === 'max') k.global_maxpool_forward(x.ptr, y.ptr, B, H * W, C);
    else k.global_avgpool_forward(x.ptr, y.ptr, B, H * W, C);
    this.saved = { x, y };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { x, y } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    const [B, H, W, C] = x.shape;
    const dx = this.engine.tensor(x.shape);
    const k = this.engine.kernels;
    if (this.kind === 'max') k.global_maxpool_backward(x.ptr, y.ptr, dy.ptr, dx.ptr, B, H * W, C);
    else k.global_avgpool_backward(dy.ptr, dx.ptr, B, H * W, C);
    return dx;
  }
}

export class GlobalMaxPool extends GlobalPool {
  constructor(engine: Engine, name: string) {
    super(engine, name, 'max');
  }
}

export class GlobalAvgPool extends GlobalPool {
  constructor(engine: Engine, name: string) {
    super(engine, name, 'avg');
  }
}
