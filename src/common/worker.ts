import type { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module that sits beside `importMetaUrl`'s module: `<name>.ts` when the
 * caller runs from source (tsx: workers do not inherit its --import hook, so the worker registers it
 * before loading the module), `<name>.js` when it runs from dist/. node:worker_threads is imported
 * lazily so that this folder stays loadable in browsers.
 */
export async function startModuleWorker(
  importMetaUrl: string,
  name: string,
  workerData?: unknown,
): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  const fromSource = importMetaUrl.endsWith('.ts');
  const url = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, importMetaUrl);
  if (!fromSource) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
