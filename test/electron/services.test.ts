/**
 * The Node services against a real temporary folder: projects, classes and samples (atomic,
 * validated, names that can't escape), the trainer host training in a worker thread with progress
 * and cancel, the model registry, and payload validation of the API.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeWav } from '../../core/features/wav';
import { decodeModel } from '../../core/model-file/model-file';
import {
  ApiError,
  validateRequest,
  type ApiEvents,
  type RunInfo,
  type TrainProgressEvent
} from '../../electron/shared/api';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import { ApiService } from '../../electron/main/services/api-service';
import { checkName } from '../../electron/main/services/names';

const root = mkdtempSync(join(tmpdir(), 'quench-services-'));
const api = new ApiService(join(root, 'projects'));
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

const call = (method: string, payload: object) => api.handle(method, payload) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function tone(freq: number, seed: number): Uint8Array {
  return encodeWav(
    [
      Float32Array.from(
        { length: 16000 },
        (_, i) =>
          0.3 * Math.sin((2 * Math.PI * freq * i) / 16000 + seed) + 0.01 * Math.sin(i * seed)
      )
    ],
    16000
  );
}

describe('projects, classes and samples', () => {
  test('create, list, rename, delete', async () => {
    const p = await call('project:create', { name: 'Birds', kind: 'audio' });
    expect(p).toMatchObject({ name: 'Birds', kind: 'audio', classes: [] });
    expect((await call('project:list', {})).map((x: { id: string }) => x.id)).toContain(p.id);
    expect((await call('project:rename', { project: p.id, name: 'Songbirds' })).name).toBe(
      'Songbirds'
    );
    await call('project:delete', { project: p.id });
    expect((await call('project:list', {})).map((x: { id: string }) => x.id)).not.toContain(p.id);
    await expect(call('project:get', { project: p.id })).rejects.toThrow(
      /^this project no longer exists/
    );
  });

  test('messages name what the person knows, never an internal project or run id (review #6)', async () => {
    const p = await call('project:create', { name: 'Home words', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'lights' });
    await call('class:add', { project: p.id, name: 'music' });
    const s = await call('sample:add', {
      project: p.id,
      className: 'lights',
      bytes: tone(440, 1),
      format: 'wav'
    });
    await call('class:delete', { project: p.id, name: 'lights' });
    const messages: string[] = [];
    const failing = [
      call('sample:move', { project: p.id, className: 'lights', file: s.file, to: 'music' }),
      call('sample:delete', { project: p.id, className: 'music', file: s.file }),
      call('model:load', { project: p.id, run: 'mx31dizh-04d027' }),
      call('model:delete', { project: p.id, run: 'mx31dizh-04d027' }),
      call('run:quantize', {
        project: p.id,
        run: 'mx31dizh-04d027',
        weightBits: 2,
        weightScheme: 'linear'
      }),
      call('project:get', { project: 'ffffffffffffffff' })
    ];
    // Each failure is caught as it is made (awaiting them one by one left later ones unhandled).
    messages.push(
      ...(await Promise.all(
        failing.map((f) =>
          f.then(
            () => 'no error',
            (e: Error) => e.message
          )
        )
      ))
    );
    expect(messages).toEqual([
      'this project has no class “lights” (renamed or deleted?)',
      '“lights 1.wav” is no longer in the class “music”',
      'this run has no model file',
      'this run no longer exists',
      'this run no longer exists',
      'this project no longer exists (it may have been deleted)'
    ]);
    for (const m of messages) expect(m).not.toMatch(/[0-9a-f]{16}|mx31dizh/);
  });

  test('classes and samples: add, list, read, delete; bad samples are refused and not written', async () => {
    const p = await call('project:create', { name: 'Words', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    await expect(call('class:add', { project: p.id, name: 'YES' })).rejects.toThrow(
      /already exists/
    );
    const s = await call('sample:add', {
      project: p.id,
      className: 'yes',
      bytes: tone(440, 1),
      format: 'wav'
    });
    expect(s.file).toMatch(/\.wav$/);
    expect((await call('project:get', { project: p.id })).classes).toEqual([
      { name: 'yes', samples: 1 }
    ]);
    const bytes = await call('sample:read', { project: p.id, className: 'yes', file: s.file });
    expect(bytes.length).toBe(tone(440, 1).length);
    await expect(
      call('sample:add', {
        project: p.id,
        className: 'yes',
        bytes: new Uint8Array([1, 2, 3]),
        format: 'wav'
      })
    ).rejects.toThrow(/can't be used/);
    await expect(
      call('sample:add', {
        project: p.id,
        className: 'yes',
        bytes: new Uint8Array(8),
        format: 'png'
      })
    ).rejects.toThrow(/audio project takes WAV/);
    expect((await call('sample:list', { project: p.id, className: 'yes' })).length).toBe(1);
    await call('class:rename', { project: p.id, from: 'yes', to: 'oui' });
    await call('sample:delete', { project: p.id, className: 'oui', file: s.file });
    expect((await call('project:get', { project: p.id })).classes).toEqual([
      { name: 'oui', samples: 0 }
    ]);
    await call('class:delete', { project: p.id, name: 'oui' });
    expect((await call('project:get', { project: p.id })).classes).toEqual([]);
  });

  test('a write interrupted by a crash leaves only a temp file, which opening the project removes', async () => {
    const p = await call('project:create', { name: 'Crash', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'a' });
    await call('sample:add', { project: p.id, className: 'a', bytes: tone(300, 2), format: 'wav' });
    const dir = join(root, 'projects', p.id, 'data', 'a');
    writeFileSync(join(dir, '.half-written.wav.1a2b3c.tmp'), new Uint8Array(100));
    expect((await call('project:get', { project: p.id })).classes).toEqual([
      { name: 'a', samples: 1 }
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('listing a project while a sample is being saved keeps that sample (its temp file is not a leftover)', async () => {
    const p = await call('project:create', { name: 'Busy', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'a' });
    const dir = join(root, 'projects', p.id, 'data', 'a');
    // A long write, and the project opened again and again while it goes on.
    const saving = writeFileAtomic(join(dir, 'big.wav'), new Uint8Array(48 * 1024 * 1024));
    let sawTemp = false;
    for (let i = 0; i < 50 && !sawTemp; i++) {
      sawTemp = readdirSync(dir).some((f) => f.endsWith('.tmp'));
      await call('project:get', { project: p.id });
    }
    await saving;
    expect(sawTemp).toBe(true);
    expect(readdirSync(dir)).toEqual(['big.wav']);
  });

  test.each([
    ['../escape', /can't contain/],
    ['a/b', /can't contain/],
    ['..', /can't be/],
    ['.hidden', /start with a dot/],
    ['CON', /reserved/],
    ['lpt1.txt', /reserved/],
    ['trailing.', /end with a dot/],
    ['x'.repeat(101), /longer than 100/],
    ['tab\there', /control characters/],
    ['   ', /empty/]
  ])('the name %j is refused', (name, why) => {
    expect(() => checkName(name, 'class name')).toThrow(why);
  });

  test('names are NFC-normalised, so é typed two ways is one class', async () => {
    expect(checkName('caf\u0065\u0301', 'x')).toBe('caf\u00e9');
    const p = await call('project:create', { name: 'Café', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'caf\u00e9' });
    await expect(call('class:add', { project: p.id, name: 'caf\u0065\u0301' })).rejects.toThrow(
      /already exists/
    );
  });
});

describe('the bundled demo', () => {
  test('opens as a project whose model is ready for Live', async () => {
    const p = await call('project:demo', {});
    expect(p.kind).toBe('audio');
    const runs = await call('run:list', { project: p.id });
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('done');
    const model = decodeModel(await call('model:load', { project: p.id, run: runs[0].id }));
    expect(model.labels).toEqual(['background', 'no', 'yes', 'other sounds']);
    expect(model.int).toBeDefined();
  });
});

describe('payload validation', () => {
  test.each([
    ['nope:method', {}, /unknown method/],
    ['project:create', { name: 'x' }, /kind must be one of/],
    ['project:create', { name: 'x', kind: 'audio', extra: 1 }, /unexpected field "extra"/],
    ['project:create', { name: 42, kind: 'audio' }, /name must be a non-empty string/],
    [
      'sample:add',
      { project: 'abcdef12', className: 'a', bytes: [1, 2], format: 'wav' },
      /bytes must be bytes/
    ],
    [
      'sample:add',
      { project: 'abcdef12', className: 'a', bytes: new Uint8Array(1), format: 'exe' },
      /format must be one of/
    ],
    ['train:start', { project: 'abcdef12', settings: { weightBits: 12 } }, /1–8 or 32/],
    ['train:start', { project: 'abcdef12', settings: { rm: '-rf' } }, /not a training setting/],
    ['project:list', null, /payload must be an object/]
  ])('%s %j is refused', (method, payload, why) => {
    expect(() => validateRequest(method, payload)).toThrow(ApiError);
    expect(() => validateRequest(method, payload)).toThrow(why);
  });
});

describe('training in a worker thread', () => {
  async function audioProject(name: string): Promise<string> {
    const p = await call('project:create', { name, kind: 'audio' });
    for (const [cls, f] of [
      ['low', 220],
      ['high', 1800]
    ] as const) {
      await call('class:add', { project: p.id, name: cls });
      for (let i = 0; i < 6; i++)
        await call('sample:add', {
          project: p.id,
          className: cls,
          bytes: tone(f * (1 + i / 40), i + 1),
          format: 'wav'
        });
    }
    return p.id;
  }

  function collect(): { events: { type: string; payload: unknown }[]; finished: Promise<RunInfo> } {
    const events: { type: string; payload: unknown }[] = [];
    let resolve!: (r: RunInfo) => void;
    const finished = new Promise<RunInfo>((r) => (resolve = r));
    const off = api.subscribe(<E extends keyof ApiEvents>(type: E, payload: ApiEvents[E]) => {
      events.push({ type, payload });
      if (type === 'train:finished') {
        off();
        resolve(payload as RunInfo);
      }
    });
    return { events, finished };
  }

  test('trains end to end with progress; the run and its model are kept; one run at a time', async () => {
    const project = await audioProject('Tones');
    // Opening a project warms a training worker; the run takes it, and a new one is warmed after.
    await call('project:get', { project });
    const spare = () => (api.trainer as unknown as { spare?: object }).spare;
    const warmed = spare();
    expect(warmed).toBeDefined();
    const { events, finished } = collect();
    const run = await call('train:start', {
      project,
      // From scratch: what the run keeps is the subject here (runs from the base: base.test.ts).
      settings: { epochs: 3, weightBits: 4, seed: 2, startFrom: 'scratch' }
    });
    expect(run.status).toBe('running');
    expect(spare()).toBeUndefined();
    await expect(call('train:start', { project, settings: {} })).rejects.toThrow(
      /already going on/
    );
    const done = await finished;
    await expect.poll(() => spare()).toBeDefined();
    expect(spare()).not.toBe(warmed);
    expect(done.status).toBe('done');
    // Two validation clips: any accuracy is possible; it must be reported.
    expect(done.validationAccuracy).toBeGreaterThanOrEqual(0);
    expect(done.validationAccuracy).toBeLessThanOrEqual(1);
    const progress = events
      .filter((e) => e.type === 'train:progress')
      .map((e) => e.payload as TrainProgressEvent);
    // Batch progress is throttled, so a fast epoch may report only its validation.
    expect(progress.some((p) => p.phase !== 'evaluate' && p.epoch === 3)).toBe(true);
    // The bar and the time left cover the whole run (review #3): 12 clips train the served model,
    // then 5 folds of about 10 — the served model is a fifth of the work, not the whole bar.
    const trained = progress.filter((p) => p.phase !== 'scan');
    const served = trained.filter((p) => p.phase !== 'evaluate');
    const folds = trained.filter((p) => p.phase === 'evaluate');
    expect(served.at(-1)!.fraction).toBeLessThan(0.3);
    expect(folds.length).toBeGreaterThan(0);
    expect(folds.at(-1)!.fraction).toBeGreaterThan(0.8);
    expect(folds.filter((p) => p.fold === 1).every((p) => p.etaSeconds > 0)).toBe(true);
    // Before cross-validation each epoch is checked on the model's own training clips.
    expect(served[0].check).toBe('own');
    const runs = await call('run:list', { project });
    expect(runs[0]).toMatchObject({ id: run.id, status: 'done' });
    // The data it trained on, to tell it from runs on other data later (review #14).
    expect(runs[0].trainedOn).toEqual([
      { name: 'high', samples: 6 },
      { name: 'low', samples: 6 }
    ]);
    const model = decodeModel(await call('model:load', { project, run: run.id }));
    expect(model.labels).toEqual(['high', 'low']);
    // The runs table's size is what is deployed (review #4): the integer-only file, as exported.
    const int = await call('model:export', { project, run: run.id, format: 'int' });
    expect(runs[0].deployedBytes).toBe(int.length);
    expect(runs[0].deployedBytes).toBeLessThan(runs[0].modelBytes / 2);
    const onnx = await call('model:export', { project, run: run.id, format: 'onnx' });
    expect(onnx[0]).toBe(0x08);
    await call('model:delete', { project, run: run.id });
    expect(await call('run:list', { project })).toEqual([]);
  }, 120_000);

  test('cancel stops the run promptly and marks it cancelled', async () => {
    const project = await audioProject('Cancel');
    const { events, finished } = collect();
    await call('train:start', { project, settings: { epochs: 200 } });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (
          events.some(
            (e) => e.type === 'train:progress' && (e.payload as { phase: string }).phase === 'train'
          )
        ) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const asked = performance.now();
    await call('train:cancel', { project });
    const done = await finished;
    expect(done.status).toBe('cancelled');
    expect(performance.now() - asked).toBeLessThan(5000);
  }, 120_000);

  test('a run whose folder is deleted while it trains still ends, with no unhandled rejection', async () => {
    const project = await audioProject('Vanishing');
    const { finished } = collect();
    const run = await call('train:start', { project, settings: { epochs: 3, seed: 1 } });
    rmSync(join(root, 'projects', project, 'runs', run.id), { recursive: true, force: true });
    const done = await finished;
    expect(['done', 'failed']).toContain(done.status);
  }, 120_000);
});
