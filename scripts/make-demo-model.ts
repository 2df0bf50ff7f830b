/**
 * Trains the bundled demo model (models/demo-words.qnm): the words "yes" and "no" plus background
 * noise, spoken by espeak-ng voices (scripts/make-speech-dataset.ts), fine-tuned from the keyword
 * base (models/keyword-base.qnm, whose corpus never had either word) as a new project's run is:
 * the base's 4-bit k-WTA network, its last layer trained, with the automatic "other sounds"
 * class — the model a first launch can recognise live with. Also writes
 * its training record (models/demo-words.json): the settings, curves, confusion matrix, energy
 * and the accuracy on voices it never heard, which the demo project's Train view shows.
 * Usage: tsx scripts/make-demo-model.ts
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { examplesForModel, trainOnDataset } from '../core/data/pipeline';
import { evaluateInt } from '../core/engine/evaluate-int';
import { encodeModel } from '../core/model-file/model-file';
import { specFromBase } from '../core/data/base';
import { newProjectDefaults } from '../core/spec/defaults';
import { initTrainingBackend } from '../core/train/backend/init-backend';
import { shortPath } from '../core/util/few';
import { bundledBase } from '../electron/main/services/bases';
import { folderSource } from '../electron/main/services/fs-dataset';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'quench-demo-'));
const made = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    join(root, 'scripts', 'make-speech-dataset.ts'),
    '--out',
    work,
    '--words',
    'yes,no'
  ],
  { stdio: 'inherit' }
);
if (made.status !== 0) process.exit(1);
await initTrainingBackend({ backend: 'wasm' });
const base = await bundledBase('audio');
if (!base) {
  console.error(
    'make-demo-model: the keyword base is not installed; run npm run make-base -- --kind sound'
  );
  process.exit(1);
}
// Every setting the Train view shows, spelled out: a new sound project's, from the base.
const settings = {
  ...newProjectDefaults('audio'),
  startFrom: 'base',
  trainLayers: 'head',
  seed: 1
} as const;
const spec = specFromBase(base, settings, settings.trainLayers);
const startedAt = new Date();
const train = join(work, 'train');
const r = await trainOnDataset(folderSource(train), spec, {
  from: { base, train: settings.trainLayers },
  seed: settings.seed,
  epochs: settings.epochs,
  learningRate: settings.learningRate,
  l2: settings.l2,
  optimizer: settings.optimizer,
  createdAt: startedAt.toISOString()
});
const finishedAt = new Date();
// Voices the model never heard (the dataset's test split), through the integer engine.
const test = await examplesForModel(folderSource(join(work, 'test')), r.contents);
const unheard = evaluateInt(r.contents.int!, test.examples).evaluation;
const clips = Object.values(r.counts).reduce((a, b) => a + b, 0);
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
// Both figures in one sentence, each in the run's own words ("… % of N clips"), so the estimate
// the Train view shows and the test on unheard voices never read as two answers to one question.
// (The Collect view says that the recordings are not shipped.)
const held = r.evaluation;
const about =
  `A model that knows “yes”, “no” and background noise, fine-tuned by scripts/make-demo-model.ts ` +
  `from ${base.name} (its last layer trained, with ${r.automaticClasses.map((c) => `“${c.name}” (${c.clips} clips)`).join(', ') || 'no automatic class'}) ` +
  `on ${clips} one-second clips: espeak-ng voices saying the words at several speeds and ` +
  `pitches, mixed with noise, plus noise recordings. Accuracy: ` +
  (held
    ? `${pct(held.accuracy)} of ${held.clips} clips held out from training (its run), and `
    : '') +
  `${pct(unheard.accuracy)} of ${test.examples.count} clips of four espeak-ng voices it never heard ` +
  `(the keyword base heard espeak-ng's voices too, never saying these words).`;
const out = join(root, 'models', 'demo-words.qnm');
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, encodeModel(r.contents));
renameSync(tmp, out);
const record = {
  about,
  run: {
    status: 'done',
    startedFrom: r.startedFrom,
    trainedLayers: r.trainedLayers,
    automaticClasses: r.automaticClasses,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    settings,
    validationAccuracy: r.evaluation?.accuracy,
    // The clips themselves are not shipped: the counts stay, the per-clip lists go.
    evaluation: r.evaluation && { ...r.evaluation, mistakes: [], predictions: undefined },
    served: r.served,
    warnings: r.warnings,
    history: r.result.history.map((h) => ({
      epoch: h.epoch,
      loss: h.loss,
      accuracy: h.accuracy,
      validationAccuracy: h.validationAccuracy
    })),
    scan: {
      backgroundClass: r.scan.backgroundClass,
      notes: [],
      ignored: r.scan.ignored.map((n) => ({ ...n, file: shortPath(n.file, train) }))
    },
    energy: r.energy
  }
};
const recordPath = join(root, 'models', 'demo-words.json');
writeFileSync(`${recordPath}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
renameSync(`${recordPath}.tmp`, recordPath);
rmSync(work, { recursive: true, force: true });
console.log(
  `wrote ${out} and ${recordPath}: labels ${r.contents.labels.join(', ')}, ` +
    `accuracy ${pct(r.evaluation?.accuracy ?? NaN)} (${r.evaluation?.method}), unheard voices ${pct(unheard.accuracy)}`
);
