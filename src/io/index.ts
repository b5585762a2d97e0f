export {
  decodeSafetensors,
  encodeSafetensors,
  MAX_SAFETENSORS_HEADER_BYTES,
  type Safetensors,
} from './safetensors.js';
export {
  SAFETENSORS_DTYPES,
  type SafeTensor,
  type SafeTensorData,
  type SafetensorsDtype,
} from './safetensors-dtypes.js';
export {
  decodeModelFile,
  encodeModelFile,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelFile,
} from './model-file.js';
export { loadOptimizerState, loadParams, saveOptimizerState, saveParams } from './params-io.js';
export {
  encodeOnnx,
  encodeOnnxPerTask,
  onnxOutputNames,
  ONNX_FORMAT,
  ONNX_INPUT,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  type OnnxExportOptions,
} from './onnx-export.js';
