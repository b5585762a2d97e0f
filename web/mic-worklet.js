/* global AudioWorkletProcessor, registerProcessor */
// AudioWorklet processor of the demo page (loaded by src/web/page/capture.ts): mixes its input to
// mono and posts it to the page in chunks of `chunkFrames` samples (Float32Array, transferred). On a
// 'flush' message it posts the partial chunk, then 'flushed'. It outputs silence.
// Plain JavaScript: the worklet scope loads it as is, outside the page's bundle.

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.frames = Math.max(128, options.processorOptions?.chunkFrames ?? 1024);
    this.chunk = new Float32Array(this.frames);
    this.filled = 0;
    this.port.onmessage = (e) => {
      if (e.data !== 'flush') return;
      this.post();
      this.port.postMessage('flushed');
    };
  }

  process(inputs) {
    const channels = inputs[0];
    // No input connected (yet, or any more): nothing to capture, but stay alive.
    if (!channels || channels.length === 0) return true;
    const n = channels[0].length;
    const scale = 1 / channels.length;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let c = 0; c < channels.length; c++) sum += channels[c][i];
      this.chunk[this.filled++] = sum * scale;
      if (this.filled === this.frames) this.post();
    }
    return true;
  }

  post() {
    if (this.filled === 0) return;
    const out = this.chunk.slice(0, this.filled);
    this.port.postMessage(out, [out.buffer]);
    this.filled = 0;
  }
}

registerProcessor('mta-capture', CaptureProcessor);
