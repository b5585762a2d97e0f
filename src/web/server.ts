/**
 * The `mta demo` web server: the built page (build/web) plus one model file, over plain HTTP.
 *
 * It listens on 127.0.0.1 unless told otherwise: browsers grant the microphone only to secure
 * contexts, which plain HTTP is only on localhost. No COOP/COEP headers: they are needed only for
 * SharedArrayBuffer, and the browser runtime runs single-threaded on unshared memory.
 *
 * @example
 *   const server = await startDemoServer({ modelPath: 'runs/a/model.safetensors', port: 0, host: '127.0.0.1' });
 *   console.log(server.url); // http://127.0.0.1:41234/
 *   await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { MtaError } from '../common/index.js';
import { decodeModelFile } from '../io/index.js';
import { readModelBytes } from '../runtime/index.js';
import { DEFAULT_WEB_DIR, listStaticFiles, type StaticFile } from './static-files.js';

/** The page fetches the model from here; the file's own name travels in MODEL_NAME_HEADER. */
export const MODEL_URL_PATH = '/model.safetensors';
export const MODEL_NAME_HEADER = 'x-mta-model-name';
// 'wasm-unsafe-eval' lets the page compile the kernels; nothing else is allowed to run.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export interface DemoServerOptions {
  modelPath: string;
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The built page; default build/web of this package. */
  webDir?: string;
}

export interface DemoServer {
  /** Where the page is, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly port: number;
  /** The model's task names, in its order. */
  readonly tasks: string[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Validates the model and the built page, then listens. Every failure is an MtaError. */
export async function startDemoServer(opts: DemoServerOptions): Promise<DemoServer> {
  const model = await readModel(opts.modelPath);
  const files = listStaticFiles(opts.webDir ?? DEFAULT_WEB_DIR);
  const server = createServer((req, res) => {
    respond(req, res, files, model).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  await listen(server, opts.port, opts.host);
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    tasks: model.tasks,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface ServedModel {
  bytes: Uint8Array;
  name: string;
  tasks: string[];
}

async function readModel(path: string): Promise<ServedModel> {
  const bytes = await readModelBytes(path);
  // Checked here so a bad file is a clear error now, not a failure later in someone's browser.
  const decoded = decodeModelFile(bytes, path);
  return { bytes, name: path, tasks: decoded.model.tasks.map((t) => t.name) };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  files: Map<string, StaticFile>,
  model: ServedModel,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  let body: Uint8Array;
  let headers: Record<string, string>;
  if (path === MODEL_URL_PATH) {
    body = model.bytes;
    headers = {
      'content-type': 'application/octet-stream',
      [MODEL_NAME_HEADER]: encodeURIComponent(model.name),
    };
  } else {
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    body = await readFile(file.path);
    headers = { 'content-type': file.contentType };
  }
  res.writeHead(200, { ...SECURITY_HEADERS, ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, port, host)));
    server.listen(port, host, () => resolve());
  });
}

function listenError(e: NodeJS.ErrnoException, port: number, host: string): MtaError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new MtaError('BAD_ARGUMENT', 'the port is already in use', {
        subject: `--port ${port}`,
        hint: 'choose another with --port, or --port 0 for any free port',
        cause: e,
      });
    case 'EACCES':
      return new MtaError('BAD_ARGUMENT', 'not allowed to listen on this port', {
        subject: `--port ${port}`,
        hint: 'ports below 1024 need privileges; use a higher one',
        cause: e,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MtaError('BAD_ARGUMENT', 'cannot listen on this address', {
        subject: `--host ${host}`,
        expected: 'an address of this machine, e.g. 127.0.0.1 or 0.0.0.0',
        cause: e,
      });
    default:
      return new MtaError('BAD_ARGUMENT', `cannot listen (${e.code ?? e.message})`, {
        subject: `${host}:${port}`,
        cause: e,
      });
  }
}
