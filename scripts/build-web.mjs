// Browser build, run by `npm run build` after the kernels (`build:wasm`):
//   build/web/mta-runtime.js   the runtime (src/runtime) as one self-contained ESM module
//   build/web/kernels.wasm     the engine's kernels, fetched from beside mta-runtime.js
//   build/web/demo.js          the demo page's script; it imports ./mta-runtime.js like any user would
//   build/web/index.html, style.css, mic-worklet.js   the page's static files, copied from web/
//   build/web/bundle-size.json bytes and gzipped bytes of every file
// The build fails if a file of the bundle statically imports a Node module (node:fs, events, ...):
// browsers cannot load those. Dynamic imports of them stay, as they only run in Node-only branches.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const KERNELS = join(ROOT, 'build', 'kernels.wasm');
const STATIC_DIR = join(ROOT, 'web');
/** The budget for what a page must download before the model: JS + wasm, gzipped. */
export const BUDGET_GZIP_BYTES = 150 * 1024;

/** The engine finds its kernels beside its own module in the repo; in the bundle they sit beside mta-runtime.js. */
const KERNELS_URL_IN_SOURCE = "new URL('../../build/kernels.wasm', import.meta.url)";
const KERNELS_URL_IN_BUNDLE = "new URL('./kernels.wasm', import.meta.url)";

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isNodeBuiltin = (path) => path.startsWith('node:') || nodeBuiltins.has(path);

/**
 * Node modules stay external (so esbuild does not fail on them); the check after the build decides
 * whether any survived. Our own modules are declared free of import-time side effects, so a module
 * the browser graph reaches but never uses (writeFileAtomic, the progress bar) is dropped entirely.
 */
function browserGraph(nodeImporters) {
  return {
    name: 'browser-graph',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!isNodeBuiltin(args.path)) return undefined;
        const importers = nodeImporters.get(args.path) ?? new Set();
        importers.add(relative(ROOT, args.importer));
        nodeImporters.set(args.path, importers);
        return { path: args.path, external: true };
      });
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData?.ownModule || !args.importer.startsWith(SRC)) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { ownModule: true },
        });
        return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: false };
      });
      build.onLoad({ filter: /[\\/]src[\\/]engine[\\/]wasm\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (source.split(KERNELS_URL_IN_SOURCE).length !== 2) {
          return { errors: [{ text: `expected one ${KERNELS_URL_IN_SOURCE} in ${args.path}` }] };
        }
        return { contents: source.replace(KERNELS_URL_IN_SOURCE, KERNELS_URL_IN_BUNDLE), loader: 'ts' };
      });
    },
  };
}

/** The page imports the runtime through its index; in the browser that is the shipped mta-runtime.js. */
const runtimeAsBundle = {
  name: 'runtime-as-bundle',
  setup(build) {
    build.onResolve({ filter: /[\\/]runtime[\\/]index\.js$/ }, () => ({
      path: './mta-runtime.js',
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome91', 'firefox89', 'safari16'],
  // Not `module`: some dependencies (wavefile) point it at sources whose exports differ from the
  // CommonJS build Node uses.
  mainFields: ['browser', 'main'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'silent',
};

/** Static imports of Node modules left in the output, with the source files that asked for them. */
function staticNodeImports(metafile, nodeImporters) {
  const found = [];
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imp of output.imports) {
      if (imp.external && isNodeBuiltin(imp.path) && imp.kind !== 'dynamic-import') {
        const from = [...(nodeImporters.get(imp.path) ?? [])].join(', ');
        found.push(`${basename(file)} imports ${imp.path} (${imp.kind}; from ${from})`);
      }
    }
  }
  return found;
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

/**
 * Builds the browser bundle and the demo page into `outdir`. Returns the size report; throws when
 * the kernels are not built or the bundle would import a Node module.
 */
export async function buildWeb({ outdir = join(ROOT, 'build', 'web') } = {}) {
  if (!existsSync(KERNELS)) throw new Error(`${KERNELS} is missing: run \`npm run build:wasm\` first`);
  outdir = resolve(outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const nodeImporters = new Map();
  const runtime = await esbuild.build({
    ...common,
    entryPoints: { 'mta-runtime': join(SRC, 'runtime', 'index.ts') },
    outdir,
    plugins: [browserGraph(nodeImporters)],
  });
  const page = await esbuild.build({
    ...common,
    entryPoints: { demo: join(SRC, 'web', 'page', 'main.ts') },
    outdir,
    plugins: [runtimeAsBundle, browserGraph(nodeImporters)],
  });
  const bad = [
    ...staticNodeImports(runtime.metafile, nodeImporters),
    ...staticNodeImports(page.metafile, nodeImporters),
  ];
  if (bad.length) {
    throw new Error(`the browser bundle must not import Node modules statically:\n  ${bad.join('\n  ')}`);
  }
  copyFileSync(KERNELS, join(outdir, 'kernels.wasm'));
  for (const name of readdirSync(STATIC_DIR)) copyFileSync(join(STATIC_DIR, name), join(outdir, name));
  return writeSizeReport(outdir);
}

/** What a page fetches before the model. */
const CORE = ['mta-runtime.js', 'kernels.wasm'];

function writeSizeReport(outdir) {
  const files = listFiles(outdir)
    .filter((p) => !p.endsWith('.map'))
    .map((p) => {
      const bytes = readFileSync(p);
      return {
        file: relative(outdir, p),
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
  const core = files.filter((f) => CORE.includes(f.file));
  const report = {
    core: { files: CORE, bytes: sum(core, 'bytes'), gzipBytes: sum(core, 'gzipBytes') },
    budgetGzipBytes: BUDGET_GZIP_BYTES,
    files,
  };
  // Written last and by rename, so a reader never sees a report of a half-built directory.
  const tmp = join(outdir, '.bundle-size.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, join(outdir, 'bundle-size.json'));
  return report;
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const report = await buildWeb();
    for (const f of report.files) {
      console.log(
        `  ${f.file.padEnd(34)} ${kb(f.bytes).padStart(10)}  ${kb(f.gzipBytes).padStart(9)} gzipped`,
      );
    }
    const { core, budgetGzipBytes } = report;
    const verdict = core.gzipBytes <= budgetGzipBytes ? 'within' : 'OVER';
    console.log(
      `built build/web: ${core.files.join(' + ')} = ${kb(core.gzipBytes)} gzipped (${verdict} the ${kb(budgetGzipBytes)} budget)`,
    );
  } catch (e) {
    console.error(`web build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
