/**
 * `quench stream --calibrate` on the bundled demo model (yes / no / background / other sounds)
 * without the thresholds it carries: a recording of spoken words with an unknown word ("maybe")
 * that the default thresholds announce as a false alarm. Calibrating keeps to the false-alarm rate asked for on that recording, the figures it
 * prints are the live path's own, and --write changes what a plain `quench stream` then uses.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples, replay } from '../../core/live/replay';
import { parseLabels, scoreDetections } from '../../core/live/score';
import { decodeModel, encodeModel } from '../../core/model-file/model-file';
import { wordStream } from '../fixtures/word-stream';
import { quench } from './run-cli';

const root = mkdtempSync(join(tmpdir(), 'quench-calibrate-'));
/** The demo model as it would be with no calibrated settings: Live's defaults apply. */
const DEMO = join(root, 'demo-uncalibrated.qnm');
const DEFAULTS = [0.75, 0.75, 0.75, 0.75];
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VOICES = ['en-us', 'en-gb', 'en-us+f3', 'en+m3', 'en-us+f5', 'en-gb-x-rp+m5'];
const wav = join(root, 'words.wav');
const labels = join(root, 'words.tsv');
let wavBytes: Uint8Array;

beforeAll(() => {
  const demo = decodeModel(
    new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
  );
  writeFileSync(DEMO, encodeModel({ ...demo, detection: undefined }));
  // 12 words over 36 s: yes, no, yes, no, maybe, …; the label file marks only yes and no.
  const script = Array.from({ length: 12 }, (_, i) => ({
    word: ['yes', 'no', 'yes', 'no', 'maybe'][i % 5],
    at: 1.5 + i * 2.8 + (i % 3) * 0.2,
    voice: VOICES[i % VOICES.length]
  }));
  const stream = wordStream(script, 36);
  wavBytes = stream.wav;
  writeFileSync(wav, stream.wav);
  writeFileSync(
    labels,
    stream.labels
      .split('\n')
      .filter((l) => !l.endsWith('maybe'))
      .join('\n')
  );
});

/** The recording's score with `settings`, replayed in-process through the live path. */
async function scoreWith(model: string, settings?: Parameters<typeof replay>[0]['settings']) {
  const contents = decodeModel(new Uint8Array(readFileSync(model)));
  const { samples } = await recordingSamples(wavBytes, 'words.wav', 16000);
  const timeline = replay(new LivePath(contents, settings), samples);
  const events = parseLabels(readFileSync(labels, 'utf8'), contents.labels);
  return scoreDetections(timeline.detections, events, timeline.seconds);
}

describe('quench stream --calibrate', () => {
  test('reaches the false-alarm rate asked for on the recording, as the live path scores it', async () => {
    const r = await quench(
      'stream',
      '--model',
      DEMO,
      '--audio',
      wav,
      '--labels',
      labels,
      '--calibrate',
      '--max-false-alarms-per-hour',
      '100',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    // The defaults exceed the rate here (the test would prove nothing otherwise).
    expect(j.before.settings.thresholds).toEqual(DEFAULTS);
    expect(j.before.falseAlarmsPerHour).toBeGreaterThan(100);
    expect(j.allowedFalseAlarms).toBe(1); // ⌊100 / h · 36 s⌋
    expect(j.after.falseAlarmsPerHour).toBeLessThanOrEqual(100);
    expect(j.after.falseAlarms).toBeLessThanOrEqual(1);
    expect(j.after.events).toBe(10);
    expect(j.after.hits).toBeGreaterThan(0);
    expect([1, 2, 3]).toContain(j.after.settings.average);
    expect(j.optimistic).toMatch(/same recording .* optimistic/);
    expect(j.written).toBeNull();
    // The figures are what a replay with the chosen settings gives.
    const check = await scoreWith(DEMO, j.after.settings);
    expect([check.hits, check.falseAlarms]).toEqual([j.after.hits, j.after.falseAlarms]);
    const before = await scoreWith(DEMO);
    expect([before.hits, before.falseAlarms]).toEqual([j.before.hits, j.before.falseAlarms]);
    // Text mode says the same and prints the caution.
    const t = await quench(
      'stream',
      '--model',
      DEMO,
      '--audio',
      wav,
      '--labels',
      labels,
      '--calibrate',
      '--max-false-alarms-per-hour',
      '100'
    );
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain(`${j.after.hits} of 10 events heard`);
    expect(t.out).toMatch(/^note: scored on the same recording .* optimistic/m);
    expect(t.out).toContain('add --write');
  });

  test('--write stores them in the model file, and a plain stream then uses them', async () => {
    const model = join(root, 'calibrated.qnm');
    copyFileSync(DEMO, model);
    const r = await quench(
      'stream',
      '--model',
      model,
      '--audio',
      wav,
      '--labels',
      labels,
      '--calibrate',
      '--max-false-alarms-per-hour',
      '0',
      '--write',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.written).toBe(model);
    expect(j.after.falseAlarms).toBe(0);
    const stored = decodeModel(new Uint8Array(readFileSync(model)));
    expect(stored.detection).toEqual({
      thresholds: j.after.settings.thresholds,
      average: j.after.settings.average,
      basis: expect.stringMatching(/^calibrated on words\.wav \(36\.0 s, 10 labelled events\)/)
    });
    expect(stored.detection!.thresholds).not.toEqual(DEFAULTS);
    const plain = JSON.parse(
      (await quench('stream', '--model', model, '--audio', wav, '--labels', labels, '--json')).out
    );
    expect(plain.settings.thresholds).toEqual(j.after.settings.thresholds);
    expect(plain.settings.average).toBe(j.after.settings.average);
    expect([plain.hits, plain.falseAlarms]).toEqual([j.after.hits, j.after.falseAlarms]);
    // The untouched file still starts from the defaults.
    const demo = JSON.parse(
      (await quench('stream', '--model', DEMO, '--audio', wav, '--json')).out
    );
    expect(demo.settings.thresholds).toEqual(DEFAULTS);
    // --threshold still wins over the file's.
    const flag = JSON.parse(
      (await quench('stream', '--model', model, '--audio', wav, '--json', '--threshold', '0.5')).out
    );
    expect(flag.settings.thresholds).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  test.each([
    [['--write'], /--write stores calibrated settings: add --calibrate/],
    [['--max-false-alarms-per-hour', '5'], /is for --calibrate/],
    [['--calibrate'], /--calibrate needs --labels/],
    [
      ['--calibrate', '--labels', 'x.tsv', '--max-false-alarms-per-hour', 'many'],
      /--max-false-alarms-per-hour must be a number from 0 to 3600, got "many"/
    ]
  ])('%j: usage error', async (flags, why) => {
    const r = await quench('stream', '--model', DEMO, '--audio', wav, ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(why);
  });
});
