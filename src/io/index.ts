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
