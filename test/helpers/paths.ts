import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared real-audio corpora, by the relative path the project promises (../shared/data). */
export const DATA_DIR = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
export const hasSharedData = existsSync(DATA_DIR);
