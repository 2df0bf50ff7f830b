/**
 * Starting from a base through the app's API: base:info describes the installed base (or says
 * there is none), train:start with startFrom 'base' trains a run that records which base it
 * started from and adds the automatic "other sounds" class, and asking for a base that is not
 * installed (or damaged) is an ApiError that says so. The base here is made in the test from the
 * bundled demo model (its float weights included) with a small record and pack, so the test does
 * not depend on models/keyword-base.* being installed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeWav } from '../../core/features/wav';
import { crc32, decodeModel } from '../../core/model-file/model-file';
import { ApiError, type ApiEvents, type RunInfo } from '../../electron/shared/api';
import { ApiService } from '../../electron/main/services/api-service';

const root = mkdtempSync(join(tmpdir(), 'quench-base-'));
const bases = join(root, 'models');
mkdirSync(bases);
const basePath = join(bases, 'keyword-base.qnm');
copyFileSync('models/demo-words.qnm', basePath);
/** The pack's words: two takes of "apple" and "river", one of "candle" and "yes" (a class). */
const PACK = ['apple', 'river', 'candle', 'apple', 'river', 'yes'];
writeFileSync(
  join(bases, 'keyword-base.json'),
  JSON.stringify({
    about: 'A test base: the demo model with a pack of six chirps.',
    heldOut: { method: 'holdout', clips: 40, accuracy: 0.925, about: 'held-out test takes' },
    others: { about: 'chirps', words: PACK }
  })
);
const pack = new Float32Array(16000 * PACK.length);
for (let i = 0; i < pack.length; i++) {
  const clip = Math.floor(i / 16000);
  const t = (i % 16000) / 16000;
  pack[i] = 0.3 * Math.sin(2 * Math.PI * (300 + 150 * clip) * t * (1 + t)) * Math.sin(Math.PI * t);
}
writeFileSync(join(bases, 'keyword-base.others.wav'), encodeWav([pack], 16000));

const withBase = new ApiService(join(root, 'projects'), undefined, {
  basePath: (kind) => (kind === 'audio' ? basePath : undefined)
});
const without = new ApiService(join(root, 'projects-2'), undefined, { basePath: () => undefined });
afterAll(async () => {
  await withBase.close();
  await without.close();
  rmSync(root, { recursive: true, force: true });
});

type Api = ApiService;
const call = (api: Api, method: string, payload: object) =>
  api.handle(method, payload) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function tone(freq: number, seed: number): Uint8Array {
  return encodeWav(
    [
      Float32Array.from(
        { length: 16000 },
        (_, i) =>
          0.3 * Math.sin((2 * Math.PI * freq * i) / 16000 + seed) * Math.sin((Math.PI * i) / 16000)
      )
    ],
    16000
  );
}

async function soundProject(api: Api, name: string) {
  const p = await call(api, 'project:create', { name, kind: 'audio' });
  for (const [cls, f] of [
    ['low', 220],
    ['high', 1800]
  ] as const) {
    await call(api, 'class:add', { project: p.id, name: cls });
    for (let i = 0; i < 5; i++)
      await call(api, 'sample:add', {
        project: p.id,
        className: cls,
        bytes: tone(f * (1 + i / 40), i + 1),
        format: 'wav'
      });
  }
  return p.id as string;
}

function finished(api: Api): Promise<RunInfo> {
  return new Promise((resolve) => {
    const off = api.subscribe(<E extends keyof ApiEvents>(type: E, payload: ApiEvents[E]) => {
      if (type !== 'train:finished') return;
      off();
      resolve(payload as RunInfo);
    });
  });
}

describe('base:info', () => {
  test('describes the installed base from its model and record; none for pictures', async () => {
    const info = await call(withBase, 'base:info', { kind: 'audio' });
    expect(info).toEqual({
      kind: 'audio',
      name: 'keyword-base',
      hash: crc32(new Uint8Array(readFileSync(basePath)).subarray(0, -4))
        .toString(16)
        .padStart(8, '0'),
      about: 'A test base: the demo model with a pack of six chirps.',
      network: {
        name: 'audio-small',
        description: decodeModel(new Uint8Array(readFileSync(basePath))).spec.description
      },
      // The demo has an "other sounds" class of its own: not one of the words a base knows.
      classes: ['background', 'no', 'yes', 'other sounds'],
      words: 2,
      others: { clips: 6, words: 4 },
      accuracy: { value: 0.925, clips: 40, about: 'held-out test takes' },
      served: { weightBits: 4, weightScheme: 'linear', actBits: 8, kwta: 0.5 }
    });
    expect(await call(withBase, 'base:info', { kind: 'vision' })).toBeNull();
    expect(await call(without, 'base:info', { kind: 'audio' })).toBeNull();
  });

  test('a kind that is not one is refused before any service sees it', async () => {
    await expect(call(withBase, 'base:info', { kind: 'video' })).rejects.toThrow(
      /kind must be one of audio, vision/
    );
    await expect(call(withBase, 'base:info', {})).rejects.toThrow(ApiError);
  });

  test('a damaged base is an ApiError naming the file', async () => {
    const broken = join(root, 'broken');
    mkdirSync(broken);
    copyFileSync(basePath, join(broken, 'keyword-base.qnm'));
    writeFileSync(join(broken, 'keyword-base.json'), '{ not json');
    const api = new ApiService(join(root, 'projects-3'), undefined, {
      basePath: () => join(broken, 'keyword-base.qnm')
    });
    try {
      const err = await call(api, 'base:info', { kind: 'audio' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as Error).message).toMatch(/^keyword-base\.json is not JSON/);
      const project = await soundProject(api, 'Broken base');
      await expect(
        call(api, 'train:start', { project, settings: { startFrom: 'base', epochs: 1 } })
      ).rejects.toThrow(/^keyword-base\.json is not JSON/);
    } finally {
      await api.close();
    }
  });
});

describe('train:start from the base', () => {
  test('the run records the base it started from, and its model ends with "other sounds"', async () => {
    const project = await soundProject(withBase, 'Tones from the base');
    const info = await call(withBase, 'base:info', { kind: 'audio' });
    const done = finished(withBase);
    const run = await call(withBase, 'train:start', {
      project,
      settings: { startFrom: 'base', trainLayers: 'head', epochs: 2, seed: 3 }
    });
    expect(run.startedFrom).toBe(`base:keyword-base@${info.hash}`);
    const r = await done;
    expect(r.status).toBe('done');
    expect(r).toMatchObject({
      id: run.id,
      startedFrom: `base:keyword-base@${info.hash}`,
      trainedLayers: 'head'
    });
    expect(r.automaticClasses).toHaveLength(1);
    expect(r.automaticClasses![0].name).toBe('other sounds');
    // The draw wants as many clips as the largest class has (5) of the pack's 6, none of them a
    // word of the project's (low, high).
    expect(r.automaticClasses![0].clips).toBe(5);
    expect(r.automaticClasses![0].about.length).toBeGreaterThan(10);
    const model = decodeModel(await call(withBase, 'model:load', { project, run: run.id }));
    expect(model.labels.at(-1)).toBe('other sounds');
    expect(model.labels.slice(0, -1).sort()).toEqual(['high', 'low']);
    expect(r.labels).toEqual(model.labels);
    const [listed] = await call(withBase, 'run:list', { project });
    expect(listed.startedFrom).toBe(r.startedFrom);
    // A "what if" of it requantizes the same network: it started from the same base.
    const requantized = finished(withBase);
    await call(withBase, 'run:quantize', {
      project,
      run: run.id,
      weightBits: 2,
      weightScheme: 'linear'
    });
    const w = await requantized;
    expect(w).toMatchObject({
      status: 'done',
      quantizedFrom: run.id,
      startedFrom: r.startedFrom,
      trainedLayers: 'head',
      automaticClasses: r.automaticClasses
    });
  });

  test('asking for the base when none is installed is an ApiError saying how to get it', async () => {
    const project = await soundProject(without, 'No base here');
    const err = await call(without, 'train:start', {
      project,
      settings: { startFrom: 'base', epochs: 1 }
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as Error).message).toMatch(
      /^the keyword base is not installed \(models\/keyword-base\.qnm\); make it with npm run make-base -- --kind sound, or start from scratch$/
    );
    expect(await call(without, 'run:list', { project })).toEqual([]);
  });

  test('a picture project has no base: asking for one says so', async () => {
    const project = await call(withBase, 'project:create', { name: 'Cups', kind: 'vision' });
    for (const cls of ['mug', 'cup']) {
      await call(withBase, 'class:add', { project: project.id, name: cls });
      const png = encodePng({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 });
      await call(withBase, 'sample:add', {
        project: project.id,
        className: cls,
        bytes: png,
        format: 'png'
      });
    }
    await expect(
      call(withBase, 'train:start', { project: project.id, settings: { startFrom: 'base' } })
    ).rejects.toThrow(/^there is no picture base yet; start from scratch$/);
  });
});
