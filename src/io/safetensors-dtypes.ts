/**
 * The element types of the safetensors format and the typed array each one is read into. Types with
 * no JavaScript array of their own (F16, BF16, the F8 formats) come back as their raw bit patterns.
 * Data is little-endian, as the format prescribes; every platform we run on is little-endian.
 */
interface ArrayOfDtype {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  F8_E4M3: Uint8Array;
  F8_E5M2: Uint8Array;
  U16: Uint16Array;
  I16: Int16Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  U32: Uint32Array;
  I32: Int32Array;
  F32: Float32Array;
  U64: BigUint64Array;
  I64: BigInt64Array;
  F64: Float64Array;
}

export type SafetensorsDtype = keyof ArrayOfDtype;

/** One tensor: row-major (C order) data with `shape`, discriminated by `dtype`. */
export type SafeTensor = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: ArrayOfDtype[D] };
}[SafetensorsDtype];

export type SafeTensorData = SafeTensor['data'];

interface TypedArrayClass {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): SafeTensorData;
}

const ARRAY_CLASS: { [D in SafetensorsDtype]: TypedArrayClass } = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E4M3: Uint8Array,
  F8_E5M2: Uint8Array,
  U16: Uint16Array,
  I16: Int16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  U32: Uint32Array,
  I32: Int32Array,
  F32: Float32Array,
  U64: BigUint64Array,
  I64: BigInt64Array,
  F64: Float64Array,
};

export const SAFETENSORS_DTYPES = Object.keys(ARRAY_CLASS) as SafetensorsDtype[];

export function isSafetensorsDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.hasOwn(ARRAY_CLASS, name);
}

export function dtypeSize(dtype: SafetensorsDtype): number {
  return ARRAY_CLASS[dtype].BYTES_PER_ELEMENT;
}

export function arrayMatchesDtype(dtype: SafetensorsDtype, data: unknown): boolean {
  return data instanceof (ARRAY_CLASS[dtype] as unknown as typeof Uint8Array);
}

/**
 * Typed array of `count` elements at absolute `byteOffset` in `bytes`' buffer: a zero-copy view when
 * the offset is aligned to the element size (typed arrays require it), otherwise an aligned copy.
 */
export function viewOrCopy(
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
): SafeTensorData {
  const cls = ARRAY_CLASS[dtype];
  const absolute = bytes.byteOffset + byteOffset;
  if (absolute % cls.BYTES_PER_ELEMENT === 0) return new cls(bytes.buffer, absolute, count);
  // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
  const copy = new Uint8Array(count * cls.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(byteOffset, byteOffset + copy.length));
  return new cls(copy.buffer, 0, count);
}
