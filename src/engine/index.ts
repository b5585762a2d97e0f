export { constantLr, cosineDecay, stepDecay, withWarmup, type LrSchedule } from './schedule.js';
export { Optimizer, type OptimizerOptions, type OptimizerState } from './optim.js';
export { Adam, AdamW, type AdamOptions } from './optim-adam.js';
export { Sgd, type SgdOptions } from './optim-sgd.js';
export { clipGradNorm } from './clip.js';
export { createEngine, Engine, Parameter, type EngineOptions, type Param } from './engine.js';
export { Tensor, shapeSize } from './tensor.js';
export { Arena, Region } from './arena.js';
export { enableRelaxedSimd, type Kernels } from './wasm.js';
export * as init from './init.js';
export { type Init } from './init.js';
export { type Layer, type Mode } from './layers/layer.js';
export { type ConvGeometry, type Padding, convGeometry } from './layers/conv-geometry.js';
export { Conv2d, type Conv2dOptions } from './layers/conv2d.js';
export { BatchNorm, type BatchNormOptions, type LayerBuffer } from './layers/batchnorm.js';
export { ReLU } from './layers/relu.js';
export { MaxPool2d } from './layers/maxpool.js';
export { GlobalAvgPool, GlobalMaxPool, GlobalPool } from './layers/global-pool.js';
export { Dense, type DenseOptions } from './layers/dense.js';
export { Concat, Split } from './layers/concat.js';
export { ChannelScale } from './layers/channel-scale.js';
export { Dropout } from './layers/dropout.js';
export { SoftmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './layers/softmax-cross-entropy.js';
export { Sequential } from './layers/sequential.js';
export {
  buildReferenceEncoder,
  ReferenceEncoder,
  BASE_CHANNELS,
  type EncoderBlock,
  type ReferenceEncoderOptions,
} from './encoder.js';
