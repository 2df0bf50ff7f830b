/**
 * Large files in browser mode, in Debian's Chromium: a 6-minute 48 kHz stereo recording (69 MB)
 * added to a class and a 69 MB project file (three 12-minute takes) imported both arrive whole (they travel by HTTP
 * upload, not inside a WebSocket message), with the page saying how far the sending is; a file
 * over the app's limits is refused by name with its size and the limit, without being read. The
 * server is still there afterwards and answers the page.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, SHOTS, type Harness } from './harness';

const MB = 1024 ** 2;
/** The recording: 6 min of 48 kHz stereo, 69,120,044 bytes. */
const RECORDING_BYTES = 44 + 6 * 60 * 48000 * 2 * 2;

let h: Harness;
let recording = '';
let quench = '';
let hugeWav = '';
let hugeQuench = '';

/**
 * `seconds` of 16-bit WAV at `rate` with `channels` channels: room noise with a slow hum, as a long
 * take sounds.
 */
function longRecording(rate: number, channels: 1 | 2, seconds: number): Uint8Array {
  const frames = rate * seconds;
  const data = frames * channels * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(data, 40);
  const pcm = new Int16Array(out.buffer, out.byteOffset + 44, frames * channels);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 3000;
    const hum = 2000 * Math.sin((2 * Math.PI * 120 * i) / rate);
    for (let c = 0; c < channels; c++) pcm[channels * i + c] = noise + hum / (c + 1);
  }
  return out;
}

/** A file of `bytes` zeros that takes no disk space (only its size is ever looked at). */
function sparse(path: string, bytes: number): string {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'quench-e2e-big-'));
  recording = join(work, 'six minutes.wav');
  writeFileSync(recording, longRecording(48000, 2, 6 * 60));
  // A project of three 12-minute takes at the rate the app records (16 kHz mono), 69 MB stored
  // (a recording barely deflates anyway): checked on import without resampling, so quickly.
  const takes = ['monday', 'tuesday', 'wednesday'].map((day) => [
    `data/background/${day}.wav`,
    longRecording(16000, 1, 12 * 60)
  ]);
  const manifest = {
    format: 'quench-project',
    version: 1,
    name: 'Long takes',
    kind: 'audio',
    createdAt: new Date(0).toISOString(),
    classes: ['background']
  };
  quench = join(work, 'long takes.quench');
  const tree = Object.fromEntries([
    ['quench-project.json', new TextEncoder().encode(JSON.stringify(manifest))],
    ...takes
  ]) as Record<string, Uint8Array>;
  writeFileSync(quench, zipSync(tree, { level: 0 }));
  hugeWav = sparse(join(work, 'huge.wav'), 300 * MB);
  hugeQuench = sparse(join(work, 'huge.quench'), 600 * MB);
  h = await openApp({}, work);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

test('a 69 MB recording and a 69 MB project file arrive; files over the limits are refused by name', async () => {
  const { page } = h;
  expect(statSync(recording).size).toBe(RECORDING_BYTES);
  // Over 60 MB: as base64 in one WebSocket message, more than the server ever took (80 MB).
  expect(statSync(quench).size).toBeGreaterThan(60 * MB);

  await page.getByLabel('Name', { exact: true }).fill('Big files');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('New class').fill('background');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect
    .poll(() => page.locator('button[data-class="background"]').getAttribute('aria-pressed'))
    .toBe('true');

  // Every status line shown, to see the sending followed.
  await page.evaluate(() => {
    /* eslint-disable @typescript-eslint/no-explicit-any */
    const g = globalThis as any;
    const status = g.document.querySelector('p.status');
    g.statuses = [];
    new g.MutationObserver(() => g.statuses.push(status.textContent)).observe(status, {
      childList: true,
      characterData: true,
      subtree: true
    });
    /* eslint-enable @typescript-eslint/no-explicit-any */
  });
  await page.getByLabel('Import files').setInputFiles([recording, hugeWav]);
  const report = page.getByTestId('import-report');
  await expect
    .poll(() => report.getByTestId('import-summary').textContent(), { timeout: 60_000 })
    .toBe('Added 1 file (360 clips) to “background” · 1 file was not added');
  expect(await report.getByTestId('not-added').textContent()).toContain(
    'huge.wav: 300 MB is over the 256 MB a sound file or picture may be'
  );
  // Away from the class at once, so its tile doesn't decode and draw 6 minutes of sound.
  await page.getByRole('button', { name: 'Projects' }).click();
  const statuses = await page.evaluate(
    () => (globalThis as unknown as { statuses: string[] }).statuses
  );
  expect(statuses).toContain('Importing 2 files into “background”… 65.9 MB of 65.9 MB sent');
  // Stored whole.
  const samplesOf = async (name: string) => {
    const projects = (await h.api.handle('project:list', {})) as { id: string; name: string }[];
    const project = projects.find((p) => p.name === name)!.id;
    return h.api.handle('sample:list', { project, className: 'background' });
  };
  expect(await samplesOf('Big files')).toMatchObject([
    { name: 'six minutes.wav', bytes: RECORDING_BYTES }
  ]);

  const importInput = page.getByLabel('Import a project file (.quench)');
  await importInput.setInputFiles(hugeQuench);
  await expect
    .poll(() => page.locator('p.error').textContent())
    .toBe('huge.quench: 600 MB is over the 512 MB a project file may be');
  await importInput.setInputFiles(quench);
  // The status comes after the page's next calls (the new project's runs, the project list).
  await expect
    .poll(() => page.locator('p.status').textContent(), { timeout: 60_000 })
    .toBe('Imported “Long takes” from long takes.quench: 1 class, 3 samples, 0 runs.');
  expect(await page.locator('p.error').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Open Long takes', exact: true }).count()).toBe(1);
  expect(((await samplesOf('Long takes')) as unknown[]).length).toBe(3);
  await page.screenshot({ path: join(SHOTS, 'big-files-2-project.png'), fullPage: true });

  // The server still serves the page, and its API still answers it.
  const status = await new Promise<number>((resolve, reject) =>
    get(h.server.url, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject)
  );
  expect(status).toBe(200);
  await page.getByRole('button', { name: 'Open Big files', exact: true }).click();
  await expect
    .poll(() => page.locator('button[data-class="background"]').textContent())
    .toMatch(/background\s+1/);
}, 300_000);
