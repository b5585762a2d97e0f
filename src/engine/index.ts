export { constantLr, cosineDecay, stepDecay, withWarmup, type LrSchedule } from './schedule.js';
