/** The engine's parameter interface (see the engine core); optimizers only read it. */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  value(): Float32Array;
  grad(): Float32Array;
  readonly decay: boolean;
}
