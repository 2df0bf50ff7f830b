/**
 * `npm run make-base -- --kind sound`: makes the keyword base that sound projects start from.
 *
 * 1. Synthesises a corpus (scripts/base/sound-corpus.ts: hundreds of words in every espeak-ng and
 *    flite voice, through room effects, plus other speech and background noise) into a cache
 *    folder outside the work tree, resuming a corpus left half made.
 * 2. Trains Quench's own k-WTA, 4-bit network (the audio-small preset's, or with
 *    `--arch keyword-base-large` scripts/base/keyword-base-large.spec.json: four wider blocks,
 *    which learnt the corpus better but generalised worse to festival voices, docs/BASES.md) on
 *    it with the app's pipeline: every word a class, the noise as the
 *    background class mixed under the words, a held-out part of the takes to keep the best epoch.
 * 3. Writes models/<name>.qnm, the "other sounds" pack models/<name>.others.wav (one-second clips
 *    of words and speech from the corpus, µ-law) and the training record models/<name>.json: the
 *    recipe, seed, time per stage, accuracy and energy.
 *
 * Usage: tsx scripts/make-base.ts --kind sound [--seed 1] [--words 400] [--takes 40]
 *   [--epochs 12] [--arch audio-small|keyword-base-large] [--name keyword-base] [--cache DIR]
 *   [--corpus DIR] [--pack 256] [--workers 2]
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { audioClips } from '../core/data/clips';
import { trainOnDataset, type PipelineProgress } from '../core/data/pipeline';
import { encodeWav } from '../core/features/wav';
import { encodeModel } from '../core/model-file/model-file';
import { applyOverrides, getPreset, validateSpec, type ModelSpec } from '../core/spec';
import { initTrainingBackend } from '../core/train/backend/init-backend';
import { createRng, shuffleInPlace } from '../core/util/rng';
import { writeFileAtomic } from '../electron/main/services/atomic-write';
import { folderSource } from '../electron/main/services/fs-dataset';
import { makeSoundCorpus } from './base/sound-corpus';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    seed: { type: 'string', default: '1' },
    words: { type: 'string', default: '400' },
    takes: { type: 'string', default: '40' },
    epochs: { type: 'string', default: '12' },
    arch: { type: 'string', default: 'audio-small' },
    name: { type: 'string' },
    cache: { type: 'string' },
    corpus: { type: 'string' },
    pack: { type: 'string', default: '256' },
    workers: { type: 'string', default: '2' }
  }
});

function usage(message: string): never {
  console.error(`make-base: ${message}`);
  console.error(
    'usage: tsx scripts/make-base.ts --kind sound [--seed 1] [--words 400] [--takes 40] [--epochs 12] [--arch audio-small|keyword-base-large] [--name NAME] [--cache DIR] [--corpus DIR] [--pack 256]'
  );
  process.exit(2);
}

function positive(name: keyof typeof values): number {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1) usage(`--${name} must be a positive whole number`);
  return v;
}

if (values.kind !== 'sound') {
  usage(
    values.kind === 'image'
      ? 'the vision base is not made by this script yet'
      : '--kind sound is required'
  );
}
const seed = positive('seed');
const epochs = positive('epochs');
const packSize = positive('pack');
const arch = values.arch!;
const name = values.name ?? (arch === 'audio-small' ? 'keyword-base' : arch);
const cache = resolve(
  values.cache ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'quench', 'make-base')
);
const stageSeconds: Record<string, number> = {};
const started = performance.now();
const elapsed = (t0: number) => (performance.now() - t0) / 1000;

/** The corpus recipe without its per-file records (those stay in the corpus's manifest.json). */
function corpusSummary(manifest: unknown): Record<string, unknown> {
  const m = manifest as Record<string, unknown>;
  const keep = [
    'seed',
    'options',
    'dictionary',
    'words',
    'evaluationWords',
    'voices',
    'recipe',
    'tools',
    'counts',
    'seconds'
  ];
  return Object.fromEntries(keep.filter((k) => k in m).map((k) => [k, m[k]]));
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s < 90 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

// 1. The corpus.
let t0 = performance.now();
const corpus = values.corpus
  ? resolve(values.corpus)
  : join(cache, `sound-corpus-seed${seed}-w${values.words}-t${values.takes}`);
let manifest: unknown;
if (values.corpus) {
  manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8'));
} else {
  console.error(`corpus → ${corpus} (resumes what an earlier run made)`);
  let lastLine = 0;
  manifest = await makeSoundCorpus({
    out: corpus,
    seed,
    words: positive('words'),
    takesPerWord: positive('takes'),
    workers: positive('workers'),
    onProgress: (done, total, eta) => {
      if (performance.now() - lastLine < 10_000 && done < total) return;
      lastLine = performance.now();
      console.error(`corpus: ${done} of ${total} files, ${formatSeconds(eta)} left`);
    }
  });
}
stageSeconds.corpus = elapsed(t0);

// 2. A dataset folder over it: a class per word, the noise as the background class.
const dataset = join(cache, `dataset-${name}`);
rmSync(dataset, { recursive: true, force: true });
mkdirSync(dataset, { recursive: true });
const words = readdirSync(join(corpus, 'words')).sort();
for (const w of words) symlinkSync(join(corpus, 'words', w), join(dataset, w));
symlinkSync(join(corpus, 'background'), join(dataset, '_background_noise_'));
// A seeded twentieth of the takes is held out (Speech Commands' testing_list.txt, which the
// pipeline honours): the base never trains on them, and the record gives its accuracy on them.
const heldOutRng = createRng(seed ^ 0x7e57);
const heldOut: string[] = [];
for (const w of words) {
  for (const f of readdirSync(join(corpus, 'words', w))
    .filter((x) => x.endsWith('.wav'))
    .sort())
    if (heldOutRng.next() < 0.05) heldOut.push(`${w}/${f}`);
}
writeFileSync(join(dataset, 'testing_list.txt'), `${heldOut.join('\n')}\n`);

// 3. Training.
const spec: ModelSpec =
  arch === 'keyword-base-large'
    ? validateSpec(
        JSON.parse(
          readFileSync(join(root, 'scripts', 'base', 'keyword-base-large.spec.json'), 'utf8')
        ),
        'keyword-base-large.spec.json'
      )
    : applyOverrides(getPreset(arch), { weightBits: 4, weightScheme: 'linear', kwta: 0.5 });
await initTrainingBackend({ backend: 'wasm' });
t0 = performance.now();
let lastReport = 0;
const onProgress = (p: PipelineProgress) => {
  if (performance.now() - lastReport < 15_000) return;
  lastReport = performance.now();
  if (p.stage === 'scan') console.error(`reading: ${p.done} of ${p.total} files`);
  else if (p.train) {
    const t = p.train;
    console.error(
      `epoch ${t.epoch}/${t.epochs}, batch ${t.batch}/${t.batches}: loss ${t.loss.toFixed(3)}, ` +
        `accuracy ${(100 * t.accuracy).toFixed(1)} %, ${t.samplesPerSecond.toFixed(0)} samples/s, ` +
        `${formatSeconds(p.job?.etaSeconds ?? t.etaSeconds)} left (load ${loadavg()[0].toFixed(1)})`
    );
  }
};
const r = await trainOnDataset(folderSource(dataset), spec, {
  seed,
  epochs,
  audioAugment: { copies: 1, maxShift: 0.25, gainDb: 10, noiseDb: [0, 30], speed: 0.1 },
  createdAt: new Date().toISOString(),
  onProgress
});
stageSeconds.train = elapsed(t0);
const out = join(root, 'models', `${name}.qnm`);
const modelBytes = encodeModel(r.contents);
await writeFileAtomic(out, modelBytes);

// 4. The "other sounds" pack: one-second clips of corpus words (two thirds) and other speech.
t0 = performance.now();
const rng = createRng(seed ^ 0x9ac4);
const features = { sampleRate: 16000, clipSeconds: 1 };
const packClips: Float32Array[] = [];
const packWords: string[] = [];
const wordTakes = words.flatMap((w) =>
  readdirSync(join(corpus, 'words', w))
    .filter((f) => f.endsWith('.wav'))
    .map((f) => ({ word: w, path: join(corpus, 'words', w, f) }))
);
shuffleInPlace(wordTakes, rng);
for (const t of wordTakes.slice(0, Math.round((2 * packSize) / 3))) {
  const c = await audioClips(new Uint8Array(readFileSync(t.path)), t.path, features, false);
  if (c.clips.length === 0) continue;
  packClips.push(c.clips[0]);
  packWords.push(t.word);
}
const speech = readdirSync(join(corpus, 'speech')).filter((f) => f.endsWith('.wav'));
shuffleInPlace(speech, rng);
for (const f of speech) {
  if (packClips.length >= packSize) break;
  const path = join(corpus, 'speech', f);
  const c = await audioClips(new Uint8Array(readFileSync(path)), path, features, false);
  for (const clip of c.clips.slice(0, 2)) {
    if (packClips.length >= packSize) break;
    packClips.push(clip);
    packWords.push('(speech)');
  }
}
const all = new Float32Array(packClips.length * 16000);
packClips.forEach((c, i) => all.set(c, i * 16000));
const pcm = join(cache, `${name}.others.pcm.wav`);
writeFileSync(pcm, encodeWav([all], 16000));
const packOut = join(root, 'models', `${name}.others.wav`);
execFileSync('sox', [pcm, '-e', 'u-law', '-b', '8', `${packOut}.tmp.wav`]);
renameSync(`${packOut}.tmp.wav`, packOut);
rmSync(pcm);
stageSeconds.pack = elapsed(t0);

// 5. The record.
const ev = r.evaluation;
const record = {
  about:
    `The keyword base: Quench's own ${r.contents.spec.quant.weightBits}-bit k-WTA network trained by ` +
    `scripts/make-base.ts on ${Object.values(r.counts).reduce((a, b) => a + b, 0)} one-second clips ` +
    `of ${words.length} words spoken by espeak-ng and flite voices through room effects, plus background noise.`,
  name,
  seed,
  arch,
  madeAt: new Date().toISOString(),
  seconds: { ...stageSeconds, total: elapsed(started) },
  loadAverage: loadavg()[0],
  corpus: corpusSummary(manifest),
  training: {
    epochs,
    samplesPerSecond: r.result.samplesPerSecond,
    examples: r.examples,
    history: r.result.history.map((h) => ({
      epoch: h.epoch,
      loss: h.loss,
      accuracy: h.accuracy,
      validationAccuracy: h.validationAccuracy
    }))
  },
  heldOut: ev && {
    method: ev.method,
    clips: ev.clips,
    accuracy: ev.accuracy,
    balancedAccuracy: ev.balancedAccuracy,
    about: 'a seeded twentieth of the corpus takes, never trained on (the same voices, other takes)'
  },
  energy: r.energy,
  classes: r.contents.labels.length,
  others: {
    about:
      'one-second clips of corpus words and other speech, the "other sounds" of runs from this base',
    words: packWords
  }
};
await writeFileAtomic(join(root, 'models', `${name}.json`), `${JSON.stringify(record, null, 1)}\n`);
console.log(
  `wrote models/${name}.qnm (${modelBytes.length} bytes, ${r.contents.labels.length} classes), ` +
    `${name}.others.wav (${packClips.length} clips) and ${name}.json: held-out ${
      ev ? `${(100 * ev.accuracy).toFixed(1)} % of ${ev.clips} clips` : 'not estimated'
    }, ${formatSeconds(elapsed(started))} in all`
);
// docs/BASES.md's measured part, from the record just written.
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'base', 'base-doc.ts')], {
  stdio: 'inherit'
});
