/**
 * `npm run fuzz`: every parser of untrusted input under ≥ 10,000 mutated or random cases (seeded,
 * repeatable). Fails if any case throws anything but the parser's own clear error. Reports the
 * slowest case and heap growth per parser.
 * Usage: tsx test/fuzz/run.ts [--cases N] [--seed S]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../core/model-file/model-file';
import { argValue, machineLine, table, writeResult } from '../bench/bench-util';
import { makeFuzzers, runFuzzer, type FuzzReport } from './fuzzers';

const cases = Number(argValue('--cases') ?? 10_000);
const seed = Number(argValue('--seed') ?? 1);
const model = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
);
const reports: FuzzReport[] = [];
let failed = false;
for (const f of makeFuzzers(model)) {
  try {
    const r = await runFuzzer(f, cases, seed);
    reports.push(r);
    console.log(
      `${f.name.padEnd(16)} ${r.cases} cases, slowest ${r.slowestMs.toFixed(1)} ms, heap ${r.heapGrowthMB >= 0 ? '+' : ''}${r.heapGrowthMB.toFixed(1)} MB`
    );
  } catch (e) {
    failed = true;
    console.error(`${f.name}: FAILED — ${(e as Error).message}`);
  }
}
console.log(machineLine());
writeResult(
  'fuzz',
  { cases, seed, reports, failed, machine: machineLine() },
  [
    '## Fuzzing the parsers of untrusted input',
    '',
    `${cases} seeded cases per parser (seed ${seed}): mutations of valid inputs (bit flips, overwrites, truncation, duplication, insertion) and random bytes; every case must end in the parser's own error or a valid result.`,
    '',
    table(
      ['parser', 'cases', 'slowest case (ms)', 'heap growth (MB)'],
      reports.map((r) => [r.name, r.cases, r.slowestMs.toFixed(1), r.heapGrowthMB.toFixed(1)])
    )
  ].join('\n')
);
process.exitCode = failed ? 1 : 0;
