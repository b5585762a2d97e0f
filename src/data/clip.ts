/**
 * Clip records: what a suite resolves to before any audio is decoded. A clip says where its audio
 * comes from (a file, a window of a file, a built-in generator call, or a mixture of two of those),
 * its task, label, split and group.
 */
import type { BuiltinClipRef } from './builtin/index.js';
import type { Split } from './suite-schema.js';

/** Time range of a file, in seconds, for clips cut from long recordings. */
export interface ClipWindow {
  startSec: number;
  durationSec: number;
}

export interface FileAudio {
  kind: 'file';
  /** Absolute path. */
  path: string;
  window?: ClipWindow;
  /** Decode at this rate, then resample to the front end's: band-limits the clip. */
  resampleThroughHz?: number;
}

export interface BuiltinAudio {
  kind: 'builtin';
  ref: BuiltinClipRef;
  seed: number;
  resampleThroughHz?: number;
}

export type PlainAudio = FileAudio | BuiltinAudio;

export interface MixtureAudio {
  kind: 'mixture';
  speech: PlainAudio;
  noise: PlainAudio;
  snrDb: number;
  /** Seeds where the speech sits in the mixture and which part of the noise is used. */
  seed: number;
  minSeconds: number;
}

export type ClipAudio = PlainAudio | MixtureAudio;

export interface ClipRecord {
  task: string;
  /** Unique within the task: the path relative to the suite folder (plus `@start+dur` for windows). */
  id: string;
  label: number;
  split: Split;
  /** Clips of one group (speaker, source recording, track) always share a split. */
  group: string;
  audio: ClipAudio;
}

/** A clip as a source lists it: label still a string, split only if the source says. */
export interface RawClip {
  audio: PlainAudio;
  /** Path relative to the source root, `/`-separated: what regexes and list files match. */
  relPath: string;
  /** Stable id: the path relative to the suite folder (so seeds do not depend on the checkout). */
  id: string;
  label: string;
  group?: string;
  split?: Split;
}

/** Every file or generator call a clip's audio is made from (for content hashing and duplicates). */
export function plainParts(audio: ClipAudio): PlainAudio[] {
  return audio.kind === 'mixture' ? [audio.speech, audio.noise] : [audio];
}

/** A short human-readable name of a clip's audio: the file path, or the generator call. */
export function describeAudio(audio: ClipAudio): string {
  if (audio.kind === 'mixture') return `${describeAudio(audio.speech)} + ${describeAudio(audio.noise)}`;
  if (audio.kind === 'builtin') return `builtin:${audio.ref.task}/${audio.ref.id}`;
  return audio.window ? `${audio.path}@${audio.window.startSec}s` : audio.path;
}
