/**
 * Dataset folders as people have them (long takes, phone memos, links, strays), through the filesystem
 * source and the `quench` CLI:
 * - long takes in a word class are cut at their utterances (24 spoken "yes" → 24 clips, reported);
 * - a class folder is everything under it: sub-folders, links to files and folders; dangling links
 *   are reported; OS leftovers never become classes or stop a run;
 * - names compare across systems (NFD from macOS = NFC); `Yes/` next to `yes/` is an error naming
 *   both;
 * - the modality is the majority's; strays are reported, not fatal; the background class is said
 *   and can be chosen with --background-class.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanDataset } from '../../core/data/dataset';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { encodeWav } from '../../core/features/wav';
import { folderSource } from '../../electron/main/services/fs-dataset';
import {
  CONVERT,
  ffmpeg,
  HEIC_HEAD,
  longTake,
  requireTools,
  run,
  sox,
  speak,
  WEBP_HEAD
} from '../fixtures/media';
import { quench } from './run-cli';

const root = mkdtempSync(join(tmpdir(), 'quench-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tone = (f: number, seconds = 0.5) =>
  encodeWav(
    [Float32Array.from({ length: 16000 * seconds }, (_, t) => 0.3 * Math.sin(t * f))],
    16000
  );
const png = (v: number) =>
  encodePng({ width: 8, height: 8, data: new Uint8Array(64).fill(v), channels: 1, depth: 8 });

function write(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

/** A small spec so CLI runs train in seconds on one-second log-mel clips. */
const tinyAudio = join(root, 'tiny-audio.json');
const tinyImage = join(root, 'tiny-image.json');
const layers = [
  { type: 'conv', filters: 4, kernel: 3 },
  { type: 'relu' },
  { type: 'maxpool', size: 2 },
  { type: 'gap' },
  { type: 'dense' }
];
beforeAll(() => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  const quant = { weightBits: 4, weightScheme: 'linear', actBits: 4, inputBits: 8 };
  const training = { optimizer: 'adam', learningRate: 0.01, l2: 0, batchSize: 16, epochs: 1 };
  writeFileSync(
    tinyAudio,
    JSON.stringify({
      version: 1,
      name: 'tiny-audio',
      input: { shape: [49, 40, 1], kind: 'audio' },
      features: SPEECH_LOGMEL,
      quant,
      layers,
      training
    })
  );
  writeFileSync(
    tinyImage,
    JSON.stringify({
      version: 1,
      name: 'tiny-image',
      input: { shape: [8, 8, 1], kind: 'image' },
      features: { kind: 'image', width: 8, height: 8, channels: 1 },
      quant,
      layers,
      training
    })
  );
});

describe('long recordings in a word class (kind 4)', () => {
  const data = join(root, 'takes');
  beforeAll(() => {
    for (const c of ['yes', 'no', 'noise']) mkdirSync(join(data, c), { recursive: true });
    // The reported case: 24 utterances of "yes" in one 27 s file.
    longTake(join(data, 'yes'), 'yes-take.wav', 'yes', 24);
    // A phone voice memo (AAC in M4A, 44.1 kHz) holding 6 "no".
    longTake(join(root, 'tmp'), 'no-take.wav', 'no', 6);
    ffmpeg(
      '-i',
      join(root, 'tmp', 'no-take.wav'),
      '-ar',
      '44100',
      '-c:a',
      'aac',
      join(data, 'no', 'memo.m4a')
    );
    // Single words: one clip each, however long the silence around them.
    speak(join(root, 'tmp', 'no1.wav'), 'no', 'en-gb');
    sox(join(root, 'tmp', 'no1.wav'), join(data, 'no', 'single.wav'), 'pad', '1', '2');
    // Three seconds of steady noise in a word class: no utterance, its loudest second.
    sox(
      '-n',
      '-r',
      '16000',
      join(data, 'no', 'hum.wav'),
      'synth',
      '3',
      'sine',
      '120',
      'vol',
      '0.2'
    );
    // A long background recording, cut into 1 s windows whatever it holds.
    sox(
      '-n',
      '-r',
      '16000',
      join(data, 'noise', 'room.wav'),
      'synth',
      '5.5',
      'pinknoise',
      'vol',
      '0.05'
    );
  });

  test('24 spoken "yes" in one file become 24 clips; a voice memo of 6 "no" gives 6', async () => {
    const scanned = await scanDataset(folderSource(data), SPEECH_LOGMEL);
    expect(scanned.labels).toEqual(['no', 'noise', 'yes']);
    // 5.5 s of background: five windows and the half-window tail, padded.
    expect(scanned.counts).toEqual([6 + 1 + 1, 6, 24]);
    expect(scanned.notes.map((n) => [n.file.split('/').pop(), n.reason])).toEqual([
      ['memo.m4a', '6 clips'],
      ['yes-take.wav', '24 clips']
    ]);
    // Each clip holds one utterance: its loudest 100 ms is far above its quietest.
    const yes = scanned.items.filter((it) => it.label === 2);
    const starts = yes.map((it) => it.at!);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(starts.map((s) => s.toFixed(2))).size).toBe(24);
  });

  test('quench train reports "yes-take.wav: 24 clips" and the background class, in text and JSON', async () => {
    const out = join(root, 'takes.qnm');
    const r = await quench('train', '--data', data, '--out', out, '--preset', tinyAudio, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/yes-take\.wav: 24 clips/);
    expect(r.err).toMatch(/memo\.m4a: 6 clips/);
    expect(r.err).toMatch(/class "noise" is the background class/);
    const summary = JSON.parse(r.out);
    expect(summary.counts).toEqual({ no: 8, noise: 6, yes: 24 });
    expect(summary.backgroundClass).toBe('noise');
  });

  test('--background-class none makes "noise" an ordinary class; an unknown name is refused', async () => {
    const r = await quench(
      'train',
      ...['--data', data, '--out', join(root, 'nobg.qnm'), '--preset', tinyAudio, '--json'],
      ...['--background-class', 'none']
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).backgroundClass).toBeNull();
    expect(JSON.parse(r.out).counts.noise).toBe(1); // steady noise: its loudest second
    const bad = await quench(
      'train',
      ...['--data', data, '--out', join(root, 'x.qnm'), '--background-class', 'hum']
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /background class "hum" is not a class of this dataset \(no, noise, yes\)/
    );
  });
});

describe('folders as people have them (kind 8)', () => {
  const data = join(root, 'tree');
  beforeAll(() => {
    // The reported case: 12 files of which 10 sit in sub-folders.
    write(join(data, 'high', 'a.wav'), tone(0.3));
    write(join(data, 'high', 'b.wav'), tone(0.31));
    for (let i = 0; i < 10; i++)
      write(join(data, 'high', `day ${i % 2}`, `deeper`, `${i}.wav`), tone(0.3 + i / 100));
    // A class of only sub-folders.
    for (let i = 0; i < 3; i++) write(join(data, 'low', 'phone', `${i}.wav`), tone(0.05 + i / 100));
    // A linked file, a linked folder, a link to nothing, a link back up (a loop).
    write(join(root, 'elsewhere', 'linked.wav'), tone(0.06));
    write(join(root, 'elsewhere-dir', 'x.wav'), tone(0.07));
    symlinkSync(join(root, 'elsewhere', 'linked.wav'), join(data, 'low', 'linked.wav'));
    symlinkSync(join(root, 'elsewhere-dir'), join(data, 'low', 'more'));
    symlinkSync(join(root, 'gone.wav'), join(data, 'low', 'dangling.wav'));
    symlinkSync(join(data, 'low'), join(data, 'low', 'phone', 'loop'));
    // A linked class folder.
    write(join(root, 'mid-source', 'm.wav'), tone(0.15));
    symlinkSync(join(root, 'mid-source'), join(data, 'mid'));
    // OS leftovers everywhere, including a whole unzipped __MACOSX tree.
    for (const f of ['Thumbs.db', 'desktop.ini', '.DS_Store', '._a.wav']) {
      write(join(data, 'high', f), 'leftover');
      write(join(data, f), 'leftover');
    }
    write(join(data, '__MACOSX', 'high', '._a.wav'), 'resource fork');
    write(join(data, 'high', '__MACOSX', '._b.wav'), 'resource fork');
  });

  test('every file under a class is used, links are followed, leftovers are invisible', async () => {
    const scanned = await scanDataset(folderSource(data), SPEECH_LOGMEL);
    expect(scanned.labels).toEqual(['high', 'low', 'mid']);
    expect(scanned.counts).toEqual([12, 3 + 1 + 1, 1]);
    expect(scanned.ignored).toEqual([]);
    expect(scanned.problems).toEqual([
      {
        file: join(data, 'low', 'dangling.wav'),
        reason: 'a link that points to nothing (the file it named is gone)'
      }
    ]);
  });

  test('the CLI trains on it with --skip-bad, and without it names the dangling link', async () => {
    const refused = await quench(
      'train',
      '--data',
      data,
      '--out',
      join(root, 't.qnm'),
      '--preset',
      tinyAudio
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(join(data, 'low', 'dangling.wav'));
    const r = await quench(
      'train',
      ...[
        '--data',
        data,
        '--out',
        join(root, 't.qnm'),
        '--preset',
        tinyAudio,
        '--skip-bad',
        '--json'
      ]
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).counts).toEqual({ high: 12, low: 5, mid: 1 });
  });
});

describe('names across systems (kind 9)', () => {
  const nfd = 'cafe\u0301';
  const nfc = 'caf\u00e9';

  test('a model trained on NFD folder names (macOS) evaluates on NFC names, and back', async () => {
    const train = join(root, 'nfd');
    for (let i = 0; i < 6; i++) {
      write(join(train, nfd, `${i}.png`), png(200 + i));
      write(join(train, 'th\u00e9', `${i}.png`), png(20 + i));
    }
    const model = join(root, 'cafe.qnm');
    const t = await quench(
      'train',
      '--data',
      train,
      '--out',
      model,
      '--preset',
      tinyImage,
      '--json'
    );
    expect(t.code, t.err).toBe(0);
    expect(JSON.parse(t.out).labels).toEqual([nfc, 'th\u00e9']); // stored as NFC
    const test = join(root, 'nfc');
    write(join(test, nfc, '0.png'), png(210));
    write(join(test, 'the\u0301', '0.png'), png(30));
    const e = await quench('eval', '--model', model, '--data', test, '--json');
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out).examples).toBe(2);
  });

  test('"Yes" next to "yes" is an error naming both, before anything is read', async () => {
    const data = join(root, 'case');
    write(join(data, 'Yes', 'a.wav'), tone(0.3));
    write(join(data, 'yes', 'b.wav'), tone(0.3));
    write(join(data, 'no', 'c.wav'), tone(0.1));
    const r = await quench('train', '--data', data, '--out', join(root, 'c.qnm'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /class folders "Yes", "yes" differ only in case or accents: merge them or rename one/
    );
  });
});

describe('one stray file does not decide the modality (kind 10)', () => {
  test('a cover .jpg among WAVs: the audio preset, the picture listed as not used', async () => {
    const data = join(root, 'stray');
    for (let i = 0; i < 12; i++) {
      write(join(data, 'high', `${i}.wav`), tone(0.3 + i / 100));
      write(join(data, 'low', `${i}.wav`), tone(0.05 + i / 100));
    }
    write(join(data, 'high', 'cover.jpg'), png(3));
    write(join(data, 'low', 'README.txt'), 'recorded in the kitchen');
    const r = await quench(
      'train',
      '--data',
      data,
      '--out',
      join(root, 's.qnm'),
      '--epochs',
      '1',
      // From scratch: which preset the files' kind picks is the subject.
      '--from',
      'scratch',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.preset).toBe('audio-small');
    expect(s.counts).toEqual({ high: 12, low: 12 });
    expect(s.skipped).toEqual([]);
    expect(s.ignored).toEqual([
      { file: join(data, 'high', 'cover.jpg'), reason: 'a picture among sound files: not used' },
      { file: join(data, 'low', 'README.txt'), reason: 'not a sound file' }
    ]);
    expect(r.err).toContain(`not used: ${join(data, 'high', 'cover.jpg')}`);
  });

  test('a stray WAV among pictures: the image preset', async () => {
    const data = join(root, 'stray-img');
    for (let i = 0; i < 6; i++) {
      write(join(data, 'dark', `${i}.png`), png(10 + i));
      write(join(data, 'light', `${i}.png`), png(240 - i));
    }
    write(join(data, 'dark', 'voice.wav'), tone(0.2));
    const r = await quench(
      'train',
      '--data',
      data,
      '--out',
      join(root, 'si.qnm'),
      '--epochs',
      '1',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).preset).toBe('vision-small');
    expect(JSON.parse(r.out).ignored).toEqual([
      { file: join(data, 'dark', 'voice.wav'), reason: 'a sound among pictures: not used' }
    ]);
  });

  test('iPhone HEIC photos and WebP pictures are pictures, never sound, named with the command that converts them', async () => {
    const data = join(root, 'phone');
    for (let i = 0; i < 3; i++) {
      write(join(data, 'mug', `IMG_000${i}.HEIC`), HEIC_HEAD);
      write(join(data, 'cup', `IMG_001${i}.heic`), HEIC_HEAD);
    }
    write(join(data, 'cup', 'shared.webp'), WEBP_HEAD);
    write(join(data, 'cup', 'voice memo.wav'), tone(0.2));
    const r = await quench('train', '--data', data, '--out', join(root, 'p.qnm'), '--json');
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/class folder\(s\) "cup", "mug" hold no usable files/);
    expect(r.err).toMatch(
      /IMG_0000\.HEIC: HEIC \(iPhone photo\) images are not read; convert to PNG first: convert in\.heic/
    );
    expect(r.err).toMatch(/shared\.webp: WebP images are not read; convert to PNG first/);
    expect(r.err).toContain('voice memo.wav: a sound among pictures: not used');
    expect(r.err).not.toMatch(/ffmpeg|M4A/);
  });

  test('--help says a class named noise is the background class and how to choose another', async () => {
    const r = await quench('--help');
    expect(r.out).toMatch(/"noise" is the background class/);
    expect(r.out).toMatch(/--background-class C/);
    expect(r.out).toMatch(/MP3, M4A\/AAC, Ogg Vorbis, Opus, FLAC/);
  });
});

describe('images as people see them, through train and predict (kind 6)', () => {
  test('a phone photo of a vertical bar (stored rotated, EXIF Orientation 6) is predicted "vertical"', async () => {
    requireTools(CONVERT, 'exiftool');
    const data = join(root, 'bars');
    for (let i = 0; i < 24; i++) {
      const at = 3 + (i % 10);
      const w = 2 + (i % 3);
      const draw = (r: string) => ['-size', '16x16', 'xc:white', '-fill', 'black', '-draw', r];
      mkdirSync(join(data, 'vertical'), { recursive: true });
      mkdirSync(join(data, 'horizontal'), { recursive: true });
      run(CONVERT, [...draw(`rectangle ${at},1 ${at + w},14`), join(data, 'vertical', `${i}.png`)]);
      run(CONVERT, [
        ...draw(`rectangle 1,${at} 14,${at + w}`),
        join(data, 'horizontal', `${i}.png`)
      ]);
    }
    const spec = join(root, 'bars.json');
    writeFileSync(
      spec,
      JSON.stringify({
        version: 1,
        name: 'bars',
        input: { shape: [16, 16, 1], kind: 'image' },
        features: { kind: 'image', width: 16, height: 16, channels: 1 },
        quant: { weightBits: 8, weightScheme: 'linear', actBits: 8, inputBits: 8 },
        layers: [
          { type: 'conv', filters: 8, kernel: 3 },
          { type: 'relu' },
          { type: 'maxpool', size: 2 },
          { type: 'gap' },
          { type: 'dense' }
        ],
        training: { optimizer: 'adam', learningRate: 0.02, l2: 0, batchSize: 8, epochs: 20 }
      })
    );
    const model = join(root, 'bars.qnm');
    const t = await quench('train', '--data', data, '--out', model, '--preset', spec, '--json');
    expect(t.code, t.err).toBe(0);
    // The recipe: rotate the picture as a phone stores it, then tag it Orientation 6.
    const photo = join(root, 'x.jpg');
    run(CONVERT, [join(data, 'vertical', '5.png'), '-rotate', '-90', photo]);
    run('exiftool', ['-q', '-overwrite_original', '-Orientation=6', '-n', photo]);
    const upright = join(data, 'vertical', '5.png');
    const p = await quench('predict', '--model', model, photo, upright);
    expect(p.code, p.err).toBe(0);
    const classes = p.out
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[1]);
    expect(classes).toEqual(['vertical', 'vertical']);
  }, 120_000);
});
