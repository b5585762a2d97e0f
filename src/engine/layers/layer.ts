import { MtaError } from '../../common/index.js';
import type { Parameter } from '../engine.js';
import type { Tensor } from '../tensor.js';

/**
 * 'train': batch statistics (BN, updating the running averages) and dropout on.
 * 'eval': running statistics, dropout off. Both keep what backward needs, so gradients can also flow
 * through a frozen (eval-mode) layer.
 */
export type Mode = 'train' | 'eval';

/**
 * A layer maps one tensor to one tensor. forward() keeps references to the tensors its backward
 * needs (scratch memory: backward must run before the scratch scope is reset). backward(dy) returns
 * the gradient with respect to the input and adds parameter gradients into Param.grad(), so gradients
 * of several backward passes accumulate until Engine.zeroGrads(). backward consumes dy: element-wise
 * layers write their result over it to save memory, so do not read dy afterwards. A layer remembers
 * only its latest forward: to apply one layer to several batches in a step, concatenate them along
 * the batch axis.
 */
export interface Layer {
  readonly name: string;
  forward(x: Tensor, mode?: Mode): Tensor;
  backward(dy: Tensor): Tensor;
  params(): Parameter[];
}

/** The state a forward pass saved for backward, or a clear error when there is none. */
export function savedState<T>(state: T | undefined, layer: string): T {
  if (state === undefined) {
    throw new MtaError('BAD_ARGUMENT', 'backward called before forward', { subject: layer });
  }
  return state;
}

/** Accumulates f64 sums (from a kernel workspace) into a gradient: grad[i] += scale · sums[offset + i]. */
export function accumulate(grad: Float32Array, sums: Float64Array, offset = 0, scale = 1): void {
  for (let i = 0; i < grad.length; i++) grad[i] += scale * sums[offset + i];
}
