/**
 * Generation speed of the built-in suite on one core (not a test): renders every clip of the
 * default suite (8 tasks × 500 clips) in this thread and prints per-task cost, overall clips/s,
 * and the ratio against the peer, the budget of the whole default suite in 60 s on one
 * core. Wall time is what the budget is about; CPU time is printed too, since on a shared
 * machine it is the steadier figure.
 *
 *   npm run bench:builtin -- [--clips-per-task 500] [--seed 0]
 */
import { progress } from '../src/common/index.js';
import { builtinSuitePlan, renderBuiltinClip } from '../src/data/builtin/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const BUDGET_SECONDS = 60;
const BUDGET_CLIPS = 8 * 500;

const seed = arg('--seed', 0);
const clipsPerTask = arg('--clips-per-task', 500);
const { tasks, clips } = builtinSuitePlan({ seed, clipsPerTask });
const perTask = new Map(tasks.map((t) => [t.name, { ms: 0, audio: 0, n: 0 }]));
const bar = progress('bench: render', clips.length, 'clips');
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (const ref of clips) {
  const t0 = performance.now();
  const x = renderBuiltinClip(ref, { seed });
  const row = perTask.get(ref.task)!;
  row.ms += performance.now() - t0;
  row.audio += x.length / 16000;
  row.n++;
  bar.tick(1, ref.task);
}
bar.stop();
const wall = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const audio = [...perTask.values()].reduce((s, r) => s + r.audio, 0);

console.log(`built-in suite, seed ${seed}, ${clipsPerTask} clips per task, one thread`);
console.log('task        ms/clip   audio s/clip');
for (const [name, r] of perTask) {
  console.log(
    `${name.padEnd(10)}${(r.ms / r.n).toFixed(2).padStart(9)}${(r.audio / r.n).toFixed(2).padStart(14)}`,
  );
}
const rate = clips.length / wall;
console.log(
  `total: ${clips.length} clips, ${(audio / 60).toFixed(1)} min of audio in ${wall.toFixed(1)} s wall ` +
    `(${cpuSeconds.toFixed(1)} s CPU): ${rate.toFixed(0)} clips/s, ${(audio / wall).toFixed(0)}× real time`,
);
console.log(
  `vs peer (budget: ${BUDGET_CLIPS} clips in ${BUDGET_SECONDS} s = ${(BUDGET_CLIPS / BUDGET_SECONDS).toFixed(1)} clips/s): ` +
    `${(rate / (BUDGET_CLIPS / BUDGET_SECONDS)).toFixed(2)}× (wall), ` +
    `${(clips.length / cpuSeconds / (BUDGET_CLIPS / BUDGET_SECONDS)).toFixed(2)}× (CPU)`,
);
