import { MtaError } from '../../common/index.js';

export type Padding = 'same' | 'valid';

/**
 * Sizes and padding of a 2-D convolution or pooling window over an NHWC input [B, H, W, C].
 * 'same' follows TensorFlow: OH = ceil(H / sh), total padding max((OH − 1)·sh + kh − H, 0), the
 * smaller half on top/left. 'valid': OH = floor((H − kh) / sh) + 1, no padding.
 */
export interface ConvGeometry {
  B: number;
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
}

export function convGeometry(
  shape: readonly number[],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: Padding,
  subject: string,
): ConvGeometry {
  if (shape.length !== 4) {
    throw new MtaError('BAD_ARGUMENT', 'expected an NHWC tensor', {
      subject,
      expected: '[batch, height, width, channels]',
      actual: `[${shape.join(', ')}]`,
    });
  }
  const [B, H, W, C] = shape;
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const axis = (n: number, k: number, s: number): [number, number] => {
    if (padding === 'same') {
      const out = Math.ceil(n / s);
      return [out, Math.floor(Math.max((out - 1) * s + k - n, 0) / 2)];
    }
    if (n < k) {
      throw new MtaError('BAD_ARGUMENT', "input smaller than the window with 'valid' padding", {
        subject,
        expected: `at least ${kh}×${kw}`,
        actual: `${H}×${W}`,
      });
    }
    return [Math.floor((n - k) / s) + 1, 0];
  };
  const [OH, pt] = axis(H, kh, sh);
  const [OW, pl] = axis(W, kw, sw);
  return { B, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl };
}

/** Normalises a size given as n or [a, b], checking positive integers. */
export function pair(v: number | readonly [number, number], subject: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new MtaError('BAD_CONFIG', 'sizes must be positive integers', {
      subject,
      actual: JSON.stringify(v),
    });
  }
  return p;
}
