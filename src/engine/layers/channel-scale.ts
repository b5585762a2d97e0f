import { MtaError } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { ones, type Init } from '../init.js';
import { expectShape, type Tensor } from '../tensor.js';
import { accumulate, savedState, type Layer, type Mode } from './layer.js';

/**
 * Per-channel learned scale: y[..., c] = x[..., c] · s[c], s [C]. This is the adapters' gate; its
 * gradient Σ dy·x (in `scale.grad()`) is what the cost regulariser and pruning read.
 * Kernels: channel_scale, channel_dot; reference: reference/elementwise.ts.
 */
export class ChannelScale implements Layer {
  readonly scale: Parameter;
  private saved: { x: Tensor } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly channels: number,
    init: Init = ones,
  ) {
    this.scale = engine.param(`${name}.scale`, [channels], init);
  }

  params(): Parameter[] {
    return [this.scale];
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    if (x.shape[x.shape.length - 1] !== this.channels) {
      throw new MtaError('BAD_ARGUMENT', 'input channels do not match the layer', {
        subject: this.name,
        expected: `${this.channels} channels`,
        actual: `[${x.shape.join(', ')}]`,
      });
    }
    const y = this.engine.tensor(x.shape);
    this.engine.kernels.channel_scale(
      x.ptr,
      this.scale.valueTensor.ptr,
      y.ptr,
      x.size / this.channels,
      this.channels,
    );
    this.saved = { x };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { x } = savedState(this.saved, this.name);
    expectShape(dy, x.shape, `${this.name} output gradient`);
    const { engine, channels: C } = this;
    const M = x.size / C;
    const ws = engine.scratch64(C);
    engine.view64(ws, C).fill(0);
    engine.kernels.channel_dot(dy.ptr, x.ptr, M, C, ws);
    accumulate(this.scale.grad(), engine.view64(ws, C));
    engine.kernels.channel_scale(dy.ptr, this.scale.valueTensor.ptr, dy.ptr, M, C); // in place: consumes dy
    return dy;
  }
}
