/**
 * A model picked in Live while its run is still cross-validating starts on the default
 * thresholds; when the run ends, the calibrated settings cross-validation wrote into the model file
 * replace them — unless the person has set their own — and the stream goes on.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { decodeModel, encodeModel } from '../../../core/model-file/model-file';

const node = (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } })
  .process;
const fs = node.getBuiltinModule('node:fs') as { readFileSync(path: string): Uint8Array };
const demo = decodeModel(new Uint8Array(fs.readFileSync('models/demo-words.qnm')));
const n = demo.labels.length;
/** The file as first saved (no detection) and after cross-validation (thresholds chosen). */
const early = encodeModel({ ...demo, detection: undefined });
const calibrated = {
  thresholds: demo.labels.map((_, i) => 0.5 + 0.05 * i),
  average: 2,
  basis: 'chosen from 5-fold cross-validation'
};
const late = encodeModel({ ...demo, detection: calibrated });

let file = early;
vi.mock('../api/client', () => ({
  api: { call: async () => file, on: () => () => {} }
}));
const posted: { type: string; settings?: unknown }[] = [];
vi.mock('./worker', () => ({
  inferWorker: () => ({
    onmessage: null,
    postMessage: (m: { type: string }) => posted.push(m),
    terminate: () => {}
  })
}));
const { LiveSession } = await import('./live-session.svelte');

afterEach(() => {
  file = early;
  posted.length = 0;
  localStorage.clear();
});

const defaults = {
  overlap: 0.5,
  average: 1,
  suppressionMs: 1000,
  thresholds: demo.labels.map(() => 0.75)
};

/** The worker's answer to the model: ready, with the model's default settings. */
function workerReady(s: InstanceType<typeof LiveSession>): void {
  const w = (s as unknown as { worker: { onmessage: (e: { data: unknown }) => void } }).worker;
  w.onmessage({
    data: {
      type: 'ready',
      labels: demo.labels,
      kind: 'audio',
      settings: defaults,
      hopSeconds: 0.5,
      kernels: 'javascript'
    }
  });
}

/** A session loaded on the early file, its worker ready. */
async function ready() {
  const s = new LiveSession('p', `r${Math.random()}`);
  await s.load();
  workerReady(s);
  return s;
}

describe('LiveSession.refresh', () => {
  test("the calibrated thresholds replace the defaults once the run's file has them", async () => {
    const s = await ready();
    expect(s.basis).toBeUndefined();
    await s.refresh(); // still the early file: nothing changes
    expect(s.settings!.thresholds).toEqual(demo.labels.map(() => 0.75));
    file = late;
    await s.refresh();
    expect(s.basis).toBe('chosen from 5-fold cross-validation');
    expect(s.settings!.average).toBe(2);
    // Thresholds as the file suggests, background and automatic classes never announced.
    expect(s.settings!.thresholds).toHaveLength(n);
    expect(s.settings!.thresholds).toEqual(s.modelSettings!.thresholds);
    expect(s.settings!.thresholds).not.toEqual(demo.labels.map(() => 0.75));
    expect(posted.at(-1)).toMatchObject({ type: 'settings', settings: s.settings });
  });

  test('a refresh asked for before the worker is ready happens once it is', async () => {
    file = late;
    const s = new LiveSession('p', 'r-early');
    await s.refresh();
    expect(s.basis).toBeUndefined();
    file = early;
    await s.load();
    file = late;
    workerReady(s);
    await vi.waitFor(() => expect(s.basis).toBe('chosen from 5-fold cross-validation'));
    expect(s.settings!.average).toBe(2);
  });

  test("the person's own thresholds stay; the model's suggestion is there to go back to", async () => {
    const s = await ready();
    s.setThreshold(1, 0.9);
    const own = s.settings;
    file = late;
    posted.length = 0;
    await s.refresh();
    expect(s.settings).toEqual(own);
    expect(s.modelSettings!.average).toBe(2);
    expect(posted).toEqual([]);
    s.useModelSettings();
    expect(s.settings!.average).toBe(2);
  });
});

describe('LiveSession energy', () => {
  test('the mean per window since Start is the mean of the windows’ own figures; Start begins it again', async () => {
    const s = await ready();
    const w = (s as unknown as { worker: { onmessage: (e: { data: unknown }) => void } }).worker;
    const result = (totalPj: number) =>
      w.onmessage({
        data: {
          type: 'result',
          time: 1,
          probabilities: demo.labels.map(() => 1 / n),
          top: 0,
          silent: false,
          layers: [],
          energy: { totalPj },
          busyMs: 1
        }
      });
    for (const pj of [600_000, 900_000, 750_000]) result(pj);
    expect(s.energy!.totalPj).toBe(750_000);
    expect(s.energyMean).toEqual({ pj: 750_000, windows: 3 });
    result(1_150_000);
    expect(s.energyMean).toEqual({ pj: 850_000, windows: 4 });
    await s.start('vision');
    expect(s.energyMean).toEqual({ pj: 0, windows: 0 });
    await s.stop();
  });
});

describe('clock', () => {
  test('m:ss.s, rounded before the minute and the leading zero are chosen', async () => {
    const { clock } = await import('./settings');
    expect([0, 4.54, 9.96, 10, 59.97, 61.25, 600].map(clock)).toEqual([
      '0:00.0',
      '0:04.5',
      '0:10.0',
      '0:10.0',
      '1:00.0',
      '1:01.3',
      '10:00.0'
    ]);
  });
});
