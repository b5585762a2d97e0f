/** The eight tasks of the built-in suite, in the order the paper lists its tasks. */
import { birdTask } from './tasks/bird.js';
import { instrumentTask } from './tasks/instrument.js';
import { keywordTask } from './tasks/keyword.js';
import { languageTask } from './tasks/language.js';
import { pitchTask } from './tasks/pitch.js';
import { sceneTask } from './tasks/scene.js';
import { smnTask } from './tasks/smn.js';
import { speakerTask } from './tasks/speaker.js';
import type { TaskGenerator } from './types.js';

export const BUILTIN_TASKS: readonly TaskGenerator[] = [
  smnTask,
  birdTask,
  sceneTask,
  keywordTask,
  languageTask,
  speakerTask,
  instrumentTask,
  pitchTask,
];
