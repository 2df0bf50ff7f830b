/**
 * Calibrated detection in the Live view: where the thresholds come from (the model's, chosen from
 * its estimate's held-out clips; the defaults; or the person's own, which win and can be dropped),
 * and "Calibrate" in "Test on a recording" — the rate asked for and the label file go to the
 * replay worker, whose calibration (core's own, on a synthetic recording here) is applied to
 * Live's settings and explained in one line that says it is optimistic.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  calibrateOnRecording,
  detectOnWindows,
  type RecordingWindows
} from '../../../core/live/calibrate';
import { defaultLiveSettings, type LiveSettings } from '../../../core/live/detector';
import { parseLabels } from '../../../core/live/score';
import type { InferIn, InferOut } from '../live/infer-worker';

const LABELS = ['background', 'yes', 'no'];
/** A recording's windows: "yes" at 0.9 around 2 s and 6 s, a non-word reaching 0.8 at 4 s. */
const WINDOWS: RecordingWindows = {
  labels: LABELS,
  seconds: 7,
  times: Array.from({ length: 12 }, (_, i) => 1 + 0.5 * i),
  probabilities: Array.from({ length: 12 }, (_, i) => {
    const y = i === 2 || i === 10 ? 0.9 : i === 6 ? 0.8 : 0.02;
    return [1 - y - 0.02, y, 0.02];
  }),
  silence: Array.from({ length: 12 }, () => false)
};
const LABEL_FILE = '1.8\t2.2\tyes\n5.8\t6.2\tyes\n';

/** Messages the component sent to its replay worker. */
const sent: InferIn[] = [];

/** A replay worker answering as infer-worker.ts does, from WINDOWS instead of a decoded file. */
class FakeWorker {
  onmessage: ((e: MessageEvent<InferOut>) => void) | undefined;
  private settings: LiveSettings | undefined;
  postMessage(m: InferIn): void {
    sent.push(m);
    const reply = (out: InferOut) =>
      setTimeout(() => this.onmessage?.({ data: out } as MessageEvent<InferOut>));
    if (m.type === 'model' || m.type === 'settings') this.settings = m.settings;
    else if (m.type === 'replay') {
      const s = this.settings!;
      reply({
        type: 'timeline',
        timeline: { ...WINDOWS, hopSeconds: 0.5, detections: detectOnWindows(WINDOWS, s) },
        warnings: []
      });
    } else if (m.type === 'calibrate') {
      const result = calibrateOnRecording(WINDOWS, parseLabels(m.labels, LABELS), m.settings, {
        maxFalseAlarmsPerHour: m.maxFalseAlarmsPerHour,
        name: m.name
      });
      reply({ type: 'calibrated', result, labels: LABELS, warnings: [] });
    }
  }
  terminate(): void {}
}
vi.mock('../live/worker', () => ({ inferWorker: () => new FakeWorker() }));

const { default: RecordingTest } = await import('./RecordingTest.svelte');
const { default: ThresholdSource } = await import('./ThresholdSource.svelte');
const { default: CalibrationLine } = await import('./CalibrationLine.svelte');

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
  sent.length = 0;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

const text = (el: Element | null) => el!.textContent!.replace(/\s+/g, ' ').trim();

function pick(input: HTMLInputElement, file: File): void {
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('ThresholdSource', () => {
  test('the model’s settings and what they rest on; the person’s own can be dropped', () => {
    const basis = "chosen from the estimate's 24 held-out clips (5-fold cross-validation)";
    const model = show(ThresholdSource, { basis, own: false, onreset: () => {} });
    expect(text(model)).toBe(
      `Thresholds and averaging ${basis}; a change you make is kept for this model.`
    );
    expect(model.querySelector('button')).toBeNull();
    let reset = 0;
    const own = show(ThresholdSource, { basis, own: true, onreset: () => reset++ });
    expect(text(own)).toContain(`your own (remembered for this model); the model's were ${basis}`);
    own.querySelector('button')!.click();
    expect(reset).toBe(1);
    const plain = show(ThresholdSource, { own: false, onreset: () => {} });
    expect(text(plain)).toMatch(/default 75 % \(this model carries no calibrated settings\)/);
    // Picked while its run is still cross-validating: the defaults only until it ends.
    const pending = show(ThresholdSource, { own: false, pending: true, onreset: () => {} });
    expect(text(pending)).toMatch(
      /^Thresholds: the default 75 % until this run's cross-validation ends; then the thresholds and averaging it chooses are used/
    );
  });
});

describe('RecordingTest: Calibrate', () => {
  test('sends the rate and the label file, applies the result to Live, explains it in one line', async () => {
    const settings = defaultLiveSettings(LABELS, (l) => l === 'background');
    const applied: LiveSettings[] = [];
    const el = show(RecordingTest, {
      model: async () => new Uint8Array([1]),
      settings,
      onapply: (s: LiveSettings) => applied.push(s)
    });
    const button = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Calibrate')!;
    expect(button.disabled).toBe(true);
    pick(
      el.querySelector<HTMLInputElement>('input[aria-label="Recording to test"]')!,
      new File([new Uint8Array([1, 2, 3])], 'rec.wav')
    );
    await vi.waitFor(() =>
      expect(el.querySelector('[data-testid="replay-summary"]')).not.toBeNull()
    );
    // The default 75 % hears the non-word too: 3 detections.
    expect(text(el.querySelector('[data-testid="replay-summary"]'))).toMatch(
      /^rec\.wav: 3 detections/
    );
    expect(button.disabled).toBe(true);
    pick(
      el.querySelector<HTMLInputElement>('input[aria-label="Label file"]')!,
      new File([LABEL_FILE], 'rec.tsv')
    );
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    const rate = el.querySelector<HTMLInputElement>('input[type="number"]')!;
    expect(rate.value).toBe('20');
    rate.value = '0';
    rate.dispatchEvent(new Event('input', { bubbles: true }));
    button.click();
    await vi.waitFor(() => expect(applied).toHaveLength(1));
    const message = sent.find((m) => m.type === 'calibrate')!;
    expect(message).toMatchObject({
      name: 'rec.wav',
      labels: LABEL_FILE,
      maxFalseAlarmsPerHour: 0,
      settings
    });
    // The worker already holds the recording: its bytes went with the first replay only.
    expect('bytes' in message).toBe(false);
    // Between the non-word (0.8) and the words (0.9), averaging and other settings untouched.
    const chosen = applied[0];
    expect(chosen.thresholds[1]).toBeGreaterThan(0.8);
    expect(chosen.thresholds[1]).toBeLessThanOrEqual(0.9);
    expect({ ...chosen, thresholds: [] }).toEqual({ ...settings, thresholds: [] });
    flushSync();
    const line = text(el.querySelector('[data-testid="calibration"]'));
    const pct = Math.round(100 * chosen.thresholds[1]);
    expect(line).toContain(
      `Calibrated on rec.wav for at most 0 false alarms per hour: yes ${pct} %, no 75 %, no averaging (now Live's settings, still editable) — 2 of 2 events heard, 0 false alarms (0 per hour); before 2 of 2, 514 per hour.`
    );
    expect(line).toMatch(/Scored on the recording they were chosen on, so optimistic/);
  });

  test('what calibration switched off, or a recording too short for the rate, is shown as a warning', () => {
    const result = calibrateOnRecording(
      WINDOWS,
      parseLabels(LABEL_FILE, LABELS),
      defaultLiveSettings(LABELS, (l) => l === 'background'),
      { maxFalseAlarmsPerHour: 20, name: 'rec.wav' }
    );
    expect(result.warnings.length).toBeGreaterThan(0);
    const el = show(CalibrationLine, { result, labels: LABELS, name: 'rec.wav' });
    expect([...el.querySelectorAll('[data-testid="calibration-warning"]')].map(text)).toEqual(
      result.warnings
    );
    expect(el.querySelector('[role="alert"]')).not.toBeNull();
  });
});
