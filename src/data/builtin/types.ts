import type { Rng } from '../../common/index.js';
import type { Channel } from './finish.js';

export type Split = 'train' | 'val' | 'test';

export interface BuiltinTaskSpec {
  name: string;
  classes: string[];
}

/** One clip of the built-in suite: everything needed to render it and to place it in a split. */
export interface BuiltinClipRef {
  task: string;
  /** Position within the task, 0-based; with the seed it determines the clip. */
  index: number;
  /** Index into the task's classes. */
  label: number;
  split: Split;
  /** The generating source (speaker, location, instrument...): a group never spans two splits. */
  group: string;
  id: string;
}

/** How a task's clips are grouped into generating sources. */
export interface GroupRule {
  /** Size of the pool of sources (per class when perClass); a multiple of 20 splits exactly 70/15/15. */
  count: number;
  /** Each class has its own sources (a speaker speaks one language) or all share them. */
  perClass: boolean;
  /** Group ids are `<prefix>07`, or `<class>-<prefix>07` per class. */
  prefix: string;
}

export interface ClipRequest {
  label: number;
  /** Clip length in samples. */
  length: number;
  /** Draws for this clip alone, derived from (seed, task, index). */
  rng: Rng;
  /**
   * A fresh stream derived from (seed, task, group, part): identical for every clip of the group.
   * Distinct parts give independent streams for independent properties of the group.
   */
  groupRng(part?: string): Rng;
}

/** A task of the built-in suite: its classes, grouping, and a renderer of raw (unfinished) clips. */
export interface TaskGenerator extends BuiltinTaskSpec {
  /** Clip duration range in seconds. */
  seconds: [number, number];
  groups: GroupRule;
  /** Returns exactly req.length samples at any scale; finishing (channel, level) happens after. */
  render(req: ClipRequest): Float32Array;
  /** The recording channel when it belongs to the group (a speaker's session), not the clip. */
  channel?(req: ClipRequest): Channel;
}
