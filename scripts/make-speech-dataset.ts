/**
 * Builds a spoken-word dataset in the folder format with espeak-ng and sox: a few words spoken by
 * many voices, speeds and pitches, mixed with noise, plus a background-noise class of long noise
 * recordings. Voices are split: the test split only has voices never heard in training.
 *
 * Usage: tsx scripts/make-speech-dataset.ts --out DIR [--words yes,no,up,down] [--small]
 * Writes DIR/train/<class>/*.wav and DIR/test/<class>/*.wav.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    words: { type: 'string', default: 'yes,no,up,down,stop' },
    small: { type: 'boolean', default: false }
  }
});
if (!values.out) {
  console.error('usage: tsx scripts/make-speech-dataset.ts --out DIR [--words a,b,c] [--small]');
  process.exit(2);
}
const out = values.out;
const words = values.words!.split(',').filter(Boolean);

/** espeak-ng voice + variant; the base languages and the variants both differ between splits. */
const TRAIN_VOICES = [
  'en-us',
  'en-us+f3',
  'en-us+m3',
  'en-gb+f2',
  'en-gb+m1',
  'en-gb-scotland+m4',
  'en-gb-x-rp+f4',
  'en-029+m2',
  'en-gb-x-gbclan+f1',
  'en-us+klatt'
];
const TEST_VOICES = ['en-gb-x-gbcwmd+m7', 'en-us+f5', 'en-gb-x-rp+m5', 'en-029+f2'];
const SPEEDS = values.small ? [150] : [120, 160, 200];
const PITCHES = values.small ? [50] : [30, 50, 75];
const NOISES = ['whitenoise', 'pinknoise', 'brownnoise'];

async function pool<T>(items: T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) await fn(items[next++]);
    })
  );
}

interface Job {
  split: 'train' | 'test';
  word: string;
  voice: string;
  speed: number;
  pitch: number;
  index: number;
}

async function speak(job: Job): Promise<void> {
  const dir = join(out, job.split, job.word);
  const clean = join(dir, `.clean-${job.index}.wav`);
  const file = join(
    dir,
    `${job.voice.replace(/[^a-z0-9]+/gi, '_')}-s${job.speed}-p${job.pitch}.wav`
  );
  await run('espeak-ng', [
    '-v',
    job.voice,
    '-s',
    String(job.speed),
    '-p',
    String(job.pitch),
    '-w',
    clean,
    job.word
  ]);
  // Noise at a level that varies from clip to clip (deterministically by index).
  const noise = NOISES[job.index % NOISES.length];
  const level = [0.004, 0.01, 0.02][job.index % 3];
  await run('sh', [
    '-c',
    `sox -n -r 22050 -c 1 -b 16 -t wav - synth 1.2 ${noise} vol ${level} | sox -m "${clean}" -t wav - -b 16 "${file}" trim 0 1.2`
  ]);
  rmSync(clean);
}

async function background(split: 'train' | 'test', count: number, seconds: number): Promise<void> {
  const dir = join(out, split, 'background');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const noise = NOISES[i % NOISES.length];
    const level = [0.01, 0.03, 0.1][Math.floor(i / NOISES.length) % 3];
    await run('sh', [
      '-c',
      `sox -n -r 16000 -c 1 -b 16 "${join(dir, `${split}-${noise}-${i}.wav`)}" synth ${seconds} ${noise} vol ${level}`
    ]);
  }
}

const started = performance.now();
rmSync(out, { recursive: true, force: true });
const jobs: Job[] = [];
let index = 0;
for (const [split, voices] of [
  ['train', TRAIN_VOICES],
  ['test', TEST_VOICES]
] as const) {
  for (const word of words) {
    mkdirSync(join(out, split, word), { recursive: true });
    for (const voice of voices) {
      for (const speed of SPEEDS)
        for (const pitch of PITCHES)
          jobs.push({ split, word, voice, speed, pitch, index: index++ });
    }
  }
}
await pool(jobs, 4, speak);
await background('train', values.small ? 3 : 9, values.small ? 10 : 20);
await background('test', 3, values.small ? 5 : 10);
console.log(
  `wrote ${jobs.length} spoken clips (${words.join(', ')}) + background to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `train voices: ${TRAIN_VOICES.length}, held-out test voices: ${TEST_VOICES.join(', ')}`
);
