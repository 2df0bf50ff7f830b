/**
 * Issue 16b's services against a real temporary folder: a recording cut into named 1 s clips,
 * delete with undo, move, devices remembered, one demo project, a project exported to one file
 * and imported back (and a damaged file refused whole), a "what if" run judged on the same
 * folds as its source, error lists that name a few files.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { scanDataset } from '../../core/data/scan';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { decodeWav, encodeWav } from '../../core/features/wav';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { decodeModel } from '../../core/model-file/model-file';
import { fewOf, fewProblems } from '../../core/util/few';
import { validateRequest, type ApiEvents, type RunInfo } from '../../electron/shared/api';
import { ApiService } from '../../electron/main/services/api-service';
import { freeProjectName } from '../../electron/main/services/project-archive';

const root = mkdtempSync(join(tmpdir(), 'quench-workflow-'));
const api = new ApiService(join(root, 'projects'));
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

const call = (method: string, payload: object) => api.handle(method, payload) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `words` bursts of a tone, each 0.3 s, in silence: a take of several "words". */
function take(words: number, seconds: number, freq = 600): Uint8Array {
  const x = new Float32Array(Math.round(seconds * 16000));
  for (let w = 0; w < words; w++) {
    const start = Math.round(((w + 0.5) * x.length) / words) - 2400;
    for (let i = 0; i < 4800; i++) x[start + i] = 0.4 * Math.sin((2 * Math.PI * freq * i) / 16000);
  }
  for (let i = 0; i < x.length; i++) x[i] += 0.002 * Math.sin(i * 12.9898);
  return encodeWav([x], 16000);
}

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

describe('collecting', () => {
  test('a 6 s take of 4 words becomes 4 clips "yes 1" … "yes 4"; background: 1 s windows', async () => {
    const p = await call('project:create', { name: 'Rec', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    await call('class:add', { project: p.id, name: 'background' });
    const { saved: clips, leftOut } = await call('sample:record', {
      project: p.id,
      className: 'yes',
      bytes: take(4, 6)
    });
    expect(leftOut).toEqual([]);
    expect(clips.map((c: { name: string }) => c.name)).toEqual([
      'yes 1',
      'yes 2',
      'yes 3',
      'yes 4'
    ]);
    const { saved: more } = await call('sample:record', {
      project: p.id,
      className: 'yes',
      bytes: take(1, 1)
    });
    expect(more.map((c: { name: string }) => c.name)).toEqual(['yes 5']);
    const listed = await call('sample:list', { project: p.id, className: 'yes' });
    expect(listed.map((s: { name: string }) => s.name).sort()).toEqual([
      'yes 1',
      'yes 2',
      'yes 3',
      'yes 4',
      'yes 5'
    ]);
    const { saved: bg } = await call('sample:record', {
      project: p.id,
      className: 'background',
      bytes: take(0, 10)
    });
    expect(bg).toHaveLength(10);
    // Each saved clip is one second at 16 kHz.
    const bytes = await call('sample:read', {
      project: p.id,
      className: 'yes',
      file: clips[0].file
    });
    expect(bytes.length).toBe(44 + 16000 * 2);
    await expect(
      call('sample:record', { project: p.id, className: 'yes', bytes: take(3, 20) })
    ).rejects.toThrow(/at most 10 s/);
  });

  test('a take begun and let go mid-word: the two cut words are left out and listed, the 3 whole ones saved', async () => {
    const p = await call('project:create', { name: 'Cut', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'music' });
    // 5 "words" of 0.3 s every 1.2 s from −0.15 s: the first and last run over the take's edges.
    const x = new Float32Array(5 * 16000);
    for (const at of [-0.15, 1.2, 2.4, 3.6, 4.85]) {
      for (let i = 0; i < 4800; i++) {
        const j = Math.round(at * 16000) + i;
        if (j >= 0 && j < x.length) x[j] = 0.4 * Math.sin((2 * Math.PI * 600 * i) / 16000);
      }
    }
    for (let i = 0; i < x.length; i++) x[i] += 0.002 * Math.sin(i * 12.9898);
    const { saved, leftOut } = await call('sample:record', {
      project: p.id,
      className: 'music',
      bytes: encodeWav([x], 16000)
    });
    expect(saved.map((s: { name: string }) => s.name)).toEqual(['music 1', 'music 2', 'music 3']);
    expect(leftOut.map((l: { cut: string }) => l.cut)).toEqual(['start', 'end']);
    expect(leftOut[0].start).toBe(0);
    expect(leftOut[1].end).toBe(5);
    expect((await call('project:get', { project: p.id })).classes[0].samples).toBe(3);
  });

  test('a take where nobody spoke (digital silence, a quiet room at −50 dBFS) saves nothing and says so', async () => {
    const p = await call('project:create', { name: 'Quiet', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const room = Float32Array.from({ length: 32000 }, () => 0.0055 * rnd()); // −50 dBFS RMS
    const record = (className: string, x: Float32Array) =>
      call('sample:record', { project: p.id, className, bytes: encodeWav([x], 16000) });
    expect(await record('yes', room)).toEqual({ saved: [], leftOut: [], nothingHeard: true });
    // Digital silence is a muted or unplugged input, in any class (a fake device between words,
    // 1-LSB dither: below −70 dBFS).
    const lsb = Float32Array.from({ length: 32000 }, (_, i) => (i % 7 === 0 ? 1 / 32768 : 0));
    expect(await record('yes', new Float32Array(32000))).toEqual({
      saved: [],
      leftOut: [],
      silentInput: true
    });
    expect((await call('project:get', { project: p.id })).classes[0].samples).toBe(0);
    await call('class:add', { project: p.id, name: 'background' });
    expect(await record('background', lsb)).toEqual({ saved: [], leftOut: [], silentInput: true });
    // The background class takes the room as it is.
    const bg = await call('sample:record', {
      project: p.id,
      className: 'background',
      bytes: encodeWav([room], 16000)
    });
    expect(bg.saved).toHaveLength(2);
  });

  test('a short noise just after the take began, then a word: one clip of the word, not two clips sharing most of it', async () => {
    const p = await call('project:create', { name: 'Click', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    const r = 16000;
    const x = Float32Array.from({ length: 6 * r }, (_, i) => 0.002 * Math.sin(i * 12.9898));
    const put = (s: number, e: number) => {
      for (let i = Math.round(s * r); i < e * r; i++)
        x[i] += 0.3 * Math.sin((2 * Math.PI * 400 * i) / r);
    };
    put(0.05, 0.15); // a click, its clip pushed back to 0 s
    put(0.5, 1.0); // the word, its clip at 0.25 s
    put(3, 3.5);
    const { saved } = await call('sample:record', {
      project: p.id,
      className: 'yes',
      bytes: encodeWav([x], r)
    });
    expect(saved).toHaveLength(2);
  });

  test('words said slowly (1.6 s) are one clip each; a 2.6 s sound saves nothing until its preview is answered', async () => {
    const p = await call('project:create', { name: 'Slow', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'seventeen' });
    /** Noise at −66 dBFS with 300 Hz sounds of the given [start, length] in seconds. */
    const sounds = (seconds: number, parts: [number, number][]) => {
      const x = Float32Array.from(
        { length: seconds * 16000 },
        (_, i) => 0.001 * Math.sin(i * 12.9898)
      );
      for (const [at, len] of parts) {
        for (let i = 0; i < len * 16000; i++) {
          x[Math.round(at * 16000) + i] += 0.3 * Math.sin((2 * Math.PI * 300 * i) / 16000);
        }
      }
      return encodeWav([x], 16000);
    };
    const slow = await call('sample:record', {
      project: p.id,
      className: 'seventeen',
      bytes: sounds(6, [
        [0.5, 1.6],
        [3.2, 1.6]
      ])
    });
    expect(slow.saved.map((s: { name: string }) => s.name)).toEqual(['seventeen 1', 'seventeen 2']);
    expect(slow.preview).toBeUndefined();
    // A word, then a sound of 2.6 s: its 3 pieces are shown before anything is saved.
    const bytes = sounds(7, [
      [0.5, 0.5],
      [2, 2.6]
    ]);
    const asked = await call('sample:record', { project: p.id, className: 'seventeen', bytes });
    expect(asked.saved).toEqual([]);
    expect(asked.preview.clips).toHaveLength(4);
    expect(asked.preview.clips[0].longSound).toBeUndefined();
    expect(
      asked.preview.clips.slice(1).map((c: { longSound: { clips: number } }) => c.longSound.clips)
    ).toEqual([3, 3, 3]);
    expect(asked.preview.clips[1].longSound.start).toBeCloseTo(2, 1);
    expect(asked.preview.envelope.length).toBeGreaterThan(0);
    expect((await call('project:get', { project: p.id })).classes[0].samples).toBe(2);
    const kept = await call('sample:record', {
      project: p.id,
      className: 'seventeen',
      bytes,
      keep: [0, 2]
    });
    expect(kept.saved.map((s: { name: string }) => s.name)).toEqual(['seventeen 3', 'seventeen 4']);
    await expect(
      call('sample:record', { project: p.id, className: 'seventeen', bytes, keep: [4] })
    ).rejects.toThrow(/the take has 4 clips; there is no clip 5/);
  });

  test('tiles and classes in natural order: "background 2" before "background 10"', async () => {
    const p = await call('project:create', { name: 'Order', kind: 'audio' });
    for (const c of ['class 10', 'class 2', 'background']) {
      await call('class:add', { project: p.id, name: c });
    }
    for (let k = 0; k < 2; k++) {
      await call('sample:record', { project: p.id, className: 'background', bytes: take(0, 6) });
    }
    const names = (await call('sample:list', { project: p.id, className: 'background' })).map(
      (s: { name: string }) => s.name
    );
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `background ${i + 1}`));
    const classes = (await call('project:get', { project: p.id })).classes;
    expect(classes.map((c: { name: string }) => c.name)).toEqual([
      'background',
      'class 2',
      'class 10'
    ]);
  });

  test('camera frames are named "mug 1", "mug 2" … like recordings, also when saved at once', async () => {
    const p = await call('project:create', { name: 'Frames', kind: 'vision' });
    await call('class:add', { project: p.id, name: 'mug' });
    const png = encodePng({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 });
    const saved = await Promise.all(
      Array.from({ length: 3 }, () =>
        call('sample:add', { project: p.id, className: 'mug', bytes: png, format: 'png' })
      )
    );
    expect(saved.map((s: { name: string }) => s.name).sort()).toEqual(['mug 1', 'mug 2', 'mug 3']);
    expect(saved.map((s: { file: string }) => s.file).sort()).toEqual([
      'mug 1.png',
      'mug 2.png',
      'mug 3.png'
    ]);
  });

  test('a long take saved as the clips kept: the class counts them, and training cuts the same', async () => {
    const p = await call('project:create', { name: 'Take', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'lights' });
    await call('class:add', { project: p.id, name: 'stop' });
    const bytes = take(6, 9);
    const req = { project: p.id, className: 'lights', name: 'lights-long.m4a', bytes };
    const seen = await call('sample:inspect', req);
    expect(seen.clips).toHaveLength(6);
    const added = await call('sample:import', { ...req, keep: [0, 1, 2, 3, 5] });
    expect(added).toMatchObject({ clips: 5, leftOut: 1 });
    expect(added.savedAs).toEqual([
      'lights-long 1.wav',
      'lights-long 2.wav',
      'lights-long 3.wav',
      'lights-long 4.wav',
      'lights-long 6.wav'
    ]);
    await call('sample:record', { project: p.id, className: 'stop', bytes: take(2, 3, 300) });
    const info = await call('project:get', { project: p.id });
    expect(info.classes.find((c: { name: string }) => c.name === 'lights').samples).toBe(5);
    const scanned = await scanDataset(
      folderSource(join(root, 'projects', p.id, 'data')),
      SPEECH_LOGMEL
    );
    expect(scanned.counts[scanned.labels.indexOf('lights')]).toBe(5);
    // The saved clips are the preview's clips.
    const first = await call('sample:read', {
      project: p.id,
      className: 'lights',
      file: added.file
    });
    const clip = decodeWav(first).channels[0];
    expect(clip).toHaveLength(16000);
    await expect(call('sample:import', { ...req, keep: [6] })).rejects.toThrow(
      /has 6 clips; there is no clip 7/
    );
    await expect(call('sample:import', { ...req, keep: [1, 1] })).rejects.toThrow(/twice/);
  });

  test('delete then undo brings the clip back; move renames a recording into the new class', async () => {
    const p = await call('project:create', { name: 'Undo', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'left' });
    await call('class:add', { project: p.id, name: 'right' });
    const {
      saved: [a]
    } = await call('sample:record', {
      project: p.id,
      className: 'left',
      bytes: take(1, 1)
    });
    await call('sample:delete', { project: p.id, className: 'left', file: a.file });
    expect(await call('sample:list', { project: p.id, className: 'left' })).toEqual([]);
    const back = await call('sample:restore', { project: p.id, className: 'left', file: a.file });
    expect(back.name).toBe('left 1');
    await expect(
      call('sample:restore', { project: p.id, className: 'left', file: a.file })
    ).rejects.toThrow(/no longer in the trash/);
    // The trash is not part of the dataset.
    expect(
      (await call('project:get', { project: p.id })).classes.map((c: { name: string }) => c.name)
    ).toEqual(['left', 'right']);
    const moved = await call('sample:move', {
      project: p.id,
      className: 'left',
      file: a.file,
      to: 'right'
    });
    expect(moved).toMatchObject({ className: 'right', name: 'right 1' });
    expect(await call('sample:list', { project: p.id, className: 'left' })).toEqual([]);
    await expect(
      call('sample:restore', { project: p.id, className: 'left', file: '../../project.json' })
    ).rejects.toThrow();
  });

  test('devices are remembered with the project', async () => {
    const p = await call('project:create', { name: 'Devices', kind: 'audio' });
    await call('project:devices', { project: p.id, mic: { id: 'abc', label: 'USB mic' } });
    await call('project:devices', { project: p.id, camera: { id: 'c1', label: 'Webcam' } });
    const again = await call('project:get', { project: p.id });
    expect(again.devices).toEqual({
      mic: { id: 'abc', label: 'USB mic' },
      camera: { id: 'c1', label: 'Webcam' }
    });
    expect(() =>
      validateRequest('project:devices', { project: p.id, mic: { id: 1, label: 'x' } })
    ).toThrow(/id must be text/);
    expect(() =>
      validateRequest('project:devices', { project: p.id, mic: { id: 'a', label: 'x', z: 1 } })
    ).toThrow(/not a device field/);
  });

  test('the demo opens as one project, with what it is and its training record', async () => {
    const a = await call('project:demo', {});
    const b = await call('project:demo', {});
    expect(b.id).toBe(a.id);
    expect((await call('project:list', {})).filter((p: { demo?: unknown }) => p.demo)).toHaveLength(
      1
    );
    expect(a.demo.about).toMatch(/yes.*no/);
    // Said once (the Collect view adds that the recordings are not shipped), and its accuracy
    // in the run's own terms: the run's figure with its clips, then the unheard voices.
    expect(a.demo.about).not.toMatch(/recordings are not/);
    const [run] = await call('run:list', { project: a.id });
    expect(a.demo.about).toContain(
      `${(100 * run.evaluation.accuracy).toFixed(1)} % of ${run.evaluation.clips} clips held out`
    );
    // Every setting the runs table shows (no "Act. bits —").
    expect(run.settings).toMatchObject({
      preset: 'audio-small',
      weightBits: 4,
      weightScheme: 'linear',
      actBits: 8,
      kwta: 0.5
    });
    expect(run.history.length).toBeGreaterThan(1);
    // Fine-tuned from the keyword base as a new sound project's run is, "other sounds" included.
    expect(run.startedFrom).toMatch(/^base:keyword-base@[0-9a-f]{8}$/);
    expect(run.trainedLayers).toBe('head');
    expect(run.evaluation.confusion).toHaveLength(4);
    expect(run.energy.totalPj).toBeGreaterThan(0);
    const int = await call('model:export', { project: a.id, run: run.id, format: 'int' });
    expect(run.deployedBytes).toBe(int.length);
  });
});

describe('a project as one file', () => {
  test('export → import gives the same classes, clips and runs under a new id', async () => {
    const p = await call('project:create', { name: 'Trip', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    await call('class:add', { project: p.id, name: 'empty class' });
    await call('sample:record', { project: p.id, className: 'yes', bytes: take(3, 4) });
    await call('sample:import', {
      project: p.id,
      className: 'yes',
      name: 'memo: day 1.wav',
      bytes: tone(300, 1)
    });
    const demo = await call('project:demo', {});
    const [demoRun] = await call('run:list', { project: demo.id });
    // A run to carry along: the demo's, copied through export/import of the demo project.
    const file = await call('project:export', { project: p.id });
    const back = await call('project:import-file', { name: 'trip.quench', bytes: file });
    expect(back.id).not.toBe(p.id);
    // A project of that name exists: the copy is told apart (review #26), and so is the next one.
    expect(back.name).toBe('Trip (2)');
    const again = await call('project:import-file', { name: 'trip.quench', bytes: file });
    expect(again.name).toBe('Trip (3)');
    expect(freeProjectName('Trip', ['trip', 'Trip (2)'])).toBe('Trip (3)');
    expect(freeProjectName('New', ['Trip'])).toBe('New');
    expect([...freeProjectName('x'.repeat(100), ['x'.repeat(100)])]).toHaveLength(100);
    expect(back.classes).toEqual([
      { name: 'empty class', samples: 0 },
      { name: 'yes', samples: 4 }
    ]);
    const names = (await call('sample:list', { project: back.id, className: 'yes' }))
      .map((s: { name: string }) => s.name)
      .sort();
    expect(names).toEqual(['memo: day 1.wav', 'yes 1', 'yes 2', 'yes 3']);
    const demoCopy = await call('project:import-file', {
      name: 'demo.quench',
      bytes: await call('project:export', { project: demo.id })
    });
    expect(demoCopy.demo).toBeUndefined();
    const [run] = await call('run:list', { project: demoCopy.id });
    expect(run).toMatchObject({ id: demoRun.id, project: demoCopy.id, settings: demoRun.settings });
    const model = decodeModel(await call('model:load', { project: demoCopy.id, run: run.id }));
    expect(model.labels).toEqual(['background', 'no', 'yes', 'other sounds']);
  });

  test('a damaged or foreign file is refused whole, naming a few files, and leaves nothing', async () => {
    const before = readdirSync(join(root, 'projects')).length;
    const p = await call('project:create', { name: 'Bad', kind: 'audio' });
    await call('class:add', { project: p.id, name: 'yes' });
    await call('sample:record', { project: p.id, className: 'yes', bytes: take(1, 1) });
    const good = unzipSync(await call('project:export', { project: p.id }));
    const bad: Record<string, Uint8Array> = { ...good };
    for (let i = 0; i < 40; i++) bad[`data/yes/junk ${i}.wav`] = strToU8('not a sound');
    await expect(
      call('project:import-file', { name: 'bad.quench', bytes: zipSync(bad) })
    ).rejects.toThrow(/40 file\(s\) can't be used: data\/yes\/junk 0\.wav: .*and 37 more/);
    await expect(
      call('project:import-file', {
        name: 'escape.quench',
        bytes: zipSync({ ...good, 'data/../../evil.wav': strToU8('x') })
      })
    ).rejects.toThrow(/unexpected entries/);
    await expect(
      call('project:import-file', { name: 'notes.quench', bytes: strToU8('hello') })
    ).rejects.toThrow(/not a zip file/);
    const manifest = JSON.parse(new TextDecoder().decode(good['quench-project.json']));
    await expect(
      call('project:import-file', {
        name: 'new.quench',
        bytes: zipSync({
          ...good,
          'quench-project.json': strToU8(JSON.stringify({ ...manifest, version: 2 }))
        })
      })
    ).rejects.toThrow(/newer Quench/);
    // Only the project made above was added; no staging folder is left.
    const after = readdirSync(join(root, 'projects'));
    expect(after.length).toBe(before + 1);
    expect(after.some((f) => f.startsWith('.importing'))).toBe(false);
  });
});

describe('few files in messages', () => {
  test('three names and "and 37 more", paths shortened to the project', () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${i}.wav`);
    expect(fewOf(names)).toBe('f0.wav; f1.wav; f2.wav and 37 more');
    expect(fewOf(names.slice(0, 2))).toBe('f0.wav; f1.wav');
    expect(
      fewProblems(
        [{ file: '/home/a/.quench/projects/x1/data/yes/a.wav', reason: 'empty' }],
        '/home/a/.quench/projects/x1/data'
      )
    ).toBe('yes/a.wav: empty');
  });
});

describe('runs to compare', () => {
  function finished(): Promise<RunInfo> {
    return new Promise((resolve) => {
      const off = api.subscribe(<E extends keyof ApiEvents>(type: E, payload: ApiEvents[E]) => {
        if (type === 'train:finished') {
          off();
          resolve(payload as RunInfo);
        }
      });
    });
  }

  test('a trained run has energy and every clip’s prediction; "what if" at 2 bits is judged on the same folds', async () => {
    const p = await call('project:create', { name: 'Tones', kind: 'audio' });
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
    await expect(
      call('train:start', { project: p.id, settings: { preset: 'digits' } })
    ).rejects.toThrow(/for images, and this is a sound project/);
    let done = finished();
    await call('train:start', {
      project: p.id,
      settings: { epochs: 2, weightBits: 4, seed: 3, startFrom: 'scratch' }
    });
    const run = await done;
    expect(run.status).toBe('done');
    expect(run.energy!.totalPj).toBeGreaterThan(0);
    expect(run.energy!.clips).toBe(12);
    const ev = run.evaluation!;
    expect(ev.method).toBe('k-fold');
    expect(ev.predictions).toHaveLength(12);
    // Files name the class folder and the file, never an absolute path.
    expect(ev.predictions!.every((c) => /^(low|high)\/[^/]+\.wav$/.test(c.file))).toBe(true);
    const cells = ev.confusion.flat().reduce((a, b) => a + b, 0);
    expect(cells).toBe(ev.predictions!.length);

    done = finished();
    const whatIf = await call('run:quantize', {
      project: p.id,
      run: run.id,
      weightBits: 2,
      weightScheme: 'exponential'
    });
    expect(whatIf).toMatchObject({ status: 'running', quantizedFrom: run.id });
    const w = await done;
    expect(w.status).toBe('done');
    expect(w.settings).toMatchObject({ weightBits: 2, weightScheme: 'exponential', epochs: 2 });
    expect(w.evaluation!.method).toBe('k-fold');
    expect(w.evaluation!.clips).toBe(ev.clips);
    expect(w.energy!.totalPj).toBeGreaterThan(0);
    expect(w.energy!.totalPj).not.toBe(run.energy!.totalPj);
    // 2-bit weights deploy smaller than 4-bit ones (the full files differ far less).
    expect(w.deployedBytes).toBeLessThan(run.deployedBytes!);
    const model = decodeModel(await call('model:load', { project: p.id, run: w.id }));
    expect(model.spec.quant.weightBits).toBe(2);
    expect(model.metrics.quantizedFrom).toBe(run.id);
    expect(existsSync(join(root, 'projects', p.id, 'runs', run.id, 'folds', 'folds.json'))).toBe(
      true
    );

    // A clip recorded since, then a what-if of the what-if (review #7): the trained run's model
    // rounded another way, judged on the same folds, its own-clip figures on the 12 it trained on.
    await call('sample:add', {
      project: p.id,
      className: 'low',
      bytes: tone(230, 9),
      format: 'wav'
    });
    done = finished();
    await call('run:quantize', { project: p.id, run: w.id, weightBits: 3, weightScheme: 'kmeans' });
    const chained = await done;
    expect(chained).toMatchObject({ status: 'done', quantizedFrom: run.id });
    expect(chained.trainedOn).toEqual(run.trainedOn); // the same model's data, not today's
    expect(chained.evaluation!.clips).toBe(ev.clips);
    expect(chained.served!.clips).toBe(12);
    expect(chained.energy!.clips).toBe(12);
    expect(chained.settings).toMatchObject({ weightBits: 3, weightScheme: 'kmeans', epochs: 2 });

    // Without the fold models there is no estimate, and the run says why.
    rmSync(join(root, 'projects', p.id, 'runs', run.id, 'folds'), { recursive: true });
    done = finished();
    await call('run:quantize', {
      project: p.id,
      run: run.id,
      weightBits: 2,
      weightScheme: 'linear'
    });
    const bare = await done;
    expect(bare.evaluation).toBeUndefined();
    expect(bare.evaluationNote).toMatch(/kept no cross-validation models/);
    await expect(
      call('run:quantize', {
        project: p.id,
        run: 'gone-000000',
        weightBits: 2,
        weightScheme: 'linear'
      })
    ).rejects.toThrow(/^this run no longer exists$/);
  }, 180_000);
});
