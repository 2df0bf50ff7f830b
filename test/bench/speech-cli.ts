/**
 * Issue 3's acceptance, as a script: builds the spoken-word dataset (espeak-ng + sox, test voices
 * held out), then runs the real CLI — `quench train` (4-bit weights, k-WTA) and `quench eval` — as
 * child processes, timing each. Goal: ≥ 90 % accuracy on the held-out voices.
 * Usage: tsx test/bench/speech-cli.ts [--epochs N] [--keep DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argValue, machineLine, table, writeResult } from './bench-util';

const dir = argValue('--keep') ?? mkdtempSync(join(tmpdir(), 'quench-speech-'));
const epochs = argValue('--epochs');

function timed(args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return { seconds: (performance.now() - started) / 1000, stdout: r.stdout };
}

const make = timed(['--import', 'tsx', 'scripts/make-speech-dataset.ts', '--out', dir]);
console.log(make.stdout.trim());
const model = join(dir, 'words-4bit.qnm');
const trainArgs = [
  'bin/quench.js',
  'train',
  '--data',
  join(dir, 'train'),
  '--out',
  model,
  '--weight-bits',
  '4',
  '--kwta',
  '0.5',
  '--json'
];
if (epochs) trainArgs.push('--epochs', epochs);
const trained = timed(trainArgs);
const t = JSON.parse(trained.stdout);
const evaluated = timed([
  'bin/quench.js',
  'eval',
  '--model',
  model,
  '--data',
  join(dir, 'test'),
  '--json'
]);
const e = JSON.parse(evaluated.stdout);
const ok = e.accuracy >= 0.9;
console.log(
  `train: ${t.examples} examples, ${t.epochs} epochs, ${trained.seconds.toFixed(1)} s; eval: ${e.examples} clips of unseen voices, accuracy ${(100 * e.accuracy).toFixed(2)} % (goal ≥ 90 %: ${ok ? 'met' : 'NOT met'}), ${evaluated.seconds.toFixed(1)} s`
);
writeResult(
  'speech-cli',
  {
    train: t,
    eval: e,
    trainSeconds: trained.seconds,
    evalSeconds: evaluated.seconds,
    datasetSeconds: make.seconds,
    machine: machineLine()
  },
  [
    '## Spoken words through the CLI (issue 3 acceptance)',
    '',
    `espeak-ng words (${t.labels.filter((l: string) => l !== 'background').join(', ')}) + background noise; the test voices never occur in training. ` +
      '`quench train --weight-bits 4 --kwta 0.5` then `quench eval`, each a separate process (times include start-up).',
    '',
    table(
      ['step', 'examples', 'accuracy', 'seconds'],
      [
        ['build dataset', '', '', make.seconds.toFixed(1)],
        [
          'train (4-bit weights, k-WTA 0.5)',
          t.examples,
          `validation ${(100 * t.validationAccuracy).toFixed(2)} %`,
          trained.seconds.toFixed(1)
        ],
        [
          'eval on held-out voices',
          e.examples,
          `${(100 * e.accuracy).toFixed(2)} %`,
          evaluated.seconds.toFixed(1)
        ]
      ]
    )
  ].join('\n')
);
if (!argValue('--keep')) rmSync(dir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
