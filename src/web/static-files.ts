import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MtaError } from '../common/index.js';

/** Where `npm run build:web` writes the page and the bundle; resolves the same from src/web and dist/web. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../build/web/', import.meta.url));

/** Files the page cannot work without. */
const REQUIRED = ['index.html', 'demo.js', 'mta-runtime.js', 'kernels.wasm', 'mic-worklet.js'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // Required for WebAssembly.instantiateStreaming and compileStreaming.
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  path: string;
  contentType: string;
}

/**
 * The URL paths the server answers, mapped to files of the build directory. Listing them once at
 * start-up means a request path is only ever looked up, never joined onto a directory, so no request
 * can reach a file outside it.
 */
export function listStaticFiles(webDir: string): Map<string, StaticFile> {
  const missing = REQUIRED.filter((f) => !existsSync(join(webDir, f)));
  if (missing.length) {
    throw new MtaError('FILE_NOT_FOUND', `the demo page is not built (no ${missing.join(', ')})`, {
      subject: webDir,
      hint: 'run `npm run build:web` (npm install does it)',
    });
  }
  const files = new Map<string, StaticFile>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType) files.set(`/${relative(webDir, path).split(sep).join('/')}`, { path, contentType });
    }
  };
  walk(webDir);
  files.set('/', files.get('/index.html')!);
  return files;
}
