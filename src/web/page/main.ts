/**
 * The demo page (web/index.html): loads the served model, runs every task live on the microphone or
 * on a file the user plays, and shows each task's top classes and what each task costs.
 *
 * For the browser console (and the end-to-end test), `window.mtaDemo` holds the loaded model, the
 * capture rate, the number of patches analysed and the predictions of the latest patches.
 */
import { loadModel, type Model, type ModelStream, type TaskPrediction } from '../../runtime/index.js';
import { captureMicrophone, playFile, type Capture, type SinkFactory } from './capture.js';
import { renderCost } from './cost-view.js';
import { describeError, formatBytes, formatCount } from './format.js';
import { PredictionsView, TOP_CLASSES } from './predictions-view.js';

/** Served by `mta demo`; the file's own name comes in the x-mta-model-name header. */
const MODEL_URL = 'model.safetensors';
const HISTORY = 64;

export interface DemoState {
  model: Model | undefined;
  modelName: string;
  /** Rate of the current capture in Hz (0: none yet). */
  sampleRate: number;
  patches: number;
  /** Predictions of the latest patches, oldest first, at most 64. */
  history: TaskPrediction[][];
}

declare global {
  interface Window {
    mtaDemo: DemoState;
  }
}

const state: DemoState = { model: undefined, modelName: '', sampleRate: 0, patches: 0, history: [] };
window.mtaDemo = state;

const element = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};
const micButton = element<HTMLButtonElement>('mic');
const playInput = element<HTMLInputElement>('play-file');
const modelInput = element<HTMLInputElement>('model-file');
const status = element<HTMLParagraphElement>('status');
const summary = element<HTMLParagraphElement>('model-summary');
const patchCount = element<HTMLOutputElement>('patch-count');
const inputRate = element<HTMLOutputElement>('input-rate');
const costBody = element<HTMLTableSectionElement>('cost-body');
const predictionsRoot = element<HTMLDivElement>('predictions');

let view: PredictionsView | undefined;
let capture: Capture | undefined;

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = message;
  status.dataset.kind = kind;
}

/** What feeds the model now; the one button starts the microphone or stops either input. */
function setInput(input: 'none' | 'microphone' | 'file'): void {
  micButton.textContent = { none: 'Start microphone', microphone: 'Stop microphone', file: 'Stop playback' }[
    input
  ];
  micButton.setAttribute('aria-pressed', String(input !== 'none'));
  // Browsers offer the microphone and AudioWorklet only to secure contexts (https:, localhost).
  micButton.disabled = !state.model || !window.isSecureContext;
  playInput.disabled = !state.model || !window.isSecureContext;
}

function record(predictions: TaskPrediction[][]): void {
  for (const p of predictions) {
    state.patches++;
    state.history.push(p);
    if (state.history.length > HISTORY) state.history.shift();
    view?.show(p);
  }
  patchCount.value = String(state.patches);
}

/** The stream for a capture at `sampleRate`: every chunk in, the completed patches' predictions out. */
function sinkFor(model: Model, onStream?: (s: ModelStream) => void): SinkFactory {
  return (sampleRate) => {
    state.sampleRate = sampleRate;
    inputRate.value = `${sampleRate} Hz`;
    const stream = model.stream({ sampleRate, top: TOP_CLASSES });
    onStream?.(stream);
    return (chunk) => {
      try {
        record(stream.push(chunk));
      } catch (e) {
        say(`Inference failed: ${describeError(e)}`, 'error');
        void stopCapture();
      }
    };
  };
}

async function stopCapture(): Promise<void> {
  const c = capture;
  capture = undefined;
  setInput('none');
  if (c) await c.stop();
}

async function toggleMicrophone(): Promise<void> {
  const model = state.model;
  if (!model) return;
  if (capture) {
    await stopCapture();
    say('Stopped.');
    return;
  }
  try {
    capture = await captureMicrophone(model.frontend.sampleRate, sinkFor(model));
    setInput('microphone');
    say(`Listening at ${capture.sampleRate} Hz: a prediction every ${hopMs(model)} ms.`);
    void capture.ended.then(() => stopCapture());
  } catch (e) {
    say(`Cannot use the microphone: ${describeError(e)}`, 'error');
    setInput('none');
  }
}

async function playChosenFile(): Promise<void> {
  const model = state.model;
  const file = playInput.files?.[0];
  if (!model || !file) return;
  // Cleared now so that picking the same file again is a change, however this playback ends.
  playInput.value = '';
  await stopCapture();
  const before = state.patches;
  let stream: ModelStream | undefined;
  try {
    const c = await playFile(
      file,
      model.frontend.sampleRate,
      sinkFor(model, (s) => (stream = s)),
    );
    capture = c;
    setInput('file');
    say(`Playing ${file.name}…`);
    await c.ended;
    if (capture !== c) return; // stopped by the user, or replaced by another input
    // The stream holds back the clip's last patch until told the input is over.
    if (stream) record(stream.end());
    await stopCapture();
    say(`Played ${file.name}: ${state.patches - before} patches analysed.`);
  } catch (e) {
    await stopCapture();
    say(`Cannot play ${file.name}: ${describeError(e)}`, 'error');
  }
}

function hopMs(model: Model): number {
  return Math.round(
    (1000 * model.frontend.patchHopFrames * model.frontend.hopSamples) / model.frontend.sampleRate,
  );
}

/** Loads a model; the current one stays in use until the new one is ready. */
async function useModel(bytes: Uint8Array, name: string): Promise<void> {
  say(`Loading ${name}…`);
  const model = await loadModel(bytes);
  await stopCapture();
  state.model?.dispose();
  Object.assign(state, { model, modelName: name, patches: 0, history: [] });
  patchCount.value = '0';
  view = new PredictionsView(predictionsRoot, model.tasks);
  renderCost(costBody, model);
  summary.textContent =
    `${name} (${formatBytes(bytes.length)}): ${model.tasks.length} tasks, ` +
    `${formatCount(model.cost.total.params)} params, ${formatCount(model.cost.total.macs)} MACs per patch ` +
    `of ${model.frontend.patchFrames} frames (${hopMs(model)} ms hop).`;
  setInput('none');
  if (window.isSecureContext) say('Model ready. Start the microphone or play a file.');
  else say('Model ready, but audio input needs a secure page: open it on localhost or over HTTPS.', 'error');
}

async function loadServedModel(): Promise<void> {
  const response = await fetch(MODEL_URL);
  if (!response.ok) throw new Error(`cannot fetch ${MODEL_URL}: HTTP ${response.status}`);
  const name = decodeURIComponent(response.headers.get('x-mta-model-name') ?? MODEL_URL);
  await useModel(new Uint8Array(await response.arrayBuffer()), name);
}

async function loadChosenModel(): Promise<void> {
  const file = modelInput.files?.[0];
  if (!file) return;
  try {
    await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (e) {
    say(`Cannot load ${file.name}: ${describeError(e)}`, 'error');
  } finally {
    modelInput.value = '';
  }
}

micButton.addEventListener('click', () => void toggleMicrophone());
playInput.addEventListener('change', () => void playChosenFile());
modelInput.addEventListener('change', () => void loadChosenModel());
loadServedModel().catch((e: unknown) => {
  summary.textContent = 'No model loaded.';
  say(`Cannot load the served model: ${describeError(e)}`, 'error');
});
