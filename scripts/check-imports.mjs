// Architecture check: no import cycles between modules in src/, and a module imports another stage
// folder only through that folder's public index.ts. Exits 1 with the offending chain.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve('src');
const files = (function find(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.ts') ? [p] : [];
  });
})(root);

const importRe = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const graph = new Map();
const problems = [];
const folderOf = (f) => relative(root, f).split('/')[0];

for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
    deps.push(target);
    const from = folderOf(f);
    const to = folderOf(target);
    if (from !== to && !target.endsWith('/index.ts') && relative(root, target).includes('/')) {
      problems.push(`${relative('.', f)} imports ${spec}: go through ${to}/index.ts`);
    }
  }
  graph.set(f, deps);
}

const state = new Map();
function visit(f, stack) {
  if (state.get(f) === 'done') return;
  if (state.get(f) === 'open') {
    const cycle = stack.slice(stack.indexOf(f)).concat(f);
    problems.push('import cycle: ' + cycle.map((p) => relative('.', p)).join(' -> '));
    return;
  }
  state.set(f, 'open');
  for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...stack, f]);
  state.set(f, 'done');
}
for (const f of files) visit(f, []);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`imports ok: ${files.length} modules, no cycles, stage folders used through index.ts`);
