/**
 * The training pipeline on first-project sized data: folds that are stratified and grouped by
 * file, k-fold cross-validation below 20 clips a class (every clip judged once by a model that
 * never saw it, the final model handed over before the folds train), a hold-out above, counts
 * behind every figure (the served model's confidence: test/core/served.test.ts).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { applyOverrides, getPreset } from '../spec';
import { initTrainingBackend } from '../train/backend/init-backend';
import { imageProject, memorySource, webcamPng } from '../../test/fixtures/first-project';
import { assignFolds, foldCount } from './folds';
import type { ModelContents } from '../model-file/model-file';
import { trainOnDataset, type PipelineProgress } from './pipeline';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

describe('folds', () => {
  test('k = min(5, smallest class), at least 2', () => {
    expect(foldCount([19, 19, 10])).toBe(5);
    expect(foldCount([3, 8])).toBe(3);
    expect(foldCount([1, 8])).toBe(2);
  });

  test('stratified: every class spread over all folds as evenly as its files allow', () => {
    const labels = [...Array(12).fill(0), ...Array(7).fill(1)];
    const files = labels.map((_, i) => `f${i}.wav`);
    const fold = assignFolds(labels, files, 2, 5, 3);
    for (const c of [0, 1]) {
      const per = [0, 0, 0, 0, 0];
      labels.forEach((l, i) => l === c && per[fold[i]]++);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
  });

  test('clips cut from one file stay in one fold; one long take is cut into contiguous blocks', () => {
    // class 0: 6 files of 3 clips each; class 1: one 10-clip background take.
    const labels = [...Array(18).fill(0), ...Array(10).fill(1)];
    const files = [...labels.slice(0, 18).map((_, i) => `take${Math.floor(i / 3)}.wav`)];
    for (let i = 0; i < 10; i++) files.push('room.wav');
    const fold = assignFolds(labels, files, 2, 5, 1);
    for (let t = 0; t < 6; t++) expect(new Set([0, 1, 2].map((k) => fold[t * 3 + k])).size).toBe(1);
    expect(Array.from(fold.slice(18))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });
});

const SPEC = applyOverrides(getPreset('vision-small'), {
  weightBits: 4,
  weightScheme: 'linear',
  actBits: 8,
  kwta: 0.5
});

describe('k-fold cross-validation below 20 clips a class', () => {
  test('4 + 4 images: 4 folds, each image judged once by the integer engine, model first', async () => {
    const events: string[] = [];
    const reports: PipelineProgress[] = [];
    const source = imageProject(4, 2);
    let clock = 0;
    let saved: ModelContents | undefined;
    const r = await trainOnDataset(source, SPEC, {
      epochs: 2,
      now: () => (clock += 250),
      onModel: (c) => {
        events.push('model');
        saved = c;
      },
      onProgress: (p: PipelineProgress) => {
        if (p.stage !== 'scan') reports.push(p);
        if (p.stage === 'evaluate' && events.at(-1) !== `fold ${p.fold}`)
          events.push(`fold ${p.fold}`);
      }
    });
    expect(events).toEqual(['model', 'fold 1', 'fold 2', 'fold 3', 'fold 4']);
    // Time left covers the whole job (review #3): in fold 1, three more folds are still to come.
    const fold1 = reports.filter((p) => p.fold === 1);
    expect(fold1.every((p) => p.job!.etaSeconds > p.train!.etaSeconds + 1)).toBe(true);
    const fractions = reports.map((p) => p.job!.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1] - 1e-9)).toBe(true);
    expect(fractions.at(-1)).toBeGreaterThan(0.95);
    // Before cross-validation each epoch is checked on the model's own training clips.
    expect(reports.find((p) => p.stage === 'train')!.check).toBe('own');
    const e = r.evaluation!;
    expect(e).toMatchObject({ method: 'k-fold', folds: 4, engine: 'int', clips: 8 });
    expect(e.classClips).toEqual([4, 4]);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(8);
    expect(e.mistakes.length).toBe(Math.round((1 - e.accuracy) * 8));
    // The final model trained on all 8 images; its own-clip figures rest on them.
    expect(r.served.clips).toBe(8);
    expect(r.contents.int).toBeDefined();
    expect(r.evaluationCancelled).toBe(false);
    // Detection thresholds from the folds' predictions: only after the model was first saved.
    expect(saved!.detection).toBeUndefined();
    expect(r.detection).toMatchObject({ thresholds: [0.75, 0.75], average: 1 });
    expect(r.detection!.basis).toMatch(/^chosen from the estimate's 8 held-out clips \(4-fold/);
    expect(r.contents.detection).toEqual(r.detection);
  }, 120_000);

  test('a class with one image: its recall rests on that one image; no class is reported without clips', async () => {
    const source = memorySource({
      box: Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`b${i}.png`, webcamPng('box', i)])),
      blue: { 'only.png': webcamPng('blue', 99) }
    });
    const r = await trainOnDataset(source, SPEC, { epochs: 1 });
    expect(r.evaluation!.folds).toBe(2);
    expect(r.evaluation!.classClips).toEqual([1, 5]);
    expect(r.warnings.map((w) => w.kind)).toEqual(['few-clips', 'imbalance']);
  }, 120_000);

  test('cancelling during cross-validation keeps the model and says the estimate was cancelled', async () => {
    const signal = { aborted: false };
    const r = await trainOnDataset(imageProject(4, 3), SPEC, {
      epochs: 2,
      signal,
      onProgress: (p) => {
        if (p.stage === 'evaluate' && p.fold === 2) signal.aborted = true;
      }
    });
    expect(r.result.cancelled).toBe(false);
    expect(r.evaluation).toBeUndefined();
    expect(r.evaluationCancelled).toBe(true);
    expect(r.detection).toBeUndefined();
    expect(r.contents.int).toBeDefined();
  }, 120_000);
});

test('20 or more a class: a held-out tenth, its best epoch kept', async () => {
  const checks = new Set<string | undefined>();
  const r = await trainOnDataset(imageProject(20, 4), SPEC, {
    epochs: 2,
    onProgress: (p) => p.stage === 'train' && checks.add(p.check)
  });
  expect([...checks]).toEqual(['held-out']);
  expect(r.evaluation).toMatchObject({ method: 'holdout', folds: 1, clips: 4 });
  expect(r.evaluation!.classClips).toEqual([2, 2]);
  expect(r.served.clips).toBe(36);
  expect(r.detection!.basis).toMatch(/^chosen from the estimate's 4 held-out clips \(held-out/);
  expect(r.contents.detection).toEqual(r.detection);
}, 120_000);

test('cancelled before the first epoch ends: a model, no training loss to compare, no crash', async () => {
  const r = await trainOnDataset(imageProject(4, 5), SPEC, {
    epochs: 3,
    signal: { aborted: true }
  });
  expect(r.result.cancelled).toBe(true);
  expect(r.served.trainingLoss).toBeUndefined();
  expect(JSON.parse(JSON.stringify(r.served)).meanTopProbability).toBeGreaterThan(0);
}, 60_000);

test('the app and CLI refuse settings the engine could not serve before reading any file', async () => {
  let read = 0;
  const source = imageProject(4, 1);
  const counting = { ...source, read: (c: string, f: string) => (read++, source.read(c, f)) };
  const floatActs = applyOverrides(SPEC, { actBits: 32, kwta: 0.5 });
  await expect(trainOnDataset(counting, floatActs)).rejects.toThrow(/k-WTA .* needs quantized/);
  expect(read).toBe(0);
});
