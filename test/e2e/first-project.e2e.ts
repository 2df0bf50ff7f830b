/**
 * A person's first project, end to end in Chromium with fake devices (issue #14). Sound: one open
 * microphone plays different takes of "left" and "right" (espeak-ng voices, speeds, pitches, noise
 * underneath) and a room; we record 8 clips of each word and 10 s of background in the Collect
 * view, train once with each weight scheme at the default settings, and in Live every held-out
 * take (voices never recorded) must be recognised (≥ 80 %) while Live names the run it uses.
 * Images: the same with two classes from a fake camera. The devices replay their files from the
 * start whenever opened, so the test follows their timelines (first-project-media.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { cameraVideo, micRecording, type Slot } from './first-project-media';
import { openApp, SHOTS, type Harness } from './harness';

const SCHEMES = [
  ['linear', 'linear weights'],
  ['exponential', 'exponential weights'],
  ['kmeans', 'k-means weights']
] as const;

let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
});

/** Seconds since the element's `data-…` performance.now() stamp (the device's start); −1 before. */
async function elapsed(page: Page, selector: string, attr: string): Promise<number> {
  const since = Number(
    await page
      .locator(selector)
      .first()
      .getAttribute(attr, { timeout: 1000 })
      .catch(() => null)
  );
  if (!since) return -1;
  return ((await page.evaluate(() => performance.now())) - since) / 1000;
}

async function waitUntil(page: Page, selector: string, attr: string, at: number): Promise<void> {
  await expect
    .poll(() => elapsed(page, selector, attr), { timeout: 120_000, interval: 50 })
    .toBeGreaterThanOrEqual(at);
}

/** The number of clips the class's button shows. */
async function clipsOf(page: Page, name: string): Promise<number> {
  const text = await page.locator(`button[data-class="${name}"] .count`).textContent();
  return Number(text ?? NaN);
}

async function classCount(page: Page, name: string, n: number): Promise<void> {
  await expect.poll(() => clipsOf(page, name), { timeout: 30_000 }).toBeGreaterThanOrEqual(n);
}

async function createProject(page: Page, name: string, kind: 'audio' | 'vision'): Promise<void> {
  await page.getByRole('button', { name: 'Projects' }).click();
  await page.getByLabel('Name').fill(name);
  if (kind === 'vision') await page.getByLabel('Images (camera)').check();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect
    .poll(() => page.getByRole('heading', { name: 'Classes' }).isVisible(), { timeout: 30_000 })
    .toBe(true);
}

async function addClass(page: Page, name: string): Promise<void> {
  await page.getByLabel('New class').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect.poll(() => page.locator(`button[data-class="${name}"]`).count()).toBe(1);
}

/** Trains with `scheme` at the defaults; resolves once the model is saved (Live can use it). */
async function train(page: Page, scheme: string): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  // This walk-through trains from scratch (its held-out voices are espeak-ng's, which the keyword
  // base was trained on); runs from the base are judged on voices no part of it heard by
  // test/bench/generalize.ts. Picture projects have no base, so no choice to make.
  const scratch = page.getByRole('radio', { name: 'Scratch' });
  if ((await scratch.count()) > 0) await scratch.check();
  await page.getByLabel('Weight scheme').selectOption(scheme);
  await page.getByLabel('Epochs').fill('15');
  await page.locator('form').getByRole('button', { name: 'Train' }).click();
  await expect
    .poll(
      async () =>
        (await page.getByText('Model ready (Live can use it)').count()) +
        (await page.getByText('Training finished.').count()),
      { timeout: 240_000, interval: 250 }
    )
    .toBeGreaterThan(0);
}

/** Waits until no run of the project is training (its folds included). */
async function finished(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  const running = page.locator('[data-testid="runs-table"] td.status', { hasText: 'running' });
  await expect.poll(() => running.count(), { timeout: 240_000, interval: 500 }).toBe(0);
}

/** Goes Live with the newest run; returns the winners seen, by seconds since the device started. */
async function live(
  page: Page,
  schemeText: string,
  start: string,
  clock: [string, string],
  seconds: number
): Promise<{ t: number; winner: string }[]> {
  await page.getByRole('button', { name: 'Live' }).click();
  await page.getByLabel('Model').selectOption({ index: 1 });
  await expect.poll(() => page.getByTestId('live-run').textContent()).toContain(schemeText);
  await page.getByRole('button', { name: start }).click();
  await expect.poll(() => elapsed(page, ...clock), { timeout: 30_000 }).toBeGreaterThan(0);
  const seen: { t: number; winner: string }[] = [];
  for (;;) {
    const t = await elapsed(page, ...clock);
    if (t > seconds) break;
    seen.push({ t, winner: (await page.getByTestId('winner').textContent()) ?? '' });
    await page.waitForTimeout(60);
  }
  await page.getByRole('button', { name: 'Stop' }).click();
  return seen;
}

/** Slots whose label wins most often (and at least twice) from `from` to `to` s into the slot. */
function recognised(
  seen: { t: number; winner: string }[],
  slots: Slot[],
  from: number,
  to: number
) {
  return slots.map((s) => {
    const votes = new Map<string, number>();
    for (const o of seen)
      if (o.t >= s.start + from && o.t <= s.start + to && o.winner !== '…')
        votes.set(o.winner, (votes.get(o.winner) ?? 0) + 1);
    const mine = votes.get(s.label) ?? 0;
    const other = Math.max(0, ...[...votes].filter(([k]) => k !== s.label).map(([, v]) => v));
    return { slot: s, ok: mine >= 2 && mine > other, votes: Object.fromEntries(votes) };
  });
}

test('sound: record 8 takes of two words and a room through one open microphone, train with every scheme, Live recognises unseen voices', async () => {
  const work = mkdtempSync(join(tmpdir(), 'quench-e2e-first-sound-'));
  const { path, timeline } = micRecording(work, ['left', 'right']);
  h = await openApp({ audio: path }, work);
  const { page } = h;
  await createProject(page, 'First words', 'audio');
  const mic: [string, string] = ['[data-testid="mic"]', 'data-mic-since'];
  await addClass(page, 'left');
  await addClass(page, 'right');
  await expect.poll(() => elapsed(page, ...mic), { timeout: 30_000 }).toBeGreaterThan(0);

  // 10 s of the room, then 8 clips of each word while its block of takes plays.
  await waitUntil(page, ...mic, timeline.background.start + 0.2);
  await page.getByRole('button', { name: 'Record 10 s of background noise' }).click();
  await classCount(page, 'background', 10);
  for (const word of ['left', 'right']) {
    await page.locator(`button[data-class="${word}"]`).click();
    await waitUntil(page, ...mic, timeline.words[word].start + 0.1);
    // Held takes of 6 s, as a person records several words at once: each whole word becomes a
    // clip, the words cut by the take's start or end are left out (4–5 clips a take).
    const button = page.getByRole('button', { name: new RegExp(`Hold to record "${word}"`) });
    for (let holds = 0; (await clipsOf(page, word)) < 8 && holds < 4; holds++) {
      const had = await clipsOf(page, word);
      await button.hover();
      await page.mouse.down();
      await page.waitForTimeout(6000);
      await page.mouse.up();
      await expect.poll(() => clipsOf(page, word), { timeout: 30_000 }).toBeGreaterThan(had);
    }
    expect(await clipsOf(page, word)).toBeGreaterThanOrEqual(8);
    const at = await elapsed(page, ...mic);
    expect(at, `the 8 ${word} clips must fit in the ${word} block`).toBeLessThan(
      timeline.words[word].end
    );
  }
  await page.screenshot({ path: join(SHOTS, 'first-sound-1-collect.png'), fullPage: true });

  const results: Record<string, boolean[]> = {};
  for (const [scheme, text] of SCHEMES) {
    await train(page, scheme);
    const seen = await live(
      page,
      text,
      'Start microphone',
      ['[data-live-since]', 'data-live-since'],
      timeline.heldOut.at(-1)!.end + 0.3
    );
    // Each slot's word starts 0.3 s in; a 1 s window holding all of it ends ~0.9 s in, and Live
    // shows it after that window's hop and averaging. Earlier votes can only show the slot
    // before (every "right" follows a "left"), so the slot is judged from 0.9 s in until 0.5 s
    // past its end, before the next word's windows arrive.
    const r = recognised(
      seen,
      timeline.heldOut,
      0.9,
      timeline.heldOut[0].end - timeline.heldOut[0].start + 0.5
    );
    results[scheme] = r.map((x) => x.ok);
    // In the log even when a retry passes, so a flaky slot can be seen afterwards.
    console.log(`${scheme}: ${JSON.stringify(r.map((x) => [x.slot.label, x.votes]))}`);
    await page.screenshot({
      path: join(SHOTS, `first-sound-2-live-${scheme}.png`),
      fullPage: true
    });
    await finished(page);
    expect(
      r.filter((x) => x.ok).length / r.length,
      `${scheme}: held-out takes recognised ${JSON.stringify(r.map((x) => [x.slot.label, x.votes]))}`
    ).toBeGreaterThanOrEqual(0.8);
  }
  // Each clip is its own take (one microphone open for the session): no same-take warning.
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  expect(await page.getByText(/same take/).count()).toBe(0);
  // Every run's result names the clips its accuracy rests on: 16 word clips + 10 background s.
  await expect
    .poll(() => page.getByTestId('accuracy').textContent())
    .toMatch(/Accuracy: \d+\.\d % balanced accuracy of \d+ clips \(5-fold cross-validation/);
  await page.screenshot({ path: join(SHOTS, 'first-sound-3-train.png'), fullPage: true });
  await h.close();
  h = undefined;
}, 900_000);

test('images: capture two classes from one open camera, train with every scheme, Live recognises unseen frames', async () => {
  const work = mkdtempSync(join(tmpdir(), 'quench-e2e-first-image-'));
  const { path, timeline } = cameraVideo(work);
  h = await openApp({ video: path }, work);
  const { page } = h;
  await createProject(page, 'First pictures', 'vision');
  const cam: [string, string] = ['[data-testid="camera"]', 'data-camera-since'];
  await addClass(page, 'box');
  await addClass(page, 'blue');
  await expect.poll(() => elapsed(page, ...cam), { timeout: 30_000 }).toBeGreaterThan(0);
  for (const kind of ['box', 'blue']) {
    await page.locator(`button[data-class="${kind}"]`).click();
    await waitUntil(page, ...cam, timeline.classes[kind].start + 0.2);
    for (const n of [10, 20]) {
      await page
        .getByRole('button', { name: new RegExp(`Capture 10 frames of "${kind}"`) })
        .click();
      await classCount(page, kind, n);
    }
    expect(await elapsed(page, ...cam)).toBeLessThan(timeline.classes[kind].end);
  }
  await page.screenshot({ path: join(SHOTS, 'first-image-1-collect.png'), fullPage: true });
  for (const [scheme, text] of SCHEMES) {
    await train(page, scheme);
    const seen = await live(page, text, 'Start camera', cam, timeline.heldOut.at(-1)!.end);
    const r = recognised(seen, timeline.heldOut, 1.2, 2.9);
    await finished(page);
    expect(
      r.every((x) => x.ok),
      `${scheme}: ${JSON.stringify(r.map((x) => [x.slot.label, x.votes]))}`
    ).toBe(true);
  }
  await page.screenshot({ path: join(SHOTS, 'first-image-2-train.png'), fullPage: true });

  // A long run found running after a reload can be cancelled; Live never defaults to it.
  await page.getByLabel('Epochs').fill('200');
  await page.locator('form').getByRole('button', { name: 'Train' }).click();
  await expect.poll(() => page.getByTestId('progress-text').count(), { timeout: 60_000 }).toBe(1);
  await page.reload();
  // The reload comes back to this project's Train view (review #12), the run still going on.
  await expect
    .poll(() => page.locator('header .current').textContent())
    .toContain('First pictures');
  await expect
    .poll(() => page.locator('nav button[aria-current="page"]').textContent())
    .toBe('Train');
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect.poll(() => cancel.isEnabled(), { timeout: 30_000 }).toBe(true);
  await cancel.click();
  await expect
    .poll(() => page.getByText('Training cancelled.').count(), { timeout: 60_000 })
    .toBe(1);
  await page.getByRole('button', { name: 'Live' }).click();
  await expect.poll(() => page.getByTestId('live-run').textContent()).not.toContain('cancelled');
}, 600_000);
