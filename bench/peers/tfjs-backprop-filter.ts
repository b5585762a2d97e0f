/**
 * Conv2DBackpropFilter for a TensorFlow.js backend that lacks it (tfjs-backend-wasm 4.22 has no such
 * kernel, so training any conv net there fails with "Kernel 'Conv2DBackpropFilter' not registered",
 * tensorflow/tfjs#8474). Composed from kernels the backend has, as im2col + one GEMM:
 *
 *   dw[a, b, ci, co] = Σ_{n, i, j} xpad[n, i·sh + a, j·sw + b, ci] · dy[n, i, j, co]
 *
 * The kh·kw shifted (strided) windows of the padded input are stacked along channels into
 * patches [N·outH·outW, kh·kw·cin]; dw = patchesᵀ · dy reshaped to [kh, kw, cin, cout].
 * NHWC only, dilation 1 (tfjs computes conv gradients only for dilation 1).
 */
import * as tf from '@tensorflow/tfjs-core';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dw of a conv2d from its input x [N, H, W, cin] and output gradient dy [N, outH, outW, cout]. */
export function conv2dBackpropFilterIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: BackpropFilterAttrs,
): tf.Tensor4D {
  if (attrs.dataFormat !== 'NHWC') throw new Error('composed Conv2DBackpropFilter supports NHWC only');
  const [kh, kw, cin, cout] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  const { batchSize: n, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const windows: tf.Tensor4D[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        windows.push(
          sh === 1 && sw === 1
            ? tf.slice(padded, [0, a, b, 0], [n, outHeight, outWidth, cin])
            : (tf.stridedSlice(
                padded,
                [0, a, b, 0],
                [n, a + (outHeight - 1) * sh + 1, b + (outWidth - 1) * sw + 1, cin],
                [1, sh, sw, 1],
              ) as tf.Tensor4D),
        );
      }
    }
    const rows = n * outHeight * outWidth;
    const patches = tf.reshape(windows.length === 1 ? windows[0] : tf.concat(windows, 3), [
      rows,
      kh * kw * cin,
    ]);
    const dyT = tf.transpose(tf.reshape(dy, [rows, cout]));
    return tf.reshape(tf.transpose(tf.matMul(dyT, patches)), [kh, kw, cin, cout]);
  });
}

/** Registers the composed kernel on `backendName`, unless that backend already has one. */
export function registerConv2dBackpropFilter(backendName: string): void {
  if (tf.getKernel('Conv2DBackpropFilter', backendName)) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      // Kernel inputs are bare TensorInfos. An identity Reshape turns each into a Tensor that holds
      // its own reference to the data (engine.makeTensorFromTensorInfo does not, so disposing it
      // would free the caller's input).
      const asTensor = (info: tf.TensorInfo): tf.Tensor4D =>
        tf.engine().runKernel('Reshape', { x: info } as unknown as tf.NamedTensorMap, {
          shape: info.shape,
        }) as tf.Tensor4D;
      return tf.tidy(() =>
        conv2dBackpropFilterIm2col(
          asTensor(inputs.x!),
          asTensor(inputs.dy!),
          attrs as unknown as BackpropFilterAttrs,
        ),
      );
    },
  });
}
