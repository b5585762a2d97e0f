// Browser build, run by `npm run build` after the kernels (`build:wasm`):
//   build/web/mta-runtime.js   the runtime (src/runtime) as one self-contained ESM module
//   build/web/kernels*.wasm    the engine's kernels (SIMD, relaxed SIMD), fetched from beside mta-runtime.js
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
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const BUILD = join(ROOT, 'build');
const STATIC_DIR = join(ROOT, 'web');
/** The budget for what a page must download before the model: JS + wasm, gzipped. */
export const BUDGET_GZIP_BYTES = 150 * 1024;

/** How src/engine/wasm.ts finds a kernels build in the repo; in the bundle they sit beside mta-runtime.js. */
const KERNELS_URL_IN_SOURCE = /new URL\('\.\.\/\.\.\/build\/([\w.-]+\.wasm)', import\.meta\.url\)/g;

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isNodeBuiltin = (path) => path.startsWith('node:') || nodeBuiltins.has(path);

/**
 * Node modules stay external (so esbuild does not fail on them); the check after the build decides
 * whether any survived. Our own modules are declared free of import-time side effects, so a module
 * the browser graph reaches but never uses (writeFileAtomic, the progress bar) is dropped entirely.
 */
function browserGraph(nodeImporters, wasmFiles) {
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
        const contents = source.replace(KERNELS_URL_IN_SOURCE, (_, name) => {
          wasmFiles.add(name);
          return `new URL('./${name}', import.meta.url)`;
        });
        if (contents === source) {
          return {
            errors: [{ text: `no ${KERNELS_URL_IN_SOURCE} in ${args.path}: where are the kernels?` }],
          };
        }
        return { contents, loader: 'ts' };
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

/**
 * Bundles `entry` for browsers into `<outdir>/<name>.js` (+ source map). Throws if the output
 * statically imports a Node module, naming the source files that asked for it. Returns the names of
 * the kernel builds the bundle fetches from beside itself.
 */
export async function bundleForBrowser({ name, entry, outdir, plugins = [] }) {
  const nodeImporters = new Map();
  const wasmFiles = new Set();
  const result = await esbuild.build({
    ...common,
    entryPoints: { [name]: entry },
    outdir,
    plugins: [...plugins, browserGraph(nodeImporters, wasmFiles)],
  });
  const bad = staticNodeImports(result.metafile, nodeImporters);
  if (bad.length) {
    throw new Error(`the browser bundle must not import Node modules statically:\n  ${bad.join('\n  ')}`);
  }
  return { wasm: [...wasmFiles].sort() };
}

/**
 * Builds the browser bundle and the demo page into `outdir`. Returns the size report; throws when
 * the kernels are not built or the bundle would import a Node module.
 */
export async function buildWeb({ outdir = join(ROOT, 'build', 'web') } = {}) {
  outdir = resolve(outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const { wasm } = await bundleForBrowser({
    name: 'mta-runtime',
    entry: join(SRC, 'runtime', 'index.ts'),
    outdir,
  });
  await bundleForBrowser({
    name: 'demo',
    entry: join(SRC, 'web', 'page', 'main.ts'),
    outdir,
    plugins: [runtimeAsBundle],
  });
  for (const name of wasm) {
    const built = join(BUILD, name);
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build:wasm\` first`);
    copyFileSync(built, join(outdir, name));
  }
  for (const name of readdirSync(STATIC_DIR)) copyFileSync(join(STATIC_DIR, name), join(outdir, name));
  // At most, a page fetches the runtime and every kernels build (one that lacks relaxed SIMD gets
  // the relaxed build, finds it invalid, then gets the plain one) before the model.
  return writeSizeReport(outdir, ['mta-runtime.js', ...wasm]);
}

function writeSizeReport(outdir, coreFiles) {
  const files = readdirSync(outdir)
    .filter((name) => !name.endsWith('.map') && !name.startsWith('.'))
    .map((file) => {
      const bytes = readFileSync(join(outdir, file));
      return {
        file,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
  const core = files.filter((f) => coreFiles.includes(f.file));
  const report = {
    core: { files: coreFiles, bytes: sum(core, 'bytes'), gzipBytes: sum(core, 'gzipBytes') },
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
