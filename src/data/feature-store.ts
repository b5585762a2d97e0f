/**
 * The feature cache. Decoding, resampling and log-mel run once per clip; the frames go into pack
 * files under `<cacheDir>/features-v1/<front-end hash>/`, keyed by a SHA-1 of the front-end config,
 * the clip's waveform recipe (window, band limit, mixture) and the content hash of every file it
 * is made from (built-in clips: generator version, seed and index). Later runs, and every epoch,
 * read frames from the packs with positional reads, so the data can be larger than RAM.
 *
 * Noise augmentation happens here too, because mixing needs waveforms: each training clip of a
 * task with `augment.noise` gets `variants` fixed noisy versions (seeded by the suite seed, clip id
 * and variant), cached like clips; the batcher picks one per epoch (see batches.ts).
 *
 * Clips whose audio cannot be read or decoded are skipped and reported, never fatal.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MtaError, Rng, progress } from '../common/index.js';
import { DEFAULT_FRONTEND, parseFrontendConfig, type FrontendConfig } from '../audio/index.js';
import { describeAudio, type ClipAudio, type ClipRecord } from './clip.js';
import { ContentHasher } from './content-hash.js';
import { runExtraction, type ExtractJob, type ExtractSpec } from './extract-pool.js';
import { PackReader, writePack, type PackItem } from './feature-pack.js';
import type { ResolvedSuite, ResolvedTask } from './resolve.js';
import type { Split } from './suite-schema.js';

/** Bump when what a cached entry means changes (e.g. the mixing recipe). */
const FEATURE_FORMAT = 'mta-features-1';
/** A pack is flushed to disk when it holds this many bytes of frames. */
const PACK_TARGET_BYTES = 64 * 1024 * 1024;

export const DEFAULT_CACHE_DIR = '.cache/mta';

export interface PrepareOptions {
  cacheDir?: string;
  frontend?: FrontendConfig;
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Only these splits (default: all). */
  splits?: Split[];
  /** Check every cached entry's CRC before use (default true): corrupt entries are rebuilt. */
  verify?: boolean;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

export interface SkippedClip {
  task: string;
  id: string;
  audio: string;
  reason: string;
}

export interface PrepareReport {
  clips: number;
  /** Entries computed in this run (decoded and transformed). */
  extracted: number;
  /** Entries found in the cache. */
  cached: number;
  /** Cached entries that failed their check and were rebuilt. */
  rebuilt: number;
  skipped: SkippedClip[];
  seconds: number;
}

interface Location {
  pack: PackReader;
  offset: number;
  frames: number;
  samples: number;
}

export interface StoreTask {
  task: ResolvedTask;
  /** Clips that have features, in suite order (skipped clips removed). */
  clips: ClipRecord[];
  /** Per clip: frames in the cache. */
  frames: Int32Array;
  /** Per clip: waveform length in samples at the front end's rate. */
  samples: Int32Array;
  /** Per clip: locations of the noisy variants (empty unless the task has noise augmentation). */
  variants: Location[][];
  locations: Location[];
}

/** Cached features of a resolved suite. Call close() when done (it holds the pack files open). */
export class FeatureStore {
  constructor(
    readonly frontend: FrontendConfig,
    readonly tasks: StoreTask[],
    readonly report: PrepareReport,
    private readonly packs: PackReader[],
  ) {}

  get bands(): number {
    return this.frontend.melBands;
  }

  task(name: string): StoreTask {
    const t = this.tasks.find((x) => x.task.name === name);
    if (!t) throw new MtaError('BAD_ARGUMENT', 'no such task in the suite', { subject: name });
    return t;
  }

  /**
   * Copies frames [start, start + count) of a clip (or of its noisy `variant`) into `out` at
   * `outFrame` (in frames); frames past the clip's end are filled with `fill`.
   */
  readFrames(
    t: StoreTask,
    clip: number,
    start: number,
    count: number,
    out: Float32Array,
    outFrame: number,
    fill: number,
    variant = -1,
  ): void {
    const loc = variant < 0 ? t.locations[clip] : t.variants[clip][variant];
    const bands = this.bands;
    const avail = Math.max(0, Math.min(count, loc.frames - start));
    if (avail > 0) {
      const dest = new Uint8Array(out.buffer, out.byteOffset + outFrame * bands * 4, avail * bands * 4);
      loc.pack.read(loc.offset + start * bands * 4, dest);
    }
    if (avail < count) out.fill(fill, (outFrame + avail) * bands, (outFrame + count) * bands);
  }

  /** All frames of a clip: frames × bands. */
  clipFrames(
    t: StoreTask,
    clip: number,
    variant = -1,
  ): { frames: number; bands: number; data: Float32Array } {
    const n = variant < 0 ? t.locations[clip].frames : t.variants[clip][variant].frames;
    const data = new Float32Array(n * this.bands);
    this.readFrames(t, clip, 0, n, data, 0, 0, variant);
    return { frames: n, bands: this.bands, data };
  }

  close(): void {
    for (const p of this.packs) p.close();
    this.packs.length = 0;
  }
}

/** Noisy variant k of a training clip: a fixed mixture with a noise recording from the pool. */
export function noiseVariant(suiteSeed: number, task: ResolvedTask, clip: ClipRecord, k: number): ClipAudio {
  const cfg = task.augment!.noise!;
  const rng = Rng.derive(suiteSeed, `noise-augment:${task.name}:${clip.id}:${k}`);
  const noise = task.noisePool[rng.int(task.noisePool.length)];
  if (clip.audio.kind === 'mixture') throw new Error('noise augmentation of a mixture');
  return {
    kind: 'mixture',
    speech: clip.audio,
    noise,
    snrDb: rng.uniform(cfg.snrDb[0], cfg.snrDb[1]),
    seed: rng.nextU32(),
    minSeconds: 0,
  };
}

/** Makes sure every clip of the suite has cached features (extracting what is missing) and opens them. */
export async function prepareFeatures(
  suite: ResolvedSuite,
  opts: PrepareOptions = {},
): Promise<FeatureStore> {
  const t0 = performance.now();
  const frontend = parseFrontendConfig(opts.frontend ?? DEFAULT_FRONTEND);
  const feJson = JSON.stringify(frontend, Object.keys(frontend).sort());
  const dir = join(
    resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR),
    'features-v1',
    createHash('sha1').update(feJson).digest('hex').slice(0, 16),
  );
  mkdirSync(dir, { recursive: true });
  const splits = new Set<Split>(opts.splits ?? ['train', 'val', 'test']);
  const hasher = new ContentHasher();
  const skipped: SkippedClip[] = [];

  // 1. Keys for every clip and noisy variant we need.
  type Want = { t: number; c: number; variant: number; audio: ClipAudio; key: string };
  const wants: Want[] = [];
  const selected = suite.tasks.map((task) => task.clips.filter((c) => splits.has(c.split)));
  selected.forEach((clips, ti) => {
    const task = suite.tasks[ti];
    clips.forEach((clip, ci) => {
      const audios: ClipAudio[] = [clip.audio];
      if (task.augment?.noise && clip.split === 'train') {
        for (let k = 0; k < task.augment.noise.variants; k++)
          audios.push(noiseVariant(suite.seed, task, clip, k));
      }
      try {
        audios.forEach((audio, v) => {
          const recipe = JSON.stringify([FEATURE_FORMAT, feJson, hasher.describe(audio)]);
          wants.push({
            t: ti,
            c: ci,
            variant: v - 1,
            audio,
            key: createHash('sha1').update(recipe).digest('hex'),
          });
        });
      } catch (e) {
        skipped.push(skip(clip, e));
      }
    });
  });

  // 2. What the cache already has (checking it), and which packs hold corrupt entries.
  const packs: PackReader[] = [];
  const have = new Map<string, Location>();
  const condemned: PackReader[] = [];
  let rebuilt = 0;
  const needed = new Set(wants.map((w) => w.key));
  const scratch = { buf: new Uint8Array(1 << 16) };
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.pack'))
    .sort()) {
    let p: PackReader;
    try {
      p = new PackReader(join(dir, name));
    } catch {
      rmSync(join(dir, name), { force: true }); // unreadable header: nothing in it can be trusted
      continue;
    }
    let bad = false;
    for (const e of p.entries) {
      if (!needed.has(e.key) || have.has(e.key)) continue;
      if (opts.verify !== false && (p.bands !== frontend.melBands || !p.verify(e, scratch))) {
        bad = true;
        rebuilt++;
        continue;
      }
      have.set(e.key, { pack: p, offset: e.offset, frames: e.frames, samples: e.samples });
    }
    packs.push(p);
    if (bad) condemned.push(p);
  }

  // 3. Extract what is missing, in jobs that share a source file.
  const missing = new Map<string, Want>();
  for (const w of wants) if (!have.has(w.key) && !missing.has(w.key)) missing.set(w.key, w);
  const jobs = groupJobs([...missing.values()], frontend);
  const failed = new Map<string, string>();
  let pending: PackItem[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const path = join(
      dir,
      `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.pack`,
    );
    writePack(path, frontend.melBands, pending);
    const p = new PackReader(path);
    packs.push(p);
    for (const e of p.entries)
      have.set(e.key, { pack: p, offset: e.offset, frames: e.frames, samples: e.samples });
    pending = [];
    pendingBytes = 0;
  };
  const bar =
    opts.progress === false || missing.size === 0 ? undefined : progress('features', missing.size, 'clips');
  await runExtraction(
    jobs,
    (r) => {
      if (r.error !== undefined) failed.set(r.key, r.error);
      else {
        pending.push({ key: r.key, frames: r.frames, samples: r.samples, data: r.data });
        pendingBytes += r.data.byteLength;
        if (pendingBytes >= PACK_TARGET_BYTES) flush();
      }
      bar?.tick();
    },
    opts.workers,
  );
  bar?.stop();
  // Good entries of packs with corrupt ones move to a fresh pack; then the old pack goes.
  for (const p of condemned) {
    for (const e of p.entries) {
      const loc = have.get(e.key);
      if (loc && loc.pack === p) {
        const data = new Float32Array(e.frames * p.bands);
        p.read(e.offset, new Uint8Array(data.buffer));
        pending.push({ key: e.key, frames: e.frames, samples: e.samples, data });
      }
    }
  }
  flush();
  for (const p of condemned) {
    p.close();
    rmSync(p.path, { force: true });
  }

  // 4. Per-task views without the clips that failed.
  const byClip = new Map<string, Want[]>();
  for (const w of wants) {
    const k = `${w.t}:${w.c}`;
    byClip.set(k, [...(byClip.get(k) ?? []), w]);
  }
  const tasks: StoreTask[] = suite.tasks.map((task, ti) => {
    const st: StoreTask = {
      task,
      clips: [],
      frames: new Int32Array(0),
      samples: new Int32Array(0),
      variants: [],
      locations: [],
    };
    const frames: number[] = [];
    const samples: number[] = [];
    selected[ti].forEach((clip, ci) => {
      const ws = byClip.get(`${ti}:${ci}`);
      if (!ws) return; // already reported
      const err = ws.map((w) => failed.get(w.key)).find((e) => e !== undefined);
      if (err !== undefined) {
        skipped.push({ task: task.name, id: clip.id, audio: describeAudio(clip.audio), reason: err });
        return;
      }
      const locs = ws.map((w) => have.get(w.key)!);
      st.clips.push(clip);
      st.locations.push(locs[0]);
      st.variants.push(locs.slice(1));
      frames.push(locs[0].frames);
      samples.push(locs[0].samples);
    });
    st.frames = Int32Array.from(frames);
    st.samples = Int32Array.from(samples);
    return st;
  });
  const report: PrepareReport = {
    clips: selected.reduce((s, c) => s + c.length, 0),
    extracted: missing.size - failed.size,
    cached: new Set(wants.map((w) => w.key)).size - missing.size,
    rebuilt,
    skipped,
    seconds: (performance.now() - t0) / 1000,
  };
  // Keep open only the packs this suite reads from.
  const used = new Set(tasks.flatMap((t) => [...t.locations, ...t.variants.flat()].map((l) => l.pack)));
  for (const p of packs) if (!used.has(p) && !condemned.includes(p)) p.close();
  return new FeatureStore(frontend, tasks, report, [...used]);
}

function skip(clip: ClipRecord, e: unknown): SkippedClip {
  return {
    task: clip.task,
    id: clip.id,
    audio: describeAudio(clip.audio),
    reason: e instanceof MtaError ? e.describe() : e instanceof Error ? e.message : String(e),
  };
}

/** Jobs of clips that share their first source file (so a long track is decoded once). */
function groupJobs(wants: { key: string; audio: ClipAudio }[], frontend: FrontendConfig): ExtractJob[] {
  const byFile = new Map<string, ExtractSpec[]>();
  for (const w of wants) {
    const a = w.audio.kind === 'mixture' ? w.audio.speech : w.audio;
    const f =
      a.kind === 'file' ? `${a.path}|${a.resampleThroughHz ?? ''}` : `builtin:${a.ref.task}:${a.ref.index}`;
    const list = byFile.get(f);
    if (list) list.push({ key: w.key, audio: w.audio });
    else byFile.set(f, [{ key: w.key, audio: w.audio }]);
  }
  return [...byFile.values()].map((specs, id) => ({ id, frontend, specs }));
}
