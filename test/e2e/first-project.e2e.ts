/**
 * A person's first project, end to end in Chromium with fake devices. Sound: one open microphone
 * plays takes of "left" and "right" in the user's voices (festival kal and slt, each take varied)
 * and their room; we record 8 clips of each word and 10 s of background in the Collect view and
 * train once with each weight scheme at the default settings — from the keyword base. In Live,
 * held-out takes in voices no part of the model heard (festival's ked made into six speakers, in
 * other rooms; the base knows only espeak-ng and flite) must be shown as the top class (≥ 80 %)
 * and detected (≥ 60 %, at most two as the other word), and Live names the run it uses.
 * Images: the same with two classes from a fake camera. The devices replay their files from the
 * start whenever opened, so the test follows their timelines (first-project-media.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { cameraVideo, micRecording, type HeldOutSlot, type Slot } from './first-project-media';
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

/**
 * Trains with `scheme` at the defaults (`epochs` when given); resolves once the model is saved
 * (Live can use it). A sound project starts from the keyword base unless told otherwise.
 */
async function train(page: Page, scheme: string, epochs?: number): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  await page.getByLabel('Weight scheme').selectOption(scheme);
  if (epochs !== undefined) await page.getByLabel('Epochs').fill(String(epochs));
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

interface Heard {
  /** Seconds since Live's Start (the end of the window that was detected). */
  t: number;
  label: string;
}

/**
 * Goes Live with the newest run; returns the winners seen, by seconds since the device started,
 * and the Detections list when Live stopped.
 */
async function live(
  page: Page,
  schemeText: string,
  start: string,
  clock: [string, string],
  seconds: number
): Promise<{ seen: { t: number; winner: string }[]; heard: Heard[] }> {
  if (start === 'Start microphone') {
    // A run from the base is ready long before its cross-validation ends: Train offers it to
    // Live at once (Live's own default is the best finished run).
    await page.getByTestId('use-in-live').click();
    expect(await page.getByTestId('live-run').isVisible()).toBe(true);
  } else {
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.getByLabel('Model').selectOption({ index: 1 });
  }
  await expect.poll(() => page.getByTestId('live-run').textContent()).toContain(schemeText);
  if (start === 'Start microphone') {
    // Picked while its run cross-validates: Live says so, then takes the thresholds it chose.
    const source = page.getByTestId('threshold-source');
    const said = (await source.textContent()) ?? '';
    if (!said.includes('chosen from'))
      expect(said).toContain("until this run's cross-validation ends");
    await expect
      .poll(() => source.textContent(), { timeout: 240_000, interval: 250 })
      .toMatch(/Thresholds and averaging chosen from .*cross-validation/);
  }
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
  const items = await page
    .getByTestId('detections')
    .locator('li')
    .allTextContents()
    .catch(() => [] as string[]);
  const heard = items.flatMap((line) => {
    const m = /(\d+):(\d+\.\d)\s+(?:heard|seen)\s+(.+?)\s+\(\d+ %\)/.exec(line);
    return m ? [{ t: 60 * Number(m[1]) + Number(m[2]), label: m[3] }] : [];
  });
  return { seen, heard: heard.reverse() };
}

/**
 * Held-out takes detected: a detection of the take's word from 0.2 s after its onset to 1.5 s
 * after (a 1 s window holding the word ends in that span), and none of another word.
 */
function detected(heard: Heard[], slots: HeldOutSlot[]) {
  return slots.map((s) => {
    const near = heard.filter((d) => d.t >= s.wordStart + 0.2 && d.t <= s.wordStart + 1.5);
    const ok = near.some((d) => d.label === s.label) && near.every((d) => d.label === s.label);
    return { slot: s, ok, heard: near.map((d) => d.label) };
  });
}

/**
 * Slots whose label wins most often (and at least twice) from `from` to `to` s into the slot,
 * among the classes that aren't in `edges`. Sound passes its background and "other sounds"
 * there: a window holding only part of a word is rightly either, so they fill the polls around
 * the word; another word winning is the mistake.
 */
function recognised(
  seen: { t: number; winner: string }[],
  slots: Slot[],
  from: number,
  to: number,
  edges: string[] = []
) {
  return slots.map((s) => {
    const votes = new Map<string, number>();
    for (const o of seen)
      if (o.t >= s.start + from && o.t <= s.start + to && o.winner !== '…')
        votes.set(o.winner, (votes.get(o.winner) ?? 0) + 1);
    const mine = votes.get(s.label) ?? 0;
    const other = Math.max(
      0,
      ...[...votes].filter(([k]) => k !== s.label && !edges.includes(k)).map(([, v]) => v)
    );
    return { slot: s, ok: mine >= 2 && mine > other, votes: Object.fromEntries(votes) };
  });
}

test('sound: record 8 takes of two words and a room through one open microphone, train with every scheme, Live recognises unseen voices', async () => {
  const work = mkdtempSync(join(tmpdir(), 'quench-e2e-first-sound-'));
  const { path, timeline } = micRecording(work, ['left', 'right'], {
    takes: 16,
    spacing: 1.1,
    heldOutPerWord: 10,
    heldOutSlot: 1.6,
    background: 10.6
  });
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

  // A new sound project starts from the keyword base.
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  expect(await page.getByRole('radio', { name: /^Keyword base/ }).isChecked()).toBe(true);
  for (const [scheme, text] of SCHEMES) {
    await train(page, scheme);
    const { seen, heard } = await live(
      page,
      text,
      'Start microphone',
      ['[data-live-since]', 'data-live-since'],
      timeline.heldOut.at(-1)!.end + 0.3
    );
    const d = detected(heard, timeline.heldOut);
    // The top class: judged from 0.6 s to 1.5 s after the word's onset, while 1 s windows
    // holding it are shown (give or take the hop and the averaging); the room follows.
    const r = timeline.heldOut.map(
      (s) =>
        recognised(seen, [s], s.wordStart - s.start + 0.6, s.wordStart - s.start + 1.5, [
          'background',
          'other sounds'
        ])[0]
    );
    const what = JSON.stringify(
      d.map((x, i) => [x.slot.label, x.slot.voice, x.slot.room, x.heard, r[i].votes])
    );
    // In the log even when the test passes, so a weak slot can be seen afterwards.
    console.log(
      `${scheme}: ${d.filter((x) => x.ok).length}/${d.length} detected, ${r.filter((x) => x.ok).length}/${r.length} top class: ${what}`
    );
    await page.screenshot({
      path: join(SHOTS, `first-sound-2-live-${scheme}.png`),
      fullPage: true
    });
    await finished(page);
    // Seen while writing this test: 15–18 of these 20 takes detected, none as the other word,
    // and 19–20 shown as the top class (with 24 takes, of other draws: 17–20 and 23–24). A miss
    // is a take whose word is the top class under its calibrated threshold (hall, phone rooms).
    // quench stream with such a model over 16 of the takes heard 12–14 at 0–1 false alarms as the
    // phase of its windows moved, where one trained from scratch on the same clips heard 11 with
    // 3–5.
    const wrong = d.filter((x) => x.heard.some((l) => l !== x.slot.label)).length;
    expect(d.filter((x) => x.ok).length / d.length, `${scheme}: ${what}`).toBeGreaterThanOrEqual(
      0.6
    );
    expect(wrong, `${scheme}: takes detected as another word: ${what}`).toBeLessThanOrEqual(2);
    expect(r.filter((x) => x.ok).length / r.length, `${scheme}: ${what}`).toBeGreaterThanOrEqual(
      0.8
    );
  }
  // Each clip is its own take (one microphone open for the session): no same-take warning.
  await page.getByRole('button', { name: 'Train', exact: true }).first().click();
  const sameTake = await page.getByText(/same take/).allTextContents();
  expect(sameTake.length, sameTake.join(' | ')).toBe(0);
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
    await train(page, scheme, 15);
    const { seen } = await live(page, text, 'Start camera', cam, timeline.heldOut.at(-1)!.end);
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
  await page.getByRole('button', { name: 'Live', exact: true }).click();
  await expect.poll(() => page.getByTestId('live-run').textContent()).not.toContain('cancelled');
}, 600_000);
