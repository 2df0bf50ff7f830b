/**
 * The training pipeline on first-project sized data: grouped k-fold cross-validation at every size
 * (every clip judged once by a model that never saw its group, the final model handed over before
 * the folds train; folds.test.ts and groups.test.ts test the grouping), Speech Commands' lists
 * honoured, counts and the balanced accuracy behind every figure (the served model's confidence:
 * test/core/served.test.ts).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { applyOverrides, getPreset } from '../spec';
import { initTrainingBackend } from '../train/backend/init-backend';
import { imageProject, memorySource, webcamPng } from '../../test/fixtures/first-project';
import type { ModelContents } from '../model-file/model-file';
import { trainOnDataset, type PipelineProgress } from './pipeline';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

const SPEC = applyOverrides(getPreset('vision-small'), {
  weightBits: 4,
  weightScheme: 'linear',
  actBits: 8,
  kwta: 0.5
});

describe('grouped k-fold cross-validation on small projects', () => {
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

test('20 or more a class: the same grouped k-fold as below (no hold-out jump), saying what it rests on', async () => {
  const checks = new Set<string | undefined>();
  const t0 = Date.UTC(2026, 0, 5, 9, 0);
  // Every file written within a minute: one session, said with the estimate.
  const source = { ...imageProject(20, 4), modified: async () => t0 + 30_000 };
  const r = await trainOnDataset(source, SPEC, {
    epochs: 1,
    onProgress: (p) => p.stage === 'train' && checks.add(p.check)
  });
  expect([...checks]).toEqual(['own']);
  const e = r.evaluation!;
  expect(e).toMatchObject({ method: 'k-fold', folds: 5, clips: 40 });
  expect(e.classClips).toEqual([20, 20]);
  const recall = e.perClass.filter((x): x is number => x !== null);
  expect(e.balancedAccuracy).toBeCloseTo((recall[0] + recall[1]) / 2, 12);
  expect(e.basis!.groups).toBeGreaterThanOrEqual(10);
  expect(e.basis!.blockSplit).toEqual([]);
  expect(e.basis!.oneSession).toBe('all 40 pictures were saved within 1 minute');
  expect(r.served.clips).toBe(40);
}, 240_000);

/** An in-memory dataset with Speech Commands-style list files at its root. */
function listed(lists: Record<string, string>) {
  const tree: Record<string, Record<string, Uint8Array>> = { box: {}, blue: {} };
  for (let i = 0; i < 6; i++) {
    tree.box[`b${i}_nohash_0.png`] = webcamPng('box', 10 + i);
    tree.blue[`u${i}_nohash_0.png`] = webcamPng('blue', 20 + i);
  }
  const enc = new TextEncoder();
  return {
    ...memorySource(tree),
    rootFile: async (name: string) =>
      lists[name] === undefined ? undefined : enc.encode(lists[name])
  };
}

describe("Speech Commands' validation and testing lists", () => {
  test('the listed files are the held-out set: never trained on, and the result says so', async () => {
    const source = listed({
      'testing_list.txt': 'box/b0_nohash_0.png\nblue/u0_nohash_0.png\nblue/u1_nohash_0.png\n',
      'validation_list.txt': 'box/b1_nohash_0.png\r\nother/x_nohash_0.png\n'
    });
    const r = await trainOnDataset(source, SPEC, { epochs: 1 });
    const e = r.evaluation!;
    expect(e).toMatchObject({ method: 'listed', folds: 1, clips: 4 });
    expect(e.classClips).toEqual([2, 2]);
    expect(e.basis!.lists).toEqual(['validation_list.txt', 'testing_list.txt']);
    // Detection thresholds chosen from the listed clips, stored with the model.
    expect(r.detection!.basis).toMatch(/^chosen from the estimate's 4 held-out clips/);
    expect(r.contents.detection).toEqual(r.detection);
    expect(e.predictions.map((p) => p.file).sort()).toEqual([
      'blue/u0_nohash_0.png',
      'blue/u1_nohash_0.png',
      'box/b0_nohash_0.png',
      'box/b1_nohash_0.png'
    ]);
    const trained = r.trainedOn.map((c) => c.file);
    expect(trained).toHaveLength(8);
    for (const p of e.predictions) expect(trained).not.toContain(p.file);
    expect(r.served.clips).toBe(8);
  }, 120_000);

  test('a list that holds out a whole class, or names a path outside the dataset, is refused by name', async () => {
    const all = Array.from({ length: 6 }, (_, i) => `blue/u${i}_nohash_0.png`).join('\n');
    await expect(
      trainOnDataset(listed({ 'testing_list.txt': all }), SPEC, { epochs: 1 })
    ).rejects.toThrow(/testing_list.txt hold out every clip of "blue"/);
    await expect(
      trainOnDataset(listed({ 'validation_list.txt': 'box/a.png\n../secret.wav\n' }), SPEC, {
        epochs: 1
      })
    ).rejects.toThrow(/validation_list.txt line 2: "..\/secret.wav" is not a path/);
  }, 60_000);
});

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
