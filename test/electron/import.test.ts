/**
 * The app's import through the API service (issue 15, kinds 1, 4 and 9 in the app): files a person
 * picks or drops keep their names, every refused file comes back with its reason, long takes show
 * their cut points before saving, and a folder import checks every class name before copying
 * anything (all or nothing), lists what it refused, and flattens sub-folders without losing paths.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanDataset } from '../../core/data/dataset';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { encodeWav } from '../../core/features/wav';
import { ApiService } from '../../electron/main/services/api-service';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { decodeFileName, encodeFileName } from '../../electron/main/services/names';
import { validateRequest, type ApiEvents, type RunInfo } from '../../electron/shared/api';
import { ffmpeg, HEIC_HEAD, longTake, read, requireTools, sox, WEBP_HEAD } from '../fixtures/media';

const root = mkdtempSync(join(tmpdir(), 'quench-import-'));
const api = new ApiService(join(root, 'projects'));
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});
const call = (method: string, payload: object) => api.handle(method, payload) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const tone = (f: number) =>
  encodeWav([Float32Array.from({ length: 12000 }, (_, t) => 0.3 * Math.sin(t * f))], 16000);
const png = encodePng({
  width: 4,
  height: 4,
  data: new Uint8Array(16).fill(9),
  channels: 1,
  depth: 8
});

function write(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

let take: Uint8Array;
let mp3: Uint8Array;
beforeAll(() => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  const wav = longTake(join(root, 'fx'), 'take.wav', 'yes', 24);
  ffmpeg('-i', wav, '-c:a', 'aac', join(root, 'fx', 'take.m4a'));
  take = read(join(root, 'fx', 'take.m4a'));
  sox(wav, join(root, 'fx', 'one.wav'), 'trim', '0', '0.9');
  ffmpeg('-i', join(root, 'fx', 'one.wav'), '-c:a', 'libmp3lame', join(root, 'fx', 'one.mp3'));
  mp3 = read(join(root, 'fx', 'one.mp3'));
});

async function audioProject(...classes: string[]) {
  const p = await call('project:create', { name: 'Import', kind: 'audio' });
  for (const c of classes) await call('class:add', { project: p.id, name: c });
  return p.id as string;
}

describe('importing files (kind 1)', () => {
  test('files keep their original names, MP3 included; refused files say why and are not written', async () => {
    const id = await audioProject('yes');
    const imp = (name: string, bytes: Uint8Array) =>
      call('sample:import', { project: id, className: 'yes', name, bytes });
    expect(await imp('my yes.mp3', mp3)).toMatchObject({ name: 'my yes.mp3', clips: 1 });
    expect((await imp('my yes.mp3', mp3)).name).toBe('my yes (2).mp3');
    expect(await imp('what? 1.wav', tone(0.2))).toMatchObject({
      name: 'what? 1.wav',
      file: 'what%3F 1.wav'
    });
    await expect(imp('notes.wav', new TextEncoder().encode('shopping list'))).rejects.toThrow(
      /not an audio file Quench reads/
    );
    await expect(imp('photo.png', png)).rejects.toThrow(/a picture, and this is a sound project/);
    await expect(imp('broken.wav', tone(0.2).subarray(0, 30))).rejects.toThrow(/truncated/);
    await expect(imp('empty.wav', new Uint8Array(0))).rejects.toThrow(
      /the file is empty \(0 bytes\)/
    );
    // The first 3,000 bytes of a long WAV: 0.09 s read of the header's 0.75 s (newcomer review).
    await expect(imp('cut-short.wav', tone(0.2).subarray(0, 3000))).rejects.toThrow(
      /only 0\.09 s of sound \(.*ended early.*\): too short for a word/
    );
    const list = await call('sample:list', { project: id, className: 'yes' });
    expect(list.map((s: { name: string }) => s.name).sort()).toEqual([
      'my yes (2).mp3',
      'my yes.mp3',
      'what? 1.wav'
    ]);
  });

  test('iPhone HEIC photos and WebP pictures are pictures: named with the convert command', async () => {
    const p = await call('project:create', { name: 'Phone', kind: 'vision' });
    await call('class:add', { project: p.id, name: 'mug' });
    const inspect = (project: string, className: string, name: string, bytes: Uint8Array) =>
      call('sample:inspect', { project, className, name, bytes });
    await expect(inspect(p.id, 'mug', 'IMG_0001.HEIC', HEIC_HEAD)).rejects.toThrow(
      /^HEIC \(iPhone photo\) images are not read; convert to PNG first: convert in\.heic -auto-orient out\.png$/
    );
    await expect(inspect(p.id, 'mug', 'shared.webp', WEBP_HEAD)).rejects.toThrow(
      /^WebP images are not read; convert to PNG first/
    );
    // Whatever the name says, the bytes decide; and in a sound project they are still pictures.
    await expect(inspect(p.id, 'mug', 'IMG_0001.m4a', HEIC_HEAD)).rejects.toThrow(/^HEIC/);
    const id = await audioProject('yes');
    await expect(inspect(id, 'yes', 'IMG_0001.HEIC', HEIC_HEAD)).rejects.toThrow(
      'a picture, and this is a sound project'
    );
  });

  test('file names are stored valid on every OS and read back unchanged', () => {
    for (const n of [
      'a:b?.wav',
      'con.wav',
      '.hidden.wav',
      'trailing. ',
      '100%.wav',
      'day 1/a.wav',
      'café.wav'
    ]) {
      const f = encodeFileName(n);
      expect(f).not.toMatch(/[<>:"/\\|?*]|^\.|[. ]$|^con\./i);
      expect(decodeFileName(f)).toBe(n.normalize('NFC').trim() === n ? n : n.trim());
    }
  });

  test('request fields are checked: a file name with control characters is refused', () => {
    expect(() =>
      validateRequest('sample:import', {
        project: 'abcdef12',
        className: 'yes',
        name: 'a\u0000.wav',
        bytes: mp3
      })
    ).toThrow(/control characters/);
  });
});

describe('long takes in the app (kind 4)', () => {
  test('the preview shows 24 cut points before anything is saved; saving keeps the file whole', async () => {
    const id = await audioProject('yes', 'noise');
    const seen = await call('sample:inspect', {
      project: id,
      className: 'yes',
      name: 'take.m4a',
      bytes: take
    });
    expect(seen.clips).toHaveLength(24);
    expect(seen.background).toBe(false);
    expect(seen.seconds).toBeGreaterThan(20);
    for (const c of seen.clips) expect(c.end - c.start).toBeCloseTo(1, 3);
    expect(seen.envelope.length).toBe(600);
    expect(await call('sample:list', { project: id, className: 'yes' })).toEqual([]); // nothing saved yet
    const saved = await call('sample:import', {
      project: id,
      className: 'yes',
      name: 'take.m4a',
      bytes: take
    });
    expect(saved).toMatchObject({ name: 'take.m4a', clips: 24 });
    // Training reads the project folder through the same scan: 24 clips, as previewed.
    const scanned = await scanDataset(folderSource(api.store.dataDir(id)), SPEECH_LOGMEL, {
      labels: ['noise', 'yes']
    });
    expect(scanned.counts).toEqual([0, 24]);
    // In the background class the same take is cut into consecutive 1 s windows instead.
    const bg = await call('sample:inspect', {
      project: id,
      className: 'noise',
      name: 'take.m4a',
      bytes: take
    });
    expect(bg.background).toBe(true);
    expect(bg.clips.length).toBe(Math.round(seen.seconds));
    const p = await call('project:get', { project: id });
    expect(p.classes).toEqual([
      { name: 'noise', samples: 0, background: true },
      { name: 'yes', samples: 1 }
    ]);
  });
});

describe('folder import, all or nothing (kinds 1, 8, 9)', () => {
  function dataset(name: string, classes: Record<string, Record<string, Uint8Array | string>>) {
    const dir = join(root, name);
    for (const [c, files] of Object.entries(classes)) {
      mkdirSync(join(dir, c), { recursive: true });
      for (const [f, b] of Object.entries(files)) write(join(dir, c, f), b);
    }
    return dir;
  }

  test('a class name invalid on another OS stops the import before anything is copied, naming it', async () => {
    const id = await audioProject();
    const dir = dataset('invalid', {
      a: { '1.wav': tone(0.1) },
      b: { '1.wav': tone(0.2) },
      c: { '1.wav': tone(0.3) },
      d: { '1.wav': tone(0.4) },
      e: { '1.wav': tone(0.5) },
      'what?': { '1.wav': tone(0.6) },
      con: { '1.wav': tone(0.7) }
    });
    await expect(call('project:import-folder', { project: id, folder: dir })).rejects.toThrow(
      /nothing was imported: class folder "con": the name "con" is reserved on Windows; class folder "what\?": the name can't contain/
    );
    expect((await call('project:get', { project: id })).classes).toEqual([]);
    expect(readdirSync(api.store.dataDir(id))).toEqual([]);
  });

  test('"Yes" and "yes", or "yes" against an existing "Yes", are an error naming both', async () => {
    const id = await audioProject('Yes');
    const clash = dataset('clash', { Yes: { '1.wav': tone(0.1) }, yes: { '2.wav': tone(0.1) } });
    await expect(call('project:import-folder', { project: id, folder: clash })).rejects.toThrow(
      /"Yes" and "yes" differ only in case/
    );
    const other = dataset('clash2', { yes: { '1.wav': tone(0.1) }, no: { '1.wav': tone(0.2) } });
    await expect(call('project:import-folder', { project: id, folder: other })).rejects.toThrow(
      /class folder "yes" clashes with the project's class "Yes"/
    );
    expect((await call('project:get', { project: id })).classes).toEqual([
      { name: 'Yes', samples: 0 }
    ]);
  });

  test('sub-folders, NFD names, refused files listed with reasons, leftovers ignored', async () => {
    const id = await audioProject();
    const dir = dataset('good', {
      'cafe\u0301': { 'a.wav': tone(0.1), 'day 1/b.wav': tone(0.12), 'day 1/deep/c.mp3': mp3 },
      no: {
        'n.wav': tone(0.3),
        'notes.wav': 'not audio',
        'empty.wav': new Uint8Array(0),
        'cover.png': png,
        'Thumbs.db': 'x',
        '.DS_Store': 'x',
        '__MACOSX/._n.wav': 'x'
      }
    });
    const r = await call('project:import-folder', { project: id, folder: dir });
    expect(r.project.classes).toEqual([
      { name: 'caf\u00e9', samples: 3 },
      { name: 'no', samples: 1 }
    ]);
    expect(r.imported.map((f: { name: string }) => f.name).sort()).toEqual([
      'a.wav',
      'day 1/b.wav',
      'day 1/deep/c.mp3',
      'n.wav'
    ]);
    expect(r.refused).toEqual([
      { name: 'no/cover.png', reason: 'a picture, and this is a sound project' },
      { name: 'no/empty.wav', reason: 'the file is empty (0 bytes)' },
      { name: 'no/notes.wav', reason: expect.stringMatching(/not an audio file Quench reads/) }
    ]);
    const names = await call('sample:list', { project: id, className: 'caf\u00e9' });
    expect(names.map((s: { name: string }) => s.name)).toEqual([
      'a.wav',
      'day 1/b.wav',
      'day 1/deep/c.mp3'
    ]);
    // Imported twice: the second copies get " (2)", nothing is overwritten.
    const again = await call('project:import-folder', { project: id, folder: dir });
    expect(again.imported.map((f: { file: string }) => f.file)).toContain('n (2).wav');
  });
});

describe('a folder with long takes, saved as clips like a file import', () => {
  test('its long takes are previewed first; the import saves the clips kept, so a class counts its clips', async () => {
    const id = await audioProject();
    const dir = join(root, 'long-takes');
    write(join(dir, 'yes', 'take.m4a'), take);
    write(join(dir, 'yes', 'day 2', 'again.m4a'), take);
    write(join(dir, 'yes', 'one.wav'), tone(0.1));
    write(join(dir, 'no', 'later.m4a'), take);
    write(join(dir, 'background', 'room.m4a'), take);
    const takes = await call('project:inspect-folder', { project: id, folder: dir });
    // The background class is cut into windows, and a file of one clip is copied whole.
    expect(takes.map((t: { path: string }) => t.path)).toEqual([
      'no/later.m4a',
      'yes/day 2/again.m4a',
      'yes/take.m4a'
    ]);
    expect(takes[2]).toMatchObject({ className: 'yes', name: 'yes/take.m4a', background: false });
    expect(takes[2].clips).toHaveLength(24);
    expect(takes[2].envelope.length).toBeGreaterThan(0);
    // Nothing was saved by looking.
    expect((await call('project:get', { project: id })).classes).toEqual([]);

    const r = await call('project:import-folder', {
      project: id,
      folder: dir,
      keep: [
        { path: 'yes/take.m4a', clips: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
        { path: 'no/later.m4a', clips: [] }
      ]
    });
    // yes: 10 kept clips, those of the take not asked about whose word is whole (as its preview
    // ticks them), 1 file of one clip.
    const whole = takes[1].clips.filter((c: { cut?: string }) => !c.cut).length;
    expect(whole).toBeGreaterThan(20);
    const total = 10 + whole + 1;
    expect(r.project.classes).toEqual([
      { name: 'background', samples: 1, background: true },
      { name: 'yes', samples: total }
    ]);
    expect(r.refused).toEqual([{ name: 'no/later.m4a', reason: 'left out after the preview' }]);
    const kept = r.imported.find((f: { name: string }) => f.name === 'take.m4a');
    expect(kept).toMatchObject({ className: 'yes', clips: 10, leftOut: 14 });
    expect(kept.savedAs.slice(0, 2)).toEqual(['take 1.wav', 'take 2.wav']);
    const again = r.imported.find((f: { name: string }) => f.name === 'day 2/again.m4a');
    expect(again).toMatchObject({ clips: whole, leftOut: 24 - whole });
    const names = (await call('sample:list', { project: id, className: 'yes' })).map(
      (s: { name: string }) => s.name
    );
    expect(names).toHaveLength(total);
    expect(names).toContain('day 2/again 2.wav');
    expect(names).toContain('one.wav');
    // Each clip is a 1 s WAV, and training counts as many clips as the class holds files.
    const clip = await call('sample:read', { project: id, className: 'yes', file: kept.file });
    expect(clip.length).toBe(44 + 16000 * 2);
    const scanned = await scanDataset(folderSource(api.store.dataDir(id)), SPEECH_LOGMEL);
    expect(scanned.counts[scanned.labels.indexOf('yes')]).toBe(total);
    await expect(
      call('project:import-folder', {
        project: id,
        folder: dir,
        keep: [{ path: 'x', clips: [1, 1] }]
      })
    ).rejects.toThrow(/twice/);
  });
});

describe('the training report in the app (kinds 4 and 10)', () => {
  test('a run says which class was background and how many clips the long take gave', async () => {
    const id = await audioProject('yes', 'no', 'noise');
    await call('sample:import', { project: id, className: 'yes', name: 'take.m4a', bytes: take });
    for (let i = 0; i < 6; i++) {
      await call('sample:import', {
        project: id,
        className: 'no',
        name: `n${i}.wav`,
        bytes: tone(0.05 + i / 100)
      });
    }
    await call('sample:import', {
      project: id,
      className: 'noise',
      name: 'room.wav',
      bytes: tone(0.9)
    });
    let resolve!: (r: RunInfo) => void;
    const finished = new Promise<RunInfo>((r) => (resolve = r));
    const off = api.subscribe(<E extends keyof ApiEvents>(type: E, payload: ApiEvents[E]) => {
      if (type === 'train:finished') {
        off();
        resolve(payload as RunInfo);
      }
    });
    await call('train:start', { project: id, settings: { epochs: 1, seed: 1 } });
    const done = await finished;
    expect(done.status, done.error).toBe('done');
    expect(done.scan?.backgroundClass).toBe('noise');
    expect(done.scan?.notes).toEqual([
      { file: join(api.store.dataDir(id), 'yes', 'take.m4a'), reason: '24 clips' }
    ]);
    expect((await call('run:list', { project: id }))[0].scan.backgroundClass).toBe('noise');
  }, 180_000);
});
