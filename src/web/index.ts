// The browser demo. This index is the Node side (the server behind `mta demo`); the page itself
// is src/web/page/main.ts, bundled by scripts/build-web.mjs into build/web/demo.js.
export {
  startDemoServer,
  MODEL_URL_PATH,
  MODEL_NAME_HEADER,
  type DemoServer,
  type DemoServerOptions,
} from './server.js';
export { findDefaultModel, RUNS_DIR } from './default-model.js';
export { DEFAULT_WEB_DIR } from './static-files.js';
