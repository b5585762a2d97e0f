import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FRONTEND, LogMelExtractor, logMel, parseFrontendConfig } from '../src/audio/index.js';
import { MtaError } from '../src/common/index.js';

function rejects(input: unknown, subject: string): void {
  assert.throws(
    () => parseFrontendConfig(input, 'model.frontend'),
    (e: unknown) => {
      assert.ok(e instanceof MtaError, String(e));
      assert.equal(e.code, 'BAD_CONFIG');
      assert.equal(e.subject, subject, `${JSON.stringify(input)}: ${e.describe()}`);
      return true;
    },
  );
}

test('defaults are the DESIGN.md §1 front end; missing fields take them', () => {
  assert.deepEqual(
    { ...DEFAULT_FRONTEND },
    {
      sampleRate: 16000,
      windowSamples: 400,
      hopSamples: 160,
      fftSize: 512,
      melBands: 64,
      melLowHz: 125,
      melHighHz: 7500,
      logOffset: 0.001,
      patchFrames: 96,
      patchHopFrames: 48,
    },
  );
  assert.deepEqual(parseFrontendConfig({}), { ...DEFAULT_FRONTEND });
  assert.deepEqual(parseFrontendConfig({ patchHopFrames: 96, melBands: 40 }), {
    ...DEFAULT_FRONTEND,
    patchHopFrames: 96,
    melBands: 40,
  });
  assert.ok(Object.isFrozen(DEFAULT_FRONTEND));
});

test('each nonsensical field is rejected as BAD_CONFIG naming that field', () => {
  const cases: [unknown, string][] = [
    [{ windowSamples: 600 }, 'model.frontend.windowSamples'], // window > fft size
    [{ fftSize: 500 }, 'model.frontend.fftSize'], // not a power of two
    [{ fftSize: 1 << 20 }, 'model.frontend.fftSize'], // hostile size
    [{ hopSamples: 0 }, 'model.frontend.hopSamples'],
    [{ hopSamples: 401 }, 'model.frontend.hopSamples'], // hop > window skips samples
    [{ hopSamples: 160.5 }, 'model.frontend.hopSamples'],
    [{ melLowHz: 8000 }, 'model.frontend.melHighHz'], // low ≥ high
    [{ melHighHz: 9000 }, 'model.frontend.melHighHz'], // above Nyquist
    [{ melLowHz: -1 }, 'model.frontend.melLowHz'],
    [{ logOffset: 0 }, 'model.frontend.logOffset'], // log(0) = -Inf
    [{ sampleRate: 'fast' }, 'model.frontend.sampleRate'],
    [{ sampleRate: NaN }, 'model.frontend.sampleRate'],
    [{ patchFrames: 0 }, 'model.frontend.patchFrames'],
    [{ patchHopFrames: 97 }, 'model.frontend.patchHopFrames'], // patches would skip frames
    [{ melBands: 200 }, 'model.frontend.melBands'], // bands narrower than an FFT bin stay empty
    [{ melbands: 64 }, 'model.frontend.melbands'], // typo
    [null, 'model.frontend'],
    [[1, 2], 'model.frontend'],
  ];
  for (const [input, subject] of cases) rejects(input, subject);
});

test('LogMelExtractor validates the config it is given', () => {
  assert.throws(
    () => new LogMelExtractor({ ...DEFAULT_FRONTEND, windowSamples: 1024 }),
    (e: unknown) =>
      e instanceof MtaError && e.code === 'BAD_CONFIG' && e.subject === 'frontend.windowSamples',
  );
});

test('parsed configs are frozen and re-parse to themselves; logMel follows a changing config', () => {
  const c = parseFrontendConfig({ melBands: 40 });
  assert.ok(Object.isFrozen(c));
  assert.equal(parseFrontendConfig(c), c);
  const x = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 7));
  for (const cfg of [c, DEFAULT_FRONTEND, { ...c }, { ...DEFAULT_FRONTEND, hopSamples: 100 }]) {
    assert.deepEqual(logMel(x, cfg), new LogMelExtractor(cfg).compute(x));
  }
});
