import { MtaError } from '../common/index.js';

/** Mixes any number of equal-length channels to mono by their mean. Returns a new array. */
export function downmix(channels: Float32Array[]): Float32Array {
  if (channels.length === 0) {
    throw new MtaError('BAD_ARGUMENT', 'nothing to downmix', { subject: 'channels', expected: 'at least 1' });
  }
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) {
    throw new MtaError('BAD_ARGUMENT', 'channels differ in length', {
      subject: 'channels',
      expected: `${frames} samples each`,
      actual: channels.map((c) => c.length).join(', '),
    });
  }
  if (channels.length === 1) return channels[0].slice();
  const out = new Float32Array(frames);
  const scale = 1 / channels.length;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const c of channels) sum += c[i];
    out[i] = sum * scale;
  }
  return out;
}
