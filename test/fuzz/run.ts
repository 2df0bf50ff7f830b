/**
 * `npm run fuzz`: every parser of untrusted input under ≥ 10,000 mutated or random cases (seeded,
 * repeatable). Fails if any case throws anything but the parser's own clear error. Reports the
 * slowest case and heap growth per parser.
 * Also trains `--trained N` (default 200) tiny random models (test/fixtures/tiny-cases.ts) and
 * requires each to convert, load, run and export with ≥ 99 % top-1 agreement.
 * And runs an hour-long MP3 (`--long-audio-minutes N`, default 60; 0 skips it) through
 * `quench predict`, `quench stream` and a background class, requiring each to stay within twice
 * the recording's 16 kHz mono size (plus 100 MB of uncollected garbage) of what a 10 s file takes
 * (long-audio.ts).
 * Usage: tsx test/fuzz/run.ts [--cases N] [--trained N] [--seed S] [--long-audio-minutes N]
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
import fc from 'fast-check';
import { checkCase, tinyCase } from '../fixtures/tiny-cases';
import { checkLongAudio, longAudioMemory, type LongAudioReport } from './long-audio';

const cases = Number(argValue('--cases') ?? 10_000);
const trained = Number(argValue('--trained') ?? 200);
const seed = Number(argValue('--seed') ?? 1);
const longMinutes = Number(argValue('--long-audio-minutes') ?? 60);
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
const trainedModels: Fuzzer = {
  name: 'trained models',
  run: async (rng) => {
    const c = fc.sample(tinyCase, { seed: rng.seed(), numRuns: 1 })[0];
    const r = await checkCase(c);
    const refusedRightly = c.actBits === 32 && c.kwta < 1 && r.refused !== undefined;
    if (!refusedRightly && (r.refused || r.agreement < 0.99 || r.onnxAgreement < 0.99)) {
      throw new Error(`${JSON.stringify(c)}: ${JSON.stringify(r)}`);
    }
  }
};
for (const [f, n] of [
  ...makeFuzzers(model).map((f) => [f, cases] as const),
  ...makeFormatFuzzers(makeSeeds()).map((f) => [f, cases] as const),
  [roundTrip, cases] as const,
  [trainedModels, trained] as const
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
let longAudio: LongAudioReport | undefined;
if (longMinutes > 0) {
  try {
    longAudio = longAudioMemory(longMinutes);
    for (const line of checkLongAudio(longAudio)) console.log(line);
  } catch (e) {
    failed = true;
    console.error(`long audio: FAILED — ${(e as Error).message}`);
  }
}
console.log(machineLine());
writeResult(
  'fuzz',
  { cases, seed, reports, longAudio, failed, machine: machineLine() },
  [
    '## Fuzzing the parsers of untrusted input',
    '',
    `${cases} seeded cases per parser (seed ${seed}; for the ONNX round trip, random networks; ${trained} tiny random trainings for “trained models”): mutations of valid inputs (bit flips, overwrites, truncation, duplication, insertion) and random bytes; every case must end in the parser's own error or a valid result.`,
    '',
    table(
      ['parser', 'cases', 'slowest case (ms)', 'heap growth (MB)'],
      reports.map((r) => [r.name, r.cases, r.slowestMs.toFixed(1), r.heapGrowthMB.toFixed(1)])
    ),
    ...(longAudio
      ? [
          '',
          `A ${longAudio.minutes}-minute 44.1 kHz stereo MP3 (64 kb/s) against a 10 s one, peak resident memory of each path in a process of its own (its 16 kHz mono float32 size: ${longAudio.monoMB.toFixed(0)} MB):`,
          '',
          table(
            ['path', '10 s (MB)', `${longAudio.minutes} min (MB)`, 'limit (MB)'],
            longAudio.rows.map((r) => [
              r.mode,
              r.shortMB.toFixed(0),
              r.longMB.toFixed(0),
              r.limitMB.toFixed(0)
            ])
          )
        ]
      : [])
  ].join('\n')
);
process.exitCode = failed ? 1 : 0;
