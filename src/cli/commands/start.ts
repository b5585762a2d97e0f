import type { Command } from 'commander';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the main job on the built-in suite (what `npm start` runs).')
    .action(async () => {
      process.stdout.write('main job: not built yet\n');
    });
}
