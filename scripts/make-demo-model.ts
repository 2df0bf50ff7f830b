/**
 * Trains the bundled demo model (models/demo-words.qnm): the words "yes" and "no" plus background
 * noise, spoken by espeak-ng voices (scripts/make-speech-dataset.ts), on the audio-small preset
 * with 4-bit weights and k-WTA — the model a first launch can recognise live with.
 * Usage: tsx scripts/make-demo-model.ts
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trainOnDataset } from '../core/data/pipeline';
import { encodeModel } from '../core/model-file/model-file';
import { applyOverrides, getPreset } from '../core/spec';
import { initTrainingBackend } from '../core/train/backend/init-backend';
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
const spec = applyOverrides(getPreset('audio-small'), { weightBits: 4, kwta: 0.5 });
const r = await trainOnDataset(folderSource(join(work, 'train')), spec, {
  seed: 1,
  epochs: 12,
  createdAt: new Date().toISOString()
});
const out = join(root, 'models', 'demo-words.qnm');
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, encodeModel(r.contents));
renameSync(tmp, out);
rmSync(work, { recursive: true, force: true });
console.log(
  `wrote ${out}: labels ${r.contents.labels.join(', ')}, validation accuracy ${(100 * r.result.validationAccuracy).toFixed(1)} %`
);
