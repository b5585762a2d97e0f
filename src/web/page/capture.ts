/**
 * Audio into the page: a microphone or a decoded file, through an AudioWorklet (web/mic-worklet.js)
 * that posts mono Float32 chunks to the main thread.
 *
 * The context asks for the model's rate (16 kHz) so the browser resamples and the model's stream
 * need not; a browser that refuses that rate for a microphone (Firefox) gets its default rate, which
 * the stream then resamples. Either way the chunks are at `sampleRate`.
 */
const WORKLET_URL = 'mic-worklet.js';
const PROCESSOR = 'mta-capture';
/** Samples per posted chunk: 64 ms at 16 kHz, far below a patch hop (480 ms), few messages. */
const CHUNK_FRAMES = 1024;

/** Called once the rate is known and before any audio flows; returns where the chunks go. */
export type SinkFactory = (sampleRate: number) => (chunk: Float32Array) => void;

export interface Capture {
  readonly sampleRate: number;
  /** Resolves when the input is over: a file has played to its end and its last chunk is out, or stop(). */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
}

export async function captureMicrophone(preferredRate: number, sink: SinkFactory): Promise<Capture> {
  const media = await navigator.mediaDevices.getUserMedia({
    // The model was trained on unprocessed audio: no echo cancellation, denoising or gain riding.
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
  });
  let ctx: AudioContext | undefined;
  try {
    ctx = await openContext(preferredRate);
    let source: MediaStreamAudioSourceNode;
    try {
      source = ctx.createMediaStreamSource(media);
    } catch {
      await ctx.close();
      ctx = await openContext(undefined);
      source = ctx.createMediaStreamSource(media);
    }
    const node = await workletNode(ctx, sink(ctx.sampleRate));
    source.connect(node);
    const opened = ctx;
    return {
      sampleRate: opened.sampleRate,
      ended: new Promise<void>((resolve) => media.getTracks()[0]?.addEventListener('ended', () => resolve())),
      stop: async () => {
        media.getTracks().forEach((t) => t.stop());
        await opened.close();
      },
    };
  } catch (e) {
    media.getTracks().forEach((t) => t.stop());
    if (ctx && ctx.state !== 'closed') await ctx.close();
    throw e;
  }
}

/** Decodes `file` at the context's rate and plays it, both to the speakers and to the sink. */
export async function playFile(file: Blob, preferredRate: number, sink: SinkFactory): Promise<Capture> {
  const ctx = await openContext(preferredRate);
  try {
    const buffer = await ctx.decodeAudioData(await file.arrayBuffer());
    const node = await workletNode(ctx, sink(ctx.sampleRate));
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(node);
    source.connect(ctx.destination);
    let finish = (): void => undefined;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    source.addEventListener('ended', () => void flush(node).then(finish));
    source.start();
    const stop = async (): Promise<void> => {
      await ctx.close();
      finish();
    };
    return { sampleRate: ctx.sampleRate, ended, stop };
  } catch (e) {
    await ctx.close();
    throw e;
  }
}

async function openContext(sampleRate: number | undefined): Promise<AudioContext> {
  let ctx: AudioContext;
  try {
    ctx = new AudioContext({ sampleRate, latencyHint: 'interactive' });
  } catch {
    ctx = new AudioContext({ latencyHint: 'interactive' });
  }
  await ctx.audioWorklet.addModule(WORKLET_URL);
  return ctx;
}

async function workletNode(
  ctx: AudioContext,
  onChunk: (chunk: Float32Array) => void,
): Promise<AudioWorkletNode> {
  const node = new AudioWorkletNode(ctx, PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    processorOptions: { chunkFrames: CHUNK_FRAMES },
  });
  node.port.onmessage = (e: MessageEvent<unknown>) => {
    if (e.data instanceof Float32Array) onChunk(e.data);
  };
  // The node outputs silence; connecting it keeps the graph pulling it in every browser.
  node.connect(ctx.destination);
  if (ctx.state === 'suspended') await ctx.resume();
  return node;
}

/** Asks the processor for its partial chunk; resolves once it has been delivered. */
function flush(node: AudioWorkletNode): Promise<void> {
  return new Promise((resolve) => {
    const previous = node.port.onmessage;
    node.port.onmessage = (e: MessageEvent<unknown>) => {
      if (e.data === 'flushed') resolve();
      else previous?.call(node.port, e);
    };
    node.port.postMessage('flush');
  });
}
