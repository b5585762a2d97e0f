import type { Command } from 'commander';
import { DEFAULT_WEB_DIR, findDefaultModel, startDemoServer } from '../../web/index.js';
import { intOption } from './suite-options.js';

const DEFAULT_PORT = 8080;
const LOCAL_HOST = '127.0.0.1';

const HELP_AFTER = `
Open the printed address in a browser: the page captures the microphone (or plays a file you pick),
runs every task of the model on it live in the browser, and shows each task's top classes and what
each task costs (params and MACs per patch). Another model file can be loaded from the page.

Without --model the newest runs/*/model.safetensors under the current folder is served.
The page is served on ${LOCAL_HOST} only unless --host says otherwise. Browsers allow the microphone
and audio worklets only on localhost or HTTPS, so to use it from another machine put an HTTPS
proxy in front.
Stop with Ctrl+C.

Examples:
  mta demo
  mta demo --model runs/adapters/model.safetensors --port 9000
  mta demo --port 0          # any free port`;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Serve the live microphone demo page for a model (stops on Ctrl+C).')
    .option('--model <file>', 'model file (default: the newest runs/*/model.safetensors)')
    .option('--port <n>', 'port to listen on (0: any free port)', intOption('--port', 0, 65535), DEFAULT_PORT)
    .option('--host <address>', 'address to listen on; other than localhost exposes the page', LOCAL_HOST)
    .option(
      '--web-dir <dir>',
      'serve the page from this folder (a build of scripts/build-web.mjs)',
      DEFAULT_WEB_DIR,
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: { model?: string; port: number; host: string; webDir: string }) => {
      const modelPath = opts.model ?? findDefaultModel(process.cwd());
      const server = await startDemoServer({
        modelPath,
        port: opts.port,
        host: opts.host,
        webDir: opts.webDir,
      });
      process.stdout.write(
        `mta demo: serving ${modelPath} (${server.tasks.length} tasks: ${server.tasks.join(', ')})\n` +
          `  open ${server.url} — Ctrl+C to stop\n`,
      );
      if (opts.host !== LOCAL_HOST && opts.host !== 'localhost' && opts.host !== '::1') {
        process.stdout.write(
          `  listening on ${opts.host}: reachable from the network; from another machine the page needs ` +
            'HTTPS for audio input (browsers allow it only on localhost or HTTPS)\n',
        );
      }
      await untilInterrupted();
      await server.close();
      process.stdout.write('mta demo: stopped\n');
    });
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
