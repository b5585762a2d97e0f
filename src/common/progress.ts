import cliProgress from 'cli-progress';

export interface Progress {
  /** Advance by n units and optionally update the free-text status shown after the bar. */
  tick(n?: number, status?: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr with rate and ETA. When stderr is not a terminal (CI, pipes) it prints a
 * plain line at most every few seconds instead, so logs stay readable.
 */
export function progress(label: string, total: number, unit = 'items'): Progress {
  const start = performance.now();
  let done = 0;
  let status = '';
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} {status}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '0', status: '' });
    return {
      tick(n = 1, s?: string) {
        done += n;
        if (s !== undefined) status = s;
        const rate = done / ((performance.now() - start) / 1000);
        bar.update(done, { rate: rate.toFixed(1), status });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastPrint = 0;
  const line = (): void => {
    const secs = (performance.now() - start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (total - done) / rate : 0;
    process.stderr.write(
      `${label}: ${done}/${total} ${unit}, ${rate.toFixed(1)}/s, ETA ${eta.toFixed(0)} s ${status}\n`,
    );
  };
  return {
    tick(n = 1, s?: string) {
      done += n;
      if (s !== undefined) status = s;
      const now = performance.now();
      if (now - lastPrint > 5000 || done === total) {
        lastPrint = now;
        line();
      }
    },
    stop() {},
  };
}
