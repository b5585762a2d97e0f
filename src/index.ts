/** Public library API of multitask-adapters. Each stage folder exposes its own index. */
export * from './common/index.js';
export * from './runtime/index.js';
