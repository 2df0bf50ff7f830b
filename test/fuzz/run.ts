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
import * as ort from 'onnxruntime-web';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { makeFormatFuzzers, makeFuzzers, runFuzzer, type Fuzzer, type FuzzReport } from './fuzzers';
import { makeSeeds } from './seeds';
import { onnxRoundTrip } from './onnx-roundtrip';

const cases = Number(argValue('--cases') ?? 10_000);
const seed = Number(argValue('--seed') ?? 1);
const model = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
);
const reports: FuzzReport[] = [];
let failed = false;
await initTrainingBackend({ backend: 'wasm' });
ort.env.wasm.numThreads = 1;
const roundTrip: Fuzzer = {
  name: 'ONNX round trip',
  run: async (rng) => void (await onnxRoundTrip(rng))
};
for (const [f, n] of [
  ...makeFuzzers(model).map((f) => [f, cases] as const),
  ...makeFormatFuzzers(makeSeeds()).map((f) => [f, cases] as const),
  [roundTrip, cases] as const
]) {
  try {
    const r = await runFuzzer(f, n, seed);
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
    `${cases} seeded cases per parser (seed ${seed}; for the ONNX round trip, random networks): mutations of valid inputs (bit flips, overwrites, truncation, duplication, insertion) and random bytes; every case must end in the parser's own error or a valid result.`,
    '',
    table(
      ['parser', 'cases', 'slowest case (ms)', 'heap growth (MB)'],
      reports.map((r) => [r.name, r.cases, r.slowestMs.toFixed(1), r.heapGrowthMB.toFixed(1)])
    )
  ].join('\n')
);
process.exitCode = failed ? 1 : 0;
