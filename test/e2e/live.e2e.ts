/**
 * Live, end to end in Chromium with the bundled demo (yes / no / background) and a fake
 * microphone saying "yes" over and over: detections appear as "heard yes (NN %)"; a 100 %
 * threshold stops them while the top class is still shown; the energy meter moves with the input
 * and explains its split; the sparsity table reads "conv 2 (32 filters)". Then a recording with a
 * label file replays through the same live path — the app's detections equal `quench stream`'s —
 * and the export dialog's ONNX (raw 16 kHz audio in) gives the live path's probabilities in
 * onnxruntime-web. Screenshots at 1280×800 and 800×600 go to test-artifacts/e2e/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main, type Io } from '../../cli/quench';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples } from '../../core/live/replay';
import { decodeModel } from '../../core/model-file/model-file';
import { wordStream } from '../fixtures/word-stream';
import { openApp, ROOT, SHOTS, spokenWordMic, type Harness } from './harness';

let h: Harness;
let work: string;
const SIZES = [
  [1280, 800],
  [800, 600]
] as const;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'quench-e2e-live-'));
  h = await openApp({ audio: spokenWordMic(work, 'yes', 60) }, work);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** Full-page screenshots at both sizes; the page must not scroll sideways at either. */
async function shots(page: Page, name: string): Promise<void> {
  for (const [w, hgt] of SIZES) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(150);
    // Evaluated in the page (strings: this file is typed for Node, without the DOM).
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth'
    );
    expect(overflow, `${name} at ${w}×${hgt} scrolls sideways`).toBeLessThanOrEqual(0);
    // Nor does any part of it (the sparsity table sits in its own scroll box).
    const cut = await page.evaluate<string[]>(
      `[...document.querySelectorAll('main *')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
        .map((e) => e.className || e.tagName)`
    );
    expect(cut, `${name} at ${w}×${hgt}: cut off`).toEqual([]);
    await page.screenshot({ path: join(SHOTS, `${name}-${w}x${hgt}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

const heardYes = (page: Page) =>
  page.getByTestId('detections').locator('li', { hasText: 'heard yes' }).count();

async function setThreshold(page: Page, label: string, percent: number): Promise<void> {
  const field = page.getByLabel(`Detection threshold for ${label}, percent`);
  await field.fill(String(percent));
  await field.press('Enter');
}

test('live detections, thresholds that gate only detections, panels that move and explain', async () => {
  const { page } = h;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Open the demo' }).click();
  // Each overlap says the hop the model's live path takes (whole 20 ms frames: 75 % is 0.26 s).
  await expect
    .poll(
      () =>
        page
          .getByRole('combobox', { name: /^Overlap/ })
          .locator('option')
          .allTextContents(),
      { timeout: 20_000 }
    )
    .toEqual([
      'none (every 1 s)',
      '50 % (every 0.5 s)',
      '75 % (every 0.26 s)',
      '90 % (every 0.1 s)'
    ]);
  await page.getByRole('button', { name: 'Start microphone' }).click();
  // "heard yes (NN %)", timestamped from Start.
  await expect
    .poll(() => page.getByTestId('detections').locator('li').first().textContent(), {
      timeout: 45_000,
      interval: 250
    })
    .toMatch(/^\s*0:\d\d\.\d\s+heard yes \(\d+ %\)\s*$/);
  // The energy meter moves with the input: "yes", then silence, then "yes" again.
  const readings = new Set<string>();
  for (let i = 0; i < 12; i++) {
    readings.add((await page.getByTestId('energy').textContent()) ?? '');
    await page.waitForTimeout(250);
  }
  expect(readings.size).toBeGreaterThan(2);
  // Beside this window's figure: the mean since Start, and the run's own (Train's) figure.
  expect(await page.getByTestId('energy-mean').textContent()).toMatch(/nJ over \d+ windows/);
  expect(await page.getByTestId('energy-trained').textContent()).toMatch(
    /nJ, the mean over its \d+ training clips/
  );
  expect(await page.getByTestId('energy-split').textContent()).toContain('moving activations');
  expect(await page.getByText('Zeros travel run-length coded').isVisible()).toBe(true);
  expect(await page.getByRole('rowheader', { name: 'conv 2 (32 filters)' }).isVisible()).toBe(true);
  expect(await page.locator('.terms').textContent()).toContain(
    'k strongest channels at each position'
  );
  await shots(page, 'live-1-listening');

  // A 100 % threshold (off) for "yes": no new detections, but the top class is still "yes".
  await setThreshold(page, 'yes', 100);
  await page.waitForTimeout(1200);
  const before = await heardYes(page);
  await expect
    .poll(() => page.getByTestId('winner').textContent(), { timeout: 10_000, interval: 100 })
    .toBe('yes');
  expect(await page.getByTestId('top-note').textContent()).toContain(
    'its threshold is 100 %: never announced'
  );
  await page.waitForTimeout(2500);
  expect(await heardYes(page)).toBe(before);
  await setThreshold(page, 'yes', 75);
  await page.getByRole('button', { name: 'Stop' }).click();
}, 120_000);

test('test on a recording: the live path over a labelled file, the same as quench stream', async () => {
  const { page } = h;
  const voices = ['en-us', 'en-gb', 'en-us+f3', 'en+m3'];
  const stream = wordStream(
    Array.from({ length: 8 }, (_, i) => ({
      word: i % 2 ? 'no' : 'yes',
      at: 1.3 + i * 2.6,
      voice: voices[i % voices.length]
    })),
    22
  );
  const wav = join(work, 'words.wav');
  const tsv = join(work, 'words.tsv');
  writeFileSync(wav, stream.wav);
  writeFileSync(tsv, stream.labels);
  // The model's own thresholds, as the CLI uses them (the first test left the person's).
  const useModel = page.getByRole('button', { name: "Use the model's" });
  if ((await useModel.count()) > 0) await useModel.click();
  await expect
    .poll(() => page.getByTestId('threshold-source').textContent())
    .toMatch(/^\s*Thresholds and averaging chosen from/);
  await page.getByLabel('Label file').setInputFiles(tsv);
  await page.getByLabel('Recording to test').setInputFiles(wav);
  await expect
    .poll(() => page.getByTestId('replay-score').textContent(), { timeout: 30_000 })
    .toMatch(
      /\d+ of 8 labelled events heard \(\d+ %\), \d+ missed, \d+ false alarms? \(\d+ per hour\)/
    );
  // One line per class: background, no, yes and "other sounds".
  expect(await page.getByTestId('timeline').locator('polyline').count()).toBe(4);
  const marks = await page
    .getByTestId('detection-mark')
    .locator('title')
    .evaluateAll((ts) => ts.map((t) => t.textContent ?? ''));
  // The CLI on the same file and model: the same detections, at the same times.
  let out = '';
  const io: Io = { out: (s) => (out += `${s}\n`), err: () => {}, isTTY: false, now: () => 0 };
  const model = join(ROOT, 'models', 'demo-words.qnm');
  expect(await main(['stream', '--model', model, '--audio', wav], io)).toBe(0);
  const cli = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  expect(marks.length).toBe(cli.length);
  expect(cli.length).toBeGreaterThanOrEqual(4);
  marks.forEach((m, i) => {
    const [seconds, label, p] = cli[i];
    const t = Number(seconds);
    const clock = `${Math.floor(t / 60)}:${(t % 60).toFixed(1).padStart(4, '0')}`;
    expect(m).toMatch(`${clock} heard ${label} (${(100 * Number(p)).toFixed(0)} %)`);
  });
  // A setting changed: the recording replays with it ("no" off: no "heard no" marks left).
  expect(marks.some((m) => m.includes('heard no'))).toBe(true);
  await setThreshold(page, 'no', 100);
  await expect
    .poll(
      () =>
        page
          .getByTestId('detection-mark')
          .locator('title')
          .evaluateAll((ts) => ts.filter((t) => t.textContent?.includes('heard no')).length),
      { timeout: 15_000 }
    )
    .toBe(0);
  await setThreshold(page, 'no', 75);
  await page.getByRole('heading', { name: 'Test on a recording' }).scrollIntoViewIfNeeded();
  await shots(page, 'live-2-recording');
}, 120_000);

test('export dialog: ONNX with raw audio in runs in onnxruntime-web like the live path', async () => {
  const { page } = h;
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export model' });
  await expect
    .poll(() => dialog.getByTestId('export-io').textContent())
    .toContain('"audio", float32 [1, 16000]: 1 s of mono audio at 16 kHz');
  await shots(page, 'live-3-export');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog.getByRole('button', { name: 'Download' }).click()
  ]);
  expect(download.suggestedFilename()).toMatch(/ audio in\.onnx$/);
  const onnx = new Uint8Array(readFileSync((await download.path())!));
  expect(await dialog.count()).toBe(0);
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(onnx);
  const contents = decodeModel(new Uint8Array(readFileSync(join(ROOT, 'models/demo-words.qnm'))));
  const wav = readFileSync(join(work, 'words.wav'));
  const { samples } = await recordingSamples(new Uint8Array(wav), 'words.wav', 16000);
  const steps = new LivePath(contents).audio(samples);
  for (const step of steps.slice(0, 20)) {
    const start = Math.round(step.time * 16000) - (48 * 320 + 512);
    const clip = samples.slice(start, start + 16000);
    const r = await session.run({ audio: new ort.Tensor('float32', clip, [1, 16000]) });
    const p = r.probabilities.data as Float32Array;
    p.forEach((v, i) => expect(Math.abs(v - step.probabilities[i])).toBeLessThan(2e-3));
  }
  await session.release();
}, 120_000);
