import { MtaError } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { glorotUniform, zeros, type Init } from '../init.js';
import { expectShape, type Tensor } from '../tensor.js';
import type { ConvGeometry } from './conv-geometry.js';
import { convBackwardData, convBackwardParams, convForward, preActivationGrad } from './conv-calls.js';
import { savedState, type Layer, type Mode } from './layer.js';

/**
 * Fully connected layer: x [B, in] → y [B, out] = act(x·W + b), W [in, out]. It runs as a 1×1
 * convolution over B one-pixel images, so it shares the conv kernels (and their tests).
 */
export interface DenseOptions {
  bias?: boolean;
  activation?: 'none' | 'relu';
  /** Default Glorot uniform. */
  init?: Init;
}

export class Dense implements Layer {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly relu: boolean;
  private saved: { x: Tensor; y: Tensor; g: ConvGeometry } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: DenseOptions = {},
  ) {
    if (![inFeatures, outFeatures].every((n) => Number.isInteger(n) && n >= 1)) {
      throw new MtaError('BAD_CONFIG', 'dense sizes must be positive integers', {
        subject: name,
        actual: `${inFeatures} → ${outFeatures}`,
      });
    }
    this.relu = opts.activation === 'relu';
    this.weight = engine.param(
      `${name}.weight`,
      [inFeatures, outFeatures],
      opts.init ?? glorotUniform(inFeatures, outFeatures),
      { decay: true },
    );
    this.bias = (opts.bias ?? true) ? engine.param(`${name}.bias`, [outFeatures], zeros) : undefined;
  }

  params(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    expectShape(x, [-1, this.inFeatures], this.name);
    const g = this.geometry(x.shape[0]);
    const y = convForward(
      this.engine,
      x,
      this.weight.valueTensor,
      this.bias?.valueTensor,
      g,
      this.outFeatures,
      this.relu,
    );
    const out = y.reshape([g.B, this.outFeatures]);
    this.saved = { x, y: out, g };
    return out;
  }

  backward(dy: Tensor): Tensor {
    const { x, y, g } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    const dz = preActivationGrad(this.engine, y, dy, this.relu);
    convBackwardParams(this.engine, x, dz, this.weight.gradTensor, this.bias?.grad(), g, this.outFeatures);
    return convBackwardData(this.engine, dz, this.weight.valueTensor, g, this.outFeatures).reshape(x.shape);
  }

  private geometry(B: number): ConvGeometry {
    return { B, H: 1, W: 1, C: this.inFeatures, OH: 1, OW: 1, kh: 1, kw: 1, sh: 1, sw: 1, pt: 0, pl: 0 };
  }
}
