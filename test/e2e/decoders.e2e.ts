/**
 * Core's decoders in a browser build (issue 15: the decoder library must work in Node for the CLI
 * and in the browser build for the app). Vite bundles core/features/audio.ts and image.ts for the
 * browser; Debian's Chromium decodes MP3, M4A, Ogg Vorbis, Opus, FLAC, WebM, a phone JPEG and an
 * interlaced 1-bit PNG; every sample and pixel must equal what Node decodes from the same bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeAudio } from '../../core/features/audio';
import { decodeImage } from '../../core/features/image';
import { CONVERT, ffmpeg, requireTools, run, speak } from '../fixtures/media';
import type { QuenchDecoders } from './decode-entry';

/** The page's global object, where the bundle puts the decoders (used inside page.evaluate). */
type Page = { quenchDecoders: QuenchDecoders };

const work = mkdtempSync(join(tmpdir(), 'quench-e2e-decoders-'));
let browser: Browser;
let bundle = '';

beforeAll(async () => {
  requireTools('ffmpeg', 'espeak-ng', CONVERT, 'exiftool');
  await build({
    configFile: false,
    logLevel: 'error',
    build: {
      outDir: join(work, 'out'),
      emptyOutDir: true,
      lib: { entry: join(import.meta.dirname, 'decode-entry.ts'), formats: ['iife'], name: 'q' },
      rollupOptions: { output: { inlineDynamicImports: true, entryFileNames: 'decoders.js' } }
    }
  });
  bundle = join(work, 'out', 'decoders.js');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu']
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

test('Chromium decodes every compressed format and image exactly as Node does', async () => {
  const word = speak(join(work, 'w.wav'), 'seven', 'en-us');
  const files: [string, string[]][] = [
    ['a.mp3', ['-c:a', 'libmp3lame']],
    ['b.m4a', ['-c:a', 'aac']],
    ['c.ogg', ['-c:a', 'libvorbis']],
    ['d.opus', ['-c:a', 'libopus']],
    ['e.flac', []],
    ['f.webm', ['-c:a', 'libopus']]
  ];
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>decoders</title>');
  await page.addScriptTag({ path: bundle });
  for (const [name, args] of files) {
    ffmpeg('-i', word, '-ac', '2', ...args, join(work, name));
    const bytes = new Uint8Array(readFileSync(join(work, name)));
    const node = await decodeAudio(bytes, name);
    const inBrowser = await page.evaluate(async (b64) => {
      const b = Uint8Array.from(atob(b64), (c: string) => c.charCodeAt(0));
      const a = await (globalThis as unknown as Page).quenchDecoders.decodeAudio(b);
      return { rate: a.sampleRate, channels: a.channels.map((c) => Array.from(c)) };
    }, Buffer.from(bytes).toString('base64'));
    expect(inBrowser.rate, name).toBe(node.sampleRate);
    expect(inBrowser.channels.length, name).toBe(node.channels.length);
    for (let c = 0; c < node.channels.length; c++) {
      expect(Float32Array.from(inBrowser.channels[c]), name).toEqual(node.channels[c]);
    }
  }
  run(CONVERT, [
    '-size',
    '20x10',
    'xc:white',
    '-fill',
    'black',
    '-draw',
    'rectangle 2,0 5,9',
    join(work, 'v.png')
  ]);
  run(CONVERT, [join(work, 'v.png'), '-rotate', '-90', join(work, 'x.jpg')]);
  run('exiftool', ['-q', '-overwrite_original', '-Orientation=6', '-n', join(work, 'x.jpg')]);
  run(CONVERT, [join(work, 'v.png'), '-interlace', 'PNG', join(work, 'i.png')]);
  for (const name of ['x.jpg', 'i.png']) {
    const bytes = new Uint8Array(readFileSync(join(work, name)));
    const node = decodeImage(bytes);
    const inBrowser = await page.evaluate((b64) => {
      const b = Uint8Array.from(atob(b64), (c: string) => c.charCodeAt(0));
      const img = (globalThis as unknown as Page).quenchDecoders.decodeImage(b);
      return { width: img.width, height: img.height, rgb: Array.from(img.rgb) };
    }, Buffer.from(bytes).toString('base64'));
    expect([inBrowser.width, inBrowser.height], name).toEqual([20, 10]);
    expect(Float32Array.from(inBrowser.rgb), name).toEqual(node.rgb);
  }
}, 120_000);
