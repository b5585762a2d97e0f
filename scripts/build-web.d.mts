// Types of build-web.mjs, for the tests that build the bundle.
import type { Plugin } from 'esbuild';

export interface BundleFileSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleSizeReport {
  /** What a page fetches before the model: mta-runtime.js and kernels.wasm. */
  core: { files: string[]; bytes: number; gzipBytes: number };
  budgetGzipBytes: number;
  files: BundleFileSize[];
}

export const BUDGET_GZIP_BYTES: number;

export function bundleForBrowser(opts: {
  name: string;
  entry: string;
  outdir: string;
  plugins?: Plugin[];
}): Promise<void>;

export function buildWeb(opts?: { outdir?: string }): Promise<BundleSizeReport>;
