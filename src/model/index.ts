export {
  REFERENCE_WIDTHS,
  blockGeometry,
  buildModelConfig,
  parseModelConfig,
  scaleWidth,
  taskAdapterWidths,
  type AdapterWidth,
  type BlockConfig,
  type ModelConfig,
  type ModelShapeOptions,
  type TaskConfig,
} from './config.js';
export {
  aliveFromGates,
  effectiveAlive,
  exactCost,
  fullAlive,
  surrogateCost,
  type AliveCounts,
  type BlockAlive,
  type BlockGates,
  type Cost,
  type CostMeasure,
  type CostReport,
  type LayerCost,
  type Surrogate,
  type TaskCost,
} from './cost.js';
export { ConvBlock, type BatchNormSettings, type ConvBlockShape } from './block.js';
export { DEFAULT_BATCH_NORM, MultiTaskNetwork, type TaskRows } from './network.js';
export {
  exportWeights,
  gateMasks,
  importWeights,
  maskWeights,
  pruneWeights,
  type BlockMask,
  type WeightMap,
  type WeightTensor,
} from './prune.js';
export { weightShapes } from './shapes.js';
