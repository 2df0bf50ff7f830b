/**
 * The Live view's panels in a DOM: the top class always shown and thresholds gating only
 * detections, the detection list, the detection settings, the sparsity table's readable names and
 * explained terms, the energy meter's split and its reasons, the probability timeline's marks, and
 * the export dialog saying what the exported model takes before it asks the API for it.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { LiveSettings } from '../../../core/live/detector';
import type { LayerView, LiveEnergy } from '../../../core/live/layer-report';
import type { Timeline } from '../../../core/live/replay';
import { LivePath, windowHop } from '../../../core/live/live-path';
import type { LogMelSettings } from '../../../core/features/logmel';
import { decodeModel } from '../../../core/model-file/model-file';
import { hopText } from '../lib/format';

const calls: { method: string; req: Record<string, unknown> }[] = [];
/** The bundled demo model's bytes, read by Node under the DOM environment (no Node types here). */
const modelFile = async () => {
  const node = (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } })
    .process;
  const fs = node.getBuiltinModule('node:fs') as { readFileSync(path: string): Uint8Array };
  return new Uint8Array(fs.readFileSync('models/demo-words.qnm'));
};
vi.mock('../api/client', () => ({
  api: {
    call: async (method: string, req: Record<string, unknown>) => {
      calls.push({ method, req });
      return method === 'model:load' ? modelFile() : new Uint8Array([8, 1]);
    },
    on: () => () => {}
  }
}));

const { default: DetectionList } = await import('./DetectionList.svelte');
const { default: EnergyMeter } = await import('./EnergyMeter.svelte');
const { default: ExportDialog } = await import('./ExportDialog.svelte');
const { default: LiveControls } = await import('./LiveControls.svelte');
const { default: ProbBars } = await import('./ProbBars.svelte');
const { default: ProbTimeline } = await import('./ProbTimeline.svelte');
const { default: SparsityPanel } = await import('./SparsityPanel.svelte');

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
  calls.length = 0;
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

describe('ProbBars', () => {
  const base = {
    labels: ['background', 'no', 'yes'],
    thresholds: [0.75, 0.75, 0.9],
    silent: [true, false, false]
  };

  test('the top class is shown below its threshold too; the note says it is not a detection', () => {
    const el = show(ProbBars, { ...base, probabilities: [0.1, 0.1, 0.8], top: 2 });
    expect(text(el.querySelector('[data-testid="winner"]'))).toBe('yes');
    expect(el.querySelector('[data-testid="winner"]')!.classList).toContain('below');
    expect(text(el.querySelector('[data-testid="top-note"]'))).toBe(
      'below its 90 % threshold: shown, but not a detection'
    );
    const meters = [...el.querySelectorAll('[role="meter"]')].map((m) =>
      m.getAttribute('aria-valuenow')
    );
    expect(meters).toEqual(['10', '10', '80']);
  });

  test('above the threshold it is marked; background says it is never announced', () => {
    const el = show(ProbBars, { ...base, probabilities: [0.05, 0.9, 0.05], top: 1 });
    expect(el.querySelector('[data-testid="winner"]')!.classList).toContain('above');
    const bg = show(ProbBars, { ...base, probabilities: [0.9, 0.05, 0.05], top: 0 });
    expect(text(bg.querySelector('[data-testid="top-note"]'))).toMatch(/never announced/);
    expect(bg.querySelectorAll('input')).toHaveLength(2);
  });

  test('silent input: "nothing heard" instead of the model\'s guess, saying why', () => {
    const el = show(ProbBars, { ...base, probabilities: [0.06, 0.37, 0.57], top: 2, quiet: true });
    expect(text(el.querySelector('[data-testid="winner"]'))).toBe('nothing heard');
    expect(el.querySelector('.top-pct')).toBeNull();
    expect(text(el.querySelector('[data-testid="top-note"]'))).toMatch(
      /^The input is silent \(below −70 dBFS\): no class is shown and nothing is detected/
    );
  });

  test('a camera model says "seen", and that a still object is announced once', () => {
    const el = show(ProbBars, {
      ...base,
      labels: ['background', 'book', 'mug'],
      probabilities: [0.0, 0.05, 0.95],
      top: 2,
      kind: 'vision'
    });
    expect(text(el.querySelector('[data-testid="top-note"]'))).toBe(
      'at or above its 90 % threshold: seen, unless it was already announced'
    );
  });

  test('a threshold field reports the class and the new value as a fraction', () => {
    const changed: [number, number][] = [];
    const el = show(ProbBars, {
      ...base,
      probabilities: [0.2, 0.3, 0.5],
      top: 2,
      onthreshold: (i: number, v: number) => changed.push([i, v])
    });
    const field = el.querySelector<HTMLInputElement>(
      'input[aria-label^="Detection threshold for yes"]'
    )!;
    expect(field.value).toBe('90');
    field.value = '60';
    field.dispatchEvent(new Event('change', { bubbles: true }));
    field.value = '150';
    field.dispatchEvent(new Event('change', { bubbles: true }));
    expect(changed).toEqual([
      [2, 0.6],
      [2, 1]
    ]);
  });
});

describe('DetectionList', () => {
  test('newest first: time since Start, "heard X (92 %)"; Clear empties it', () => {
    let cleared = 0;
    const el = show(DetectionList, {
      detections: [
        { id: 2, time: 75.25, label: 'no', classIndex: 1, probability: 0.815 },
        { id: 1, time: 12.5, label: 'yes', classIndex: 2, probability: 0.92 }
      ],
      onclear: () => cleared++
    });
    const items = [...el.querySelectorAll('li')].map(text);
    expect(items).toEqual(['1:15.3 heard no (82 %)', '0:12.5 heard yes (92 %)']);
    el.querySelector('button')!.click();
    expect(cleared).toBe(1);
    const empty = show(DetectionList, { detections: [], onclear: () => {} });
    expect(text(empty)).toMatch(/Nothing heard yet/);
  });

  test('a camera model lists what it has seen, not heard', () => {
    const el = show(DetectionList, {
      detections: [{ id: 1, time: 5.3, label: 'mug', classIndex: 2, probability: 0.99 }],
      kind: 'vision',
      onclear: () => {}
    });
    expect([...el.querySelectorAll('li')].map(text)).toEqual(['0:05.3 seen mug (99 %)']);
    const empty = show(DetectionList, { detections: [], kind: 'vision', onclear: () => {} });
    expect(text(empty.querySelector('.empty'))).toMatch(
      /^Nothing seen yet\..*a still object is announced once/
    );
  });
});

describe('LiveControls', () => {
  const settings: LiveSettings = {
    overlap: 0.5,
    average: 1,
    suppressionMs: 1000,
    thresholds: [0.75, 0.75],
    silent: [true, false]
  };

  test('each overlap says the hop the live path takes at it (75 %: 0.26 s, as a replay reports)', async () => {
    const contents = decodeModel(await modelFile());
    const hop = (overlap: number) => new LivePath(contents, { overlap }).hopSeconds;
    const el = show(LiveControls, {
      settings,
      kind: 'audio',
      onchange: () => {},
      hopSeconds: (overlap: number) =>
        windowHop(new LivePath(contents).features as LogMelSettings, overlap).seconds
    });
    const options = [...el.querySelectorAll('option')].slice(0, 4).map(text);
    // The demo's front end: 320-sample frames at 16 kHz, 50 per 1 s clip; 12.5 rounds to 13.
    expect(options).toEqual([
      'none (every 1 s)',
      '50 % (every 0.5 s)',
      '75 % (every 0.26 s)',
      '90 % (every 0.1 s)'
    ]);
    expect(options.map((o) => o.replace(/.*every (.*) s\)$/, '$1'))).toEqual(
      [0, 0.5, 0.75, 0.9].map((o) => hopText(hop(o)))
    );
  });

  test('speech-commands defaults shown; each change gives the whole new settings', () => {
    const seen: LiveSettings[] = [];
    const el = show(LiveControls, {
      settings,
      kind: 'audio',
      onchange: (s: LiveSettings) => seen.push(s),
      hopSeconds: (overlap: number) => 1 - overlap
    });
    const [overlap, average] = [...el.querySelectorAll('select')];
    expect(overlap.selectedOptions[0].textContent).toBe('50 % (every 0.5 s)');
    expect(el.querySelector<HTMLInputElement>('input')!.value).toBe('1000');
    overlap.value = '0.75';
    overlap.dispatchEvent(new Event('change', { bubbles: true }));
    average.value = '3';
    average.dispatchEvent(new Event('change', { bubbles: true }));
    const ms = el.querySelector<HTMLInputElement>('input')!;
    ms.value = '1500';
    ms.dispatchEvent(new Event('change', { bubbles: true }));
    expect(seen).toEqual([
      { ...settings, overlap: 0.75 },
      { ...settings, average: 3 },
      { ...settings, suppressionMs: 1500 }
    ]);
    // Pictures have no windows to overlap.
    const vision = show(LiveControls, { settings, kind: 'vision', onchange: () => {} });
    expect(vision.querySelectorAll('select')).toHaveLength(1);
  });
});

const layer = (over: Partial<LayerView>): LayerView => ({
  id: 'conv0',
  title: 'conv 1 (16 filters)',
  op: 'conv',
  bits: 4,
  density: 0.25,
  macs: 1000,
  executedMacs: 400,
  energyPj: 1,
  ...over
});

describe('SparsityPanel', () => {
  test('readable layer names; every term has a tooltip and a one-line explanation', () => {
    const el = show(SparsityPanel, {
      layers: [
        layer({ deadFilters: 2, filters: 16 }),
        layer({
          id: 'kwta1',
          title: 'k-WTA (keeps 8 of 16)',
          op: 'kwta',
          bits: 8,
          density: 0.5,
          macs: 0,
          executedMacs: 0,
          winners: 4,
          channels: 16
        }),
        layer({ id: 'conv5', title: 'conv 2 (32 filters)', deadFilters: 0, filters: 32 })
      ]
    });
    const rows = [...el.querySelectorAll('tbody tr')];
    expect(rows.map((r) => text(r.querySelector('th')))).toEqual([
      'conv 1 (16 filters)',
      'k-WTA (keeps 8 of 16)',
      'conv 2 (32 filters)'
    ]);
    expect(rows[0].querySelector('th')!.getAttribute('title')).toBe(
      'conv 1 (16 filters) (conv0 in the model file)'
    );
    expect([...rows[0].querySelectorAll('td')].map(text)).toEqual([
      '4',
      '25 %',
      '—',
      '2 / 16',
      '40 % of 1K'
    ]);
    expect(rows[0].querySelectorAll('td')[4].getAttribute('title')).toBe(
      '400 of 1,000 multiply-accumulates'
    );
    expect([...rows[1].querySelectorAll('td')].map(text)[2]).toBe('4.0 / 16');
    for (const th of [...el.querySelectorAll('thead th')].slice(2))
      expect(th.getAttribute('title')!.length).toBeGreaterThan(40);
    const terms = [...el.querySelectorAll('.terms dt')].map(text);
    expect(terms).toEqual(['active', 'winners', 'dead', 'MACs']);
    expect(text(el.querySelector('.terms'))).toMatch(/k-WTA winners: k-winners-take-all/);
    expect(text(el.querySelector('.terms'))).toMatch(/Dead filters: filters whose output/);
    expect(text(el.querySelector('.terms'))).toMatch(/k strongest channels at each position/);
  });
});

const energy: LiveEnergy = {
  totalPj: 2000,
  floatDensePj: 30000,
  computePj: 1000,
  weightMemoryPj: 200,
  activationMemoryPj: 800,
  activationWords: 40,
  denseActivationWords: 100,
  weightsStationary: true,
  weightsIn: 'SRAM 32 KB',
  activationsIn: 'SRAM 32 KB',
  activationWordPj: 20,
  macPj: 0.2
};

describe('EnergyMeter', () => {
  test('nJ, the float reference, the three-way split with reasons, µW and coin-cell years', () => {
    // 2,000 pJ at 10/s = 20 nW; 2,430 J / 2e-8 W = 1.215e11 s ≈ 3,850 years.
    const el = show(EnergyMeter, { energy, rate: 10 });
    const all = text(el);
    expect(text(el.querySelector('[data-testid="energy"]'))).toBe('2.0 nJ');
    expect(all).toContain('15.0× more');
    expect([...el.querySelectorAll('[data-testid="energy-split"] li')].map(text)).toEqual([
      'computing: 1.0 nJ (50 %)',
      'moving activations: 0.8 nJ (40 %)',
      'moving weights: 0.2 nJ (10 %)'
    ]);
    // Why: one 20 pJ word is as much as 100 MACs of 0.2 pJ; 40 of 100 dense words moved.
    expect(all).toContain('costs 20 pJ, as much as 100 MACs');
    expect(all).toContain('40 of 100 dense words now');
    expect(all).toContain('they stay on chip (SRAM 32 KB)');
    expect(all).toContain('0.02 µW');
    expect(all).toContain(`${(2430 / 2e-8 / 3600 / 24 / 365).toFixed(1)} years`);
    // Nothing but this window's figure before the other two are known.
    expect(el.querySelector('[data-testid="energy-mean"]')).toBeNull();
    expect(el.querySelector('[data-testid="energy-trained"]')).toBeNull();
    const big = show(EnergyMeter, { energy: { ...energy, weightsStationary: false }, rate: 1 });
    expect(text(big)).toContain('streamed from DRAM on every inference');
  });
});

describe('EnergyMeter beside the run’s own figure', () => {
  test('this window, the mean since Start and Train’s mean over the training clips, each named', () => {
    const el = show(EnergyMeter, {
      energy,
      rate: 2,
      mean: { pj: 1850, windows: 24 },
      trained: { totalPj: 2300, clips: 450 }
    });
    const terms = [...el.querySelectorAll('dt')].map(text);
    expect(terms.slice(0, 3)).toEqual(['This window', 'Mean since Start', 'This run in Train']);
    expect(text(el.querySelector('[data-testid="energy"]'))).toBe('2.0 nJ');
    expect(text(el.querySelector('[data-testid="energy-mean"]'))).toBe('1.9 nJ over 24 windows');
    expect(text(el.querySelector('[data-testid="energy-trained"]'))).toBe(
      '2.3 nJ, the mean over its 450 training clips'
    );
    expect(text(el.querySelector('[data-testid="energy-basis"]'))).toMatch(
      /^Each figure is the same estimate on different input: it follows how sparse the input makes the activations, so it moves from window to window and a mean depends on what it was taken over\./
    );
    const camera = show(EnergyMeter, {
      energy,
      rate: 2,
      mean: { pj: 1850, windows: 1 },
      trained: { totalPj: 2300, clips: 40 },
      kind: 'vision'
    });
    expect([...camera.querySelectorAll('dt')].map(text)[0]).toBe('This frame');
    expect(text(camera.querySelector('[data-testid="energy-mean"]'))).toBe('1.9 nJ over 1 frame');
    expect(text(camera.querySelector('[data-testid="energy-trained"]'))).toBe(
      '2.3 nJ, the mean over its 40 training pictures'
    );
  });
});

describe('ProbTimeline', () => {
  const timeline: Timeline = {
    labels: ['background', 'yes'],
    seconds: 4,
    hopSeconds: 0.5,
    times: [0.992, 1.492, 1.992, 2.492, 2.992, 3.492],
    probabilities: [
      [0.9, 0.1],
      [0.2, 0.8],
      [0.7, 0.3],
      [0.9, 0.1],
      [0.1, 0.9],
      [0.9, 0.1]
    ],
    silence: [false, false, false, false, false, false],
    detections: [
      { time: 1.492, label: 'yes', classIndex: 1, probability: 0.8 },
      { time: 2.992, label: 'yes', classIndex: 1, probability: 0.9 }
    ]
  };

  test('a line per class, a mark per detection, events heard and missed, false alarms crossed', () => {
    const el = show(ProbTimeline, {
      timeline,
      silent: [true, false],
      thresholds: [0.75, 0.75],
      events: [
        { start: 1, end: 1.4, label: 'yes', line: 1 },
        { start: 3.5, end: 3.8, label: 'yes', line: 2 }
      ],
      heard: [true, false],
      matched: [0, null]
    });
    const lines = el.querySelectorAll('polyline');
    expect(lines).toHaveLength(2);
    expect(lines[1].getAttribute('points')!.split(' ')).toHaveLength(6);
    const marks = [...el.querySelectorAll('[data-testid="detection-mark"] title')].map(text);
    expect(marks).toEqual([
      '0:01.5 heard yes (80 %): a hit',
      '0:03.0 heard yes (90 %): a false alarm'
    ]);
    expect(el.querySelectorAll('.false')).toHaveLength(1);
    expect([...el.querySelectorAll('rect.event title')].map(text)).toEqual([
      'yes 1.00–1.40 s: heard',
      'yes 3.50–3.80 s: missed'
    ]);
    expect(el.querySelector('svg')!.getAttribute('aria-label')).toBe(
      'Class probabilities over 4.0 s with 2 detections'
    );
    expect(el.querySelector('rect.silence')).toBeNull();
  });

  test('no line where the input was silent; the silent stretch is shaded and named', () => {
    const el = show(ProbTimeline, {
      timeline: { ...timeline, silence: [true, false, false, true, true, false] },
      silent: [true, false],
      thresholds: [0.75, 0.75]
    });
    // Two runs of heard windows per class (1–2 and 5), so two lines per class.
    const yes = [...el.querySelectorAll('polyline')].filter((l) => text(l) === 'yes');
    expect(yes.map((l) => l.getAttribute('points')!.split(' ').length)).toEqual([2, 1]);
    expect([...el.querySelectorAll('rect.silence title')].map(text)).toEqual([
      '0:00.0–0:01.0: silent input, nothing heard',
      '0:01.5–0:03.0: silent input, nothing heard'
    ]);
  });
});

const exportProject = { id: 'p1', name: 'Words', kind: 'audio', createdAt: '', classes: [] };
const exportRun = {
  id: 'r1',
  project: 'p1',
  status: 'done',
  startedAt: '',
  settings: {},
  labels: ['background', 'no', 'yes']
};

describe('ExportDialog', () => {
  const project = exportProject;
  const run = exportRun;

  test('says what goes in for each choice, from the model itself, then exports that', async () => {
    let closed = 0;
    const el = show(ExportDialog, { project, run, onclose: () => closed++ });
    await vi.waitFor(() =>
      expect(text(el.querySelector('[data-testid="export-io"]'))).toMatch(/"audio"/)
    );
    const io = () => text(el.querySelector('[data-testid="export-io"]'));
    expect(io()).toContain(
      'Input "audio", float32 [1, 16000]: 1 s of mono audio at 16 kHz, samples in [−1, 1]. The log-mel front end'
    );
    expect(io()).toContain('float32 [1, 3], in the order background, no, yes');
    el.querySelector<HTMLInputElement>('input[value="features"]')!.click();
    flushSync();
    expect(io()).toContain(
      '"features", float32 [1, 49, 40, 1]: log-mel features, 49 frames × 40 bands, standardised as in training'
    );
    el.querySelector<HTMLInputElement>('input[value="raw"]')!.click();
    flushSync();
    const download = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Download')!;
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => {};
    download.click();
    await vi.waitFor(() => expect(closed).toBe(1));
    expect(calls.at(-1)).toEqual({
      method: 'model:export',
      req: { project: 'p1', run: 'r1', format: 'onnx', input: 'raw' }
    });
  });

  test('ONNX names the runtime that gives Quench’s answers; Quench’s own files need none', () => {
    const el = show(ExportDialog, { project, run, onclose: () => {} });
    expect(text(el.querySelector('[data-testid="export-runtime"]'))).toMatch(
      /^Gives Quench's answers on onnxruntime's CPU backend \(the wasm one in a browser\).*WebGPU/
    );
    el.querySelector<HTMLInputElement>('input[value="int"]')!.click();
    flushSync();
    expect(el.querySelector('[data-testid="export-runtime"]')).toBeNull();
  });

  test('pictures: the pixel size is asked for and checked; Escape closes', async () => {
    let closed = 0;
    const el = show(ExportDialog, {
      project: { ...project, kind: 'vision' },
      run,
      onclose: () => closed++
    });
    await vi.waitFor(() => expect(el.querySelectorAll('input[type="number"]')).toHaveLength(2));
    const width = el.querySelector<HTMLInputElement>('input[type="number"]')!;
    width.value = '0';
    width.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    const download = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Download')!;
    expect(download.disabled).toBe(true);
    el.querySelector('[role="dialog"]')!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
    );
    expect(closed).toBe(1);
  });
});

describe('ExportDialog by keyboard', () => {
  const project = exportProject;
  const run = exportRun;
  const tab = (shiftKey = false) =>
    document.activeElement!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true, cancelable: true })
    );

  test('Tab stays inside the dialog (last → first, Shift+Tab first → last) and closing returns focus to Export…', async () => {
    const opener = document.createElement('button');
    opener.textContent = 'Export…';
    document.body.appendChild(opener);
    opener.focus();
    const el = show(ExportDialog, { project, run, onclose: () => {} });
    const dialog = el.querySelector<HTMLElement>('[role="dialog"]')!;
    const { tabStops } = await import('../lib/focus-trap');
    const stops = tabStops(dialog);
    expect(stops.length).toBeGreaterThan(2);
    // One stop per radio group: the checked radio.
    const radios = stops.filter((s) => s instanceof HTMLInputElement && s.type === 'radio');
    expect(new Set(radios.map((r) => (r as HTMLInputElement).name)).size).toBe(radios.length);
    stops[stops.length - 1].focus();
    tab();
    expect(document.activeElement).toBe(stops[0]);
    tab(true);
    expect(document.activeElement).toBe(stops[stops.length - 1]);
    unmount(mounted.pop()!);
    expect(document.activeElement).toBe(opener);
  });
});
