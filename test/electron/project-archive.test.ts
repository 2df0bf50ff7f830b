/**
 * `.quench` files as they arrive from outside: archives that would unpack to far more than any
 * project (refused from the zip's headers, before anything is inflated) and clips whose header
 * claims hours of sound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeWav } from '../../core/features/wav';
import { importProject } from '../../electron/main/services/project-archive';
import { ProjectStore } from '../../electron/main/services/project-store';
import { entryName, readZipEntries, type ZipLimits } from '../../electron/main/services/zip-read';

const root = mkdtempSync(join(tmpdir(), 'quench-archive-'));
const store = new ProjectStore(join(root, 'projects'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const manifest = (classes: string[]) =>
  strToU8(
    JSON.stringify({
      format: 'quench-project',
      version: 1,
      name: 'Trip',
      kind: 'audio',
      createdAt: '2026-01-02T03:04:05.000Z',
      classes
    })
  );

/** 1 s of a tone with a little noise: a clip any class accepts. */
function tone(freq: number): Uint8Array {
  const x = Float32Array.from(
    { length: 16000 },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * freq * i) / 16000) + 0.01 * Math.sin(i * 12.9898)
  );
  return encodeWav([x], 16000);
}

/** A WAV header for `seconds` of 8-bit mono at `rate` Hz, followed by that much silence. */
function silentWav(seconds: number, rate: number): Uint8Array {
  const data = Math.round(seconds * rate);
  const b = new Uint8Array(44 + data).fill(128, 44);
  const v = new DataView(b.buffer);
  b.set(strToU8('RIFF'), 0);
  v.setUint32(4, 36 + data, true);
  b.set(strToU8('WAVEfmt '), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, rate, true);
  v.setUint32(28, rate, true); // bytes per second
  v.setUint16(32, 1, true); // block align
  v.setUint16(34, 8, true); // bits
  b.set(strToU8('data'), 36);
  v.setUint32(40, data, true);
  return b;
}

/** Offset of the stored (compressed) data of the entry `name` in a zip written by fflate. */
function dataOffset(zip: Uint8Array, name: string): number {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; v.getUint32(at, true) === 0x04034b50;) {
    const size = v.getUint32(at + 18, true);
    const nameLength = v.getUint16(at + 26, true);
    const body = at + 30 + nameLength + v.getUint16(at + 28, true);
    if (new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength)) === name) return body;
    at = body + size;
  }
  throw new Error(`${name} is not in the zip`);
}

describe('an archive that unpacks to far more than it holds', () => {
  test('a 32-minute silent recording compressed ~1000:1 is refused from the headers, unread', async () => {
    const bomb = 'data/background/take.wav';
    const zip = zipSync({
      'quench-project.json': manifest(['background']),
      [bomb]: [silentWav(32 * 60, 16000), { level: 1 }]
    });
    // Deflate's reserved block type in the entry's first byte: inflating it would fail, so the
    // refusal below can only come from the headers.
    zip[dataOffset(zip, bomb)] = 0xff;
    await expect(importProject(store, 'trip.quench', zip)).rejects.toThrow(
      /^trip\.quench: this is not a project file Quench can open: data\/background\/take\.wav would unpack to 29\.3 MB from \d+ KB \(\d+ times\); .*at most 100 times/
    );
  });

  test('the limits: per entry, in total and by compression ratio, counted before inflating', () => {
    const limits: ZipLimits = { entryBytes: 300, totalBytes: 700, ratio: 10, ratioFreeBytes: 200 };
    const noise = (n: number, seed: number) =>
      Uint8Array.from({ length: n }, (_, i) => (Math.sin(i * seed) * 1e4) & 255);
    const read = (files: Zippable) => () => readZipEntries(zipSync(files), 'x.quench', limits);
    expect(read({ a: noise(250, 1), b: noise(250, 2) })().size).toBe(2);
    expect(read({ a: noise(301, 1) })).toThrow(/^a would unpack to 301 bytes; .* at most 300/);
    expect(read({ a: noise(250, 1), b: noise(250, 2), c: noise(250, 3) })).toThrow(
      /^x\.quench would unpack to more than 700 bytes/
    );
    // Small entries may compress as well as they like; a large one or the whole may not.
    expect(read({ a: new Uint8Array(150) })().get('a')).toEqual(new Uint8Array(150));
    expect(read({ a: new Uint8Array(250) })).toThrow(/^a would unpack to 250 bytes from \d+ bytes/);
    const many: Zippable = {};
    for (let i = 0; i < 4; i++) many[`f${i}`] = new Uint8Array(150);
    // Each is under the free size; together they are not.
    expect(read(many)).toThrow(/^x\.quench would unpack to 300 bytes from \d+ bytes/);
  });
});

describe('a clip whose header says it lasts hours', () => {
  test('is refused by its header, naming the file and the length', async () => {
    const zip = zipSync({
      'quench-project.json': manifest(['yes']),
      'data/yes/a.wav': tone(440),
      'data/yes/memo.wav': silentWav(2 * 3600, 1000)
    });
    await expect(importProject(store, 'trip.quench', zip)).rejects.toThrow(
      /data\/yes\/memo\.wav: 2 h 0 min of sound; a clip may last at most 30 min/
    );
  });
});

/** The zip with every occurrence of the ASCII name part `from` replaced by the bytes `to`. */
function withRawName(zip: Uint8Array, from: string, to: number[]): Uint8Array {
  const find = strToU8(from);
  expect(to.length).toBe(find.length); // the same length keeps every offset
  const out = zip.slice();
  let found = 0;
  for (let at = 0; at + find.length <= out.length; at++) {
    if (find.every((v, k) => out[at + k] === v)) {
      out.set(to, at);
      found++;
    }
  }
  expect(found).toBeGreaterThan(0);
  return out;
}

/**
 * A project with the classes "café" and "yes", one clip each, its entries named by `entry(path)`;
 * the class folder "café" is `placeholder` (ASCII, to be replaced by withRawName).
 */
function rezipped(entry: (path: string) => string, placeholder: string, extra: Zippable = {}) {
  return zipSync({
    [entry('quench-project.json')]: manifest(['café', 'yes']),
    [entry(`data/${placeholder}/a.wav`)]: tone(440),
    [entry('data/yes/b.wav')]: tone(660),
    ...extra
  });
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];

describe('a project file unzipped and zipped again by another tool', () => {
  const classes = [
    { name: 'café', samples: 1 },
    { name: 'yes', samples: 1 }
  ];

  test('Info-ZIP: UTF-8 names without the UTF-8 flag, and folder entries', async () => {
    const zip = rezipped((p) => p, 'cafXX', {
      'data/': new Uint8Array(0),
      'data/yes/': new Uint8Array(0)
    });
    const back = await importProject(store, 'trip.quench', withRawName(zip, 'cafXX', utf8('café')));
    expect(back.classes).toEqual(classes);
  });

  test('macOS Finder: a folder wrapping everything, NFD names, __MACOSX and ._ files', async () => {
    const zip = rezipped((p) => `Trip/${p}`, 'cafXXX', {
      'Trip/': new Uint8Array(0),
      'Trip/.DS_Store': strToU8('Bud1'),
      'Trip/data/yes/._b.wav': strToU8('Mac OS X resource fork'),
      '__MACOSX/Trip/._quench-project.json': strToU8('Mac OS X resource fork')
    });
    // "café" as macOS writes it: e and a combining acute accent.
    const raw = withRawName(zip, 'cafXXX', utf8('cafe\u0301'));
    expect((await importProject(store, 'Trip.zip', raw)).classes).toEqual(classes);
  });

  test('Windows: code page 437 names, backslashes, Thumbs.db and desktop.ini', async () => {
    const zip = rezipped((p) => p.replace(/\//g, '\\'), 'cafX', {
      'data\\yes\\Thumbs.db': strToU8('thumbnails'),
      'desktop.ini': strToU8('[.ShellClassInfo]')
    });
    // "café" in code page 437: é is 0x82.
    const raw = withRawName(zip, 'cafX', [0x63, 0x61, 0x66, 0x82]);
    expect((await importProject(store, 'trip.quench', raw)).classes).toEqual(classes);
  });

  test('names: flagged UTF-8 as written, unflagged as UTF-8 when valid, else code page 437', () => {
    const bytes = (b: number[]) => Uint8Array.from(b);
    // "Ã©" flagged is what it says, though its bytes read as Latin-1 would be valid UTF-8.
    expect(entryName(bytes(utf8('Ã©')), true)).toBe('Ã©');
    expect(entryName(bytes(utf8('日本/é.wav')), false)).toBe('日本/é.wav');
    expect(entryName(bytes([0x61, 0xa4, 0x6f, 0x20, 0x82, 0xff]), false)).toBe('año é\u00a0');
  });

  test('a name that would leave its folder is still refused, not skipped as hidden', async () => {
    const zip = rezipped((p) => p, 'cafe', { 'data/../../evil.wav': tone(300) });
    await expect(importProject(store, 'trip.quench', zip)).rejects.toThrow(
      /unexpected entries: data\/\.\.\/\.\.\/evil\.wav/
    );
  });
});
