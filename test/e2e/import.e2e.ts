/**
 * Importing files as a person does, in Debian's Chromium against the browser mode (issue 15,
 * kinds 1 and 4 in the app): a phone memo holding 24 "yes" shows its cut points before it is
 * saved, each clip can be left out, and the clips kept are what the class then counts; a text
 * file named .wav, an empty file and a picture are listed by name with the reason and stay
 * listed; the status line says what was added; a folder import reports what it refused.
 * Screenshots go to test-artifacts/e2e/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ffmpeg, longTake, requireTools } from '../fixtures/media';
import { openApp, SHOTS, type Harness } from './harness';

let h: Harness;
let files: string[] = [];
let folder = '';

beforeAll(async () => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  const work = mkdtempSync(join(tmpdir(), 'quench-e2e-import-'));
  const take = longTake(work, 'take.wav', 'yes', 24);
  ffmpeg('-i', take, '-c:a', 'aac', '-ar', '44100', join(work, 'yes memo.m4a'));
  writeFileSync(join(work, 'notes.wav'), 'a shopping list, not a recording');
  writeFileSync(join(work, 'empty.wav'), new Uint8Array(0));
  writeFileSync(
    join(work, 'photo.png'),
    encodePng({ width: 4, height: 4, data: new Uint8Array(16), channels: 1, depth: 8 })
  );
  files = ['yes memo.m4a', 'notes.wav', 'empty.wav', 'photo.png'].map((f) => join(work, f));
  folder = join(work, 'dataset');
  mkdirSync(join(folder, 'no', 'day 1'), { recursive: true });
  ffmpeg('-i', take, '-t', '0.8', join(folder, 'no', 'day 1', 'n.mp3'));
  writeFileSync(join(folder, 'no', 'readme.wav'), 'text');
  mkdirSync(join(folder, 'background'));
  ffmpeg('-i', take, '-t', '3', join(folder, 'background', 'room.wav'));
  h = await openApp({}, work);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

test('a long take is previewed then saved; refused files are listed with reasons', async () => {
  const { page } = h;
  await page.getByLabel('Name', { exact: true }).fill('Imports');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('New class').fill('yes');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  // Files go to the chosen class: wait for the new class to be it.
  await expect
    .poll(() => page.locator('button[data-class="yes"]').getAttribute('aria-pressed'))
    .toBe('true');
  await page.getByLabel('Import files').setInputFiles(files);

  const preview = page.getByTestId('cut-preview');
  await expect.poll(() => preview.isVisible(), { timeout: 60_000 }).toBe(true);
  expect(await preview.getByRole('heading').textContent()).toMatch(/yes memo\.m4a: 24 clips/);
  expect(await preview.locator('rect.clip').count()).toBe(24);
  // Every clip can be left out on its own; the take is saved as the clips kept.
  const boxes = preview.getByRole('checkbox');
  expect(await boxes.count()).toBe(24);
  await boxes.last().uncheck();
  const kept = Number(
    /Save (\d+) clips/.exec((await preview.getByRole('button').first().textContent())!)![1]
  );
  expect(kept).toBeGreaterThanOrEqual(21);
  await page.screenshot({ path: join(SHOTS, 'import-1-preview.png'), fullPage: true });
  await preview.getByRole('button', { name: `Save ${kept} clips` }).click();

  const report = page.getByTestId('import-report');
  await expect
    .poll(() => report.getByTestId('import-summary').textContent(), { timeout: 60_000 })
    .toBe(`Added 1 file (${kept} clips) to “yes” · 3 files were not added`);
  const text = await report.textContent();
  expect(text).toContain('notes.wav: not an audio file Quench reads');
  expect(text).toContain('empty.wav: the file is empty (0 bytes)');
  expect(text).toContain('photo.png: a picture, and this is a sound project');
  expect(text).toMatch(
    new RegExp(
      `yes memo\\.m4a: ${kept} clips saved as “yes memo \\d+\\.wav” … “yes memo \\d+\\.wav”; ${24 - kept} left out`
    )
  );
  // The status line says what the import did (not the last recording's message).
  expect(await page.locator('.status').textContent()).toBe(
    `Added 1 file (${kept} clips) to “yes”; 3 files not added (listed below).`
  );
  // The class counts what training will use: one tile per kept clip.
  await expect
    .poll(
      () => page.getByRole('button', { name: new RegExp(`^\\s*yes\\s+${kept}\\s*$`) }).count(),
      {
        timeout: 30_000
      }
    )
    .toBe(1);
  expect(await page.getByRole('button', { name: /^Play yes memo \d+\.wav$/ }).count()).toBe(kept);
  await page.screenshot({ path: join(SHOTS, 'import-2-report.png'), fullPage: true });

  await page.getByLabel('Import a folder').fill(folder);
  await page.getByRole('button', { name: 'Import folder' }).click();
  await expect
    .poll(() => page.getByText('no/readme.wav: not an audio file Quench reads').count(), {
      timeout: 60_000
    })
    .toBe(1);
  await expect.poll(() => page.getByRole('button', { name: /^\s*no\s+1\s*$/ }).count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, 'import-3-folder.png'), fullPage: true });
  // The background class's name is shown whole beside its badge and count, in the narrowest
  // column too (it was squeezed to "b.").
  for (const width of [1280, 800]) {
    await page.setViewportSize({ width, height: 700 });
    const label = page.locator('button.class', { hasText: 'background' }).locator('.label');
    const size = await label.evaluate((e) => [e.scrollWidth, e.clientWidth, e.textContent]);
    expect(size[0], `at ${width} px`).toBeLessThanOrEqual(Number(size[1]));
    expect(size[2]).toBe('background');
  }
}, 300_000);
