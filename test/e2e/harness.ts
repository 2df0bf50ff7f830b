/**
 * Shared set-up for the end-to-end tests: build the renderer, start the browser-mode server on a
 * temporary data folder, and launch Debian's Chromium with fake media devices.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ApiService } from '../../electron/main/services/api-service';
import { startWebServer, type WebServer } from '../../electron/main/web/server';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHOTS = join(ROOT, 'test-artifacts', 'e2e');

export interface Harness {
  work: string;
  page: Page;
  /** Console errors and failed requests since the page was opened (e.g. a favicon 404). */
  consoleErrors: string[];
  server: WebServer;
  /** The services behind the page (to set data up or read it back without the UI). */
  api: ApiService;
  close(): Promise<void>;
}

let built = false;

/** Builds the renderer once per process. */
export function buildRenderer(): void {
  if (built && existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) return;
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      encoding: 'utf8'
    }
  );
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stderr}`);
  built = true;
}

export async function openApp(
  media: { audio?: string; video?: string },
  work = mkdtempSync(join(tmpdir(), 'quench-e2e-'))
): Promise<Harness> {
  mkdirSync(SHOTS, { recursive: true });
  buildRenderer();
  const api = new ApiService(join(work, 'projects'));
  const server = await startWebServer({ api, staticDir: join(ROOT, 'out', 'renderer') });
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required'
  ];
  if (media.audio) args.push(`--use-file-for-fake-audio-capture=${media.audio}`);
  if (media.video) args.push(`--use-file-for-fake-video-capture=${media.video}`);
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`);
  });
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  return {
    work,
    page,
    consoleErrors,
    server,
    api,
    async close() {
      await browser.close();
      await server.close();
      await api.close();
      rmSync(work, { recursive: true, force: true });
    }
  };
}

/**
 * A WAV for Chromium's fake microphone, which loops it: espeak-ng saying `word`, then a little
 * silence, `repeats` times, at 48 kHz mono. Written into `work`; returns its path.
 */
export function spokenWordMic(work: string, word: string, repeats: number): string {
  const spoken = join(work, `${word}.wav`);
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', spoken, word]);
  const mic = join(work, 'mic.wav');
  execFileSync('sox', [
    spoken,
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
    String(repeats)
  ]);
  return mic;
}
