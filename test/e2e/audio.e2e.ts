/**
 * End to end in Debian's Chromium against the browser mode, with a fake microphone playing a
 * spoken word (espeak-ng): create an audio project, record "yes" clips with the microphone, add a
 * background class from noise files, train, go live and see "yes" win. Screenshots of each view
 * are kept in test-artifacts/e2e/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiService } from '../../electron/main/services/api-service';
import { startWebServer, type WebServer } from '../../electron/main/web/server';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'e2e');
const work = mkdtempSync(join(tmpdir(), 'quench-e2e-'));
let api: ApiService;
let server: WebServer;
let browser: Browser;
let page: Page;

function fixtures(): { mic: string; noise: string[] } {
  const word = join(work, 'yes.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', word, 'yes']);
  // "yes", then silence, over and over: the fake microphone loops this file.
  const mic = join(work, 'mic.wav');
  execFileSync('sox', [
    word,
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    mic,
    'pad',
    '0.1',
    '0.25',
    'repeat',
    '60'
  ]);
  const noise = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => {
    const f = join(work, `noise-${i}.wav`);
    execFileSync('sox', [
      '-n',
      '-r',
      '16000',
      '-c',
      '1',
      '-b',
      '16',
      f,
      'synth',
      '1',
      ['whitenoise', 'pinknoise', 'brownnoise'][i % 3],
      'vol',
      String(0.01 + 0.01 * i)
    ]);
    return f;
  });
  return { mic, noise };
}

let noiseFiles: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    { cwd: ROOT, encoding: 'utf8' }
  );
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(join(ROOT, 'out', 'renderer', 'index.html'))).toBe(true);
  const { mic, noise } = fixtures();
  noiseFiles = noise;
  api = new ApiService(join(work, 'projects'));
  server = await startWebServer({ api, staticDir: join(ROOT, 'out', 'renderer') });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${mic}`,
      '--autoplay-policy=no-user-gesture-required'
    ]
  });
  page = await browser.newPage();
  page.on('dialog', (d) => void d.accept());
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('page:', m.text());
  });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

test('create a project, record, train, go live: the spoken word wins', async () => {
  await page.goto(server.url);
  await page.getByLabel('Name').fill('Words');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Classes' }).isVisible()).toBe(true);

  // Class "yes": recorded with the (fake) microphone, one second per press.
  await page.getByLabel('New class').fill('yes');
  await page.getByRole('button', { name: 'Add' }).click();
  for (let i = 0; i < 8; i++) {
    await page.getByRole('button', { name: /Hold to record "yes"/ }).click();
    const count = new RegExp(`^\\s*yes\\s+${i + 1}\\s*$`);
    await expect
      .poll(() => page.getByRole('button', { name: count }).count(), { timeout: 10_000 })
      .toBe(1);
  }
  // Class "background": noise files imported through the file picker.
  await page.getByLabel('New class').fill('background');
  await page.getByRole('button', { name: 'Add' }).click();
  await page.getByLabel('Import files').setInputFiles(noiseFiles);
  await expect
    .poll(() => page.getByRole('button', { name: /background\s+8/ }).count(), { timeout: 10_000 })
    .toBe(1);
  await expect.poll(() => page.getByRole('button', { name: /yes\s+8/ }).count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, '1-collect.png'), fullPage: true });

  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  await page.getByLabel('Epochs').fill('8');
  await page.locator('form').getByRole('button', { name: 'Train' }).click();
  await expect
    .poll(() => page.getByText('Training finished.').count(), {
      timeout: 240_000,
      interval: 1000
    })
    .toBe(1);
  await expect.poll(() => page.getByText(/Result: done/).count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, '2-train.png'), fullPage: true });

  await page.getByRole('button', { name: 'Live' }).click();
  await page.getByRole('button', { name: 'Start microphone' }).click();
  await expect
    .poll(() => page.getByTestId('winner').textContent(), { timeout: 20_000, interval: 200 })
    .toBe('yes');
  await expect
    .poll(async () => Number((await page.getByTestId('energy').textContent())?.split(' ')[0] ?? 0))
    .toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, '3-live.png'), fullPage: true });
  await page.getByRole('button', { name: 'Stop' }).click();
}, 400_000);
