/**
 * `npm run bench`: runs every benchmark script in its own process (so one's memory and compiled
 * kernels don't colour the next), then gathers their markdown sections into docs/BENCHMARKS.md.
 * Usage: tsx test/bench/run-all.ts [--only name,name] [--gather]  (--gather: rebuild the doc only)
 * A bench without a JSON in test-artifacts/bench keeps its section from the current doc.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { argValue, machineLine } from './bench-util';

const BENCHES = [
  'train-speed',
  'train-profile',
  'train-digits',
  'speech-cli',
  'inference',
  'features',
  'live-loop',
  'first-project',
  'generalize',
  'sparsity-energy',
  'soak'
];
/** Written by `npm run fuzz` (test/fuzz/run.ts); gathered here when present. */
const GATHERED_ONLY = ['fuzz'];

const only = argValue('--only')?.split(',');
const chosen = process.argv.includes('--gather')
  ? []
  : BENCHES.filter((b) => !only || only.includes(b));
let failed = false;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join('test', 'bench', `${name}.ts`)],
    {
      stdio: 'inherit'
    }
  );
  if (r.status !== 0) {
    console.error(`${name} exited with ${r.status}`);
    failed = true;
  }
}

// The doc's current section per bench (after its "<!-- bench: name -->" marker), kept for a bench
// whose JSON is not here (a run with --only on a fresh clone refreshes only what it ran).
const previous = new Map<string, string>();
try {
  const old = readFileSync(join('docs', 'BENCHMARKS.md'), 'utf8');
  for (const part of old.split(/^<!-- bench: /m).slice(1)) {
    const end = part.indexOf(' -->');
    previous.set(part.slice(0, end), part.slice(end + ' -->'.length).trim());
  }
} catch {
  // no doc yet
}
const sections: string[] = [];
for (const name of [...BENCHES, ...GATHERED_ONLY]) {
  let text = `## ${name}\n\nNot run yet: \`tsx test/bench/${name}.ts\`.`;
  try {
    const result = JSON.parse(
      readFileSync(join('test-artifacts', 'bench', `${name}.json`), 'utf8')
    );
    if (result.markdown) text = `${result.markdown}\n\n_${result.machine ?? ''}_`;
  } catch {
    text = previous.get(name) ?? text;
  }
  sections.push(`<!-- bench: ${name} -->\n${text}`);
}
const doc = [
  '# Benchmarks',
  '',
  'Produced by `npm run bench` (test/bench/run-all.ts); every number below comes from the JSON the',
  'scripts wrote in test-artifacts/bench/. Ratios compare runs made in the same process.',
  '',
  `Last gathered on: ${machineLine().replace('machine: ', '')}.`,
  '',
  sections.join('\n\n'),
  ''
].join('\n');
mkdirSync('docs', { recursive: true });
const tmp = join('docs', `.BENCHMARKS.md.${process.pid}.tmp`);
writeFileSync(tmp, doc);
renameSync(tmp, join('docs', 'BENCHMARKS.md'));
console.log('\nwrote docs/BENCHMARKS.md');
process.exitCode = failed ? 1 : 0;
