/**
 * The live loop in Chromium (browser mode, fake microphone playing espeak-ng "yes"): the bundled
 * demo model in the Live view for a few seconds; reports updates per second (goal ≥ 10) and the
 * inference worker's busy time per second of audio (goal < 10 % of a core), as the page measures.
 * Usage: tsx test/bench/live-loop.ts [--seconds N]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, spokenWordMic } from '../e2e/harness';
import { argValue, machineLine, table, writeResult } from './bench-util';

const seconds = Number(argValue('--seconds') ?? 10);
const work = mkdtempSync(join(tmpdir(), 'quench-live-'));
const mic = spokenWordMic(work, 'yes', 200);
const h = await openApp({ audio: mic }, work);
const samples: { rate: number; cpu: number }[] = [];
try {
  await h.page.getByRole('button', { name: 'Open the demo' }).click();
  await h.page.getByRole('button', { name: 'Start microphone' }).click();
  await h.page.waitForTimeout(2000); // warm-up
  for (let s = 0; s < seconds; s++) {
    await h.page.waitForTimeout(1000);
    const text = (await h.page.getByTestId('rate').textContent()) ?? '';
    const m = /([\d.]+) updates\/s · engine ([\d.]+) %/.exec(text);
    if (m) samples.push({ rate: Number(m[1]), cpu: Number(m[2]) / 100 });
  }
} finally {
  await h.close();
}
const mean = (f: (s: { rate: number; cpu: number }) => number) =>
  samples.reduce((a, s) => a + f(s), 0) / samples.length;
const rate = mean((s) => s.rate);
const cpu = mean((s) => s.cpu);
console.log(
  `live loop: ${rate.toFixed(1)} updates/s (goal ≥ 10), inference worker ${(100 * cpu).toFixed(1)} % of a core per second of audio (goal < 10 %), over ${samples.length} s`
);
console.log(machineLine());
writeResult(
  'live-loop',
  { seconds, samples, rate, cpu, machine: machineLine() },
  [
    '## Live loop in Chromium (audio, demo model)',
    '',
    `Browser mode in Debian's Chromium with a fake microphone; ${samples.length} one-second readings after a 2 s warm-up.`,
    '',
    table(
      ['measure', 'value', 'goal'],
      [
        ['predictions shown per second', rate.toFixed(1), '≥ 10'],
        [
          'inference worker busy time per second of audio',
          `${(100 * cpu).toFixed(1)} % of a core`,
          '< 10 %'
        ]
      ]
    )
  ].join('\n')
);
process.exitCode = rate >= 10 && cpu < 0.1 ? 0 : 1;
