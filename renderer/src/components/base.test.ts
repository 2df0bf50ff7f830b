/**
 * Starting from a base, in the renderer: the Train form's "Start from" choice (the base by
 * default when installed, its description in place of the preset picker, which layers train under
 * Advanced; scratch only for pictures or without a base), what each run started from in the runs
 * table, the run detail and Live's picker, "Copy settings" carrying the start, the automatic
 * "other sounds" class in Collect's class list, and how the app learns the installed base.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { BaseInfo, ClassInfo, ProjectInfo, RunInfo } from '../../../electron/shared/api';

/** What the fake API answers to base:info, per test. */
let baseAnswer: unknown = null;
const calls: { method: string; req: Record<string, unknown> }[] = [];
vi.mock('../api/client', () => ({
  api: {
    call: async (method: string, req: Record<string, unknown>) => {
      calls.push({ method, req });
      if (method === 'base:info') return baseAnswer;
      if (method === 'project:get') return project('audio', []);
      return [];
    },
    on: () => () => {}
  }
}));

const { TrainForm: FormState, runSettings } = await import('../state/train-form.svelte');
const { classDrift, startText } = await import('../lib/runs');
const { cellText } = await import('../lib/runs-table');
const { app } = await import('../state/app.svelte');
const { default: TrainForm } = await import('./TrainForm.svelte');
const { default: RunsTable } = await import('./RunsTable.svelte');
const { default: RunDetail } = await import('./RunDetail.svelte');
const { default: RunPicker } = await import('./RunPicker.svelte');
const { default: ClassList } = await import('./ClassList.svelte');
const { default: ProbBars } = await import('./ProbBars.svelte');

const BASE: BaseInfo = {
  kind: 'audio',
  name: 'keyword-base',
  hash: '2144df1c',
  about: 'The keyword base.',
  network: { name: 'keyword-net', description: 'Four conv blocks over 49 log-mel frames.' },
  classes: ['_background_noise_', 'apple', 'river'],
  words: 24,
  others: { clips: 70, words: 23 },
  accuracy: { value: 0.9535, clips: 129, about: 'held-out takes' },
  served: { weightBits: 4, weightScheme: 'linear', actBits: 8, kwta: 0.5 }
};

function project(kind: 'audio' | 'vision', classes: ClassInfo[]): ProjectInfo {
  return { id: `p-${kind}`, name: 'Words', kind, createdAt: '', classes };
}

const run = (id: string, over: Partial<RunInfo> = {}): RunInfo => ({
  id,
  project: 'p',
  status: 'done',
  startedAt: '2026-12-01T10:00:00Z',
  finishedAt: '2026-12-01T10:01:00Z',
  settings: { weightBits: 4, epochs: 5 },
  modelBytes: 100,
  ...over
});
const fromBase = (layers = 'head'): Partial<RunInfo> => ({
  startedFrom: 'base:keyword-base@2144df1c',
  trainedLayers: layers,
  labels: ['off', 'on', 'other sounds'],
  automaticClasses: [
    {
      name: 'other sounds',
      clips: 9,
      about: '9 one-second clips of other words and speech from keyword-base’s corpus'
    }
  ]
});

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
const labelled = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll('label')].find((l) => text(l).startsWith(label));

function showForm(form: InstanceType<typeof FormState>, kind: 'audio' | 'vision') {
  return show(TrainForm, { form, kind, training: false, onstart() {}, oncancel() {} });
}

describe('the Train form: Start from', () => {
  test('a sound project with the base installed starts from it; the base replaces the preset', () => {
    const form = new FormState();
    form.open({ id: 's1', kind: 'audio' }, [], BASE);
    const el = showForm(form, 'audio');
    const group = el.querySelector('fieldset[data-testid="start-from"]')!;
    expect(text(group.querySelector('legend'))).toBe('Start from');
    const radios = [...group.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
    // One group (one name): one tab stop, the arrow keys move between the two.
    expect(radios.map((r) => r.name)).toEqual(['start-from', 'start-from']);
    expect(radios.map((r) => text(r.closest('label')))).toEqual([
      'Keyword base (recommended)',
      'Scratch'
    ]);
    expect(radios.map((r) => r.checked)).toEqual([true, false]);
    expect(labelled(el, 'Preset')).toBeUndefined();
    expect(text(el.querySelector('[data-testid="base-about"]'))).toBe(
      "Network: the keyword base's (keyword-net, fixed) — Four conv blocks over 49 log-mel frames. " +
        'It knows 24 words, 95.3 % right on 129 held-out takes. Your classes get a new last layer ' +
        'on top of it, and a run adds the class “other sounds” (as many clips as your largest class has, drawn from 70 clips of 23 other words) so ' +
        'that speech that is none of your words is not heard as one.'
    );
    // The network-wide settings stay.
    for (const f of ['Weight bits', 'Weight scheme', 'Activation bits', 'k-WTA', 'Epochs'])
      expect(labelled(el, f), f).toBeDefined();
    expect(form.settings()).toMatchObject({ startFrom: 'base', trainLayers: 'head' });
    expect(form.settings()).not.toHaveProperty('preset');
  });

  test('layers trained is an Advanced field; the summary says when it is not the last layer', () => {
    const form = new FormState();
    form.open({ id: 's2', kind: 'audio' }, [], BASE);
    const el = showForm(form, 'audio');
    const layers = labelled(el, 'Layers trained')!.querySelector('select')!;
    expect(layers.closest('details')).not.toBeNull();
    expect([...layers.options].map((o) => o.textContent)).toEqual([
      'last layer (fast)',
      'top block',
      'every layer'
    ]);
    layers.options[1].selected = true;
    layers.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(form.settings().trainLayers).toBe('top');
    expect(text(el.querySelector('summary'))).toMatch(/^Advanced\s*· changed: top block trained$/);
  });

  test("the form says which layers its bits and scheme reach, and that the others keep the base's", () => {
    const form = new FormState();
    form.open({ id: 's3', kind: 'audio' }, [], BASE);
    const el = showForm(form, 'audio');
    const hint = () => el.querySelector('[data-testid="frozen-settings"]');
    expect(text(hint())).toBe(
      'Weight bits and scheme apply to the last layer, the only one that trains; activation bits ' +
        "and k-WTA are the base's (8-bit, k-WTA 0.5), as no activation or k-WTA layer trains. The " +
        'layers below keep the base\'s 4-bit linear weights. "Top block" or "every layer" under ' +
        'Advanced lets you change more.'
    );
    // Those two fields show the base's values and can't be changed; the run sends the base's.
    const act = labelled(el, 'Activation bits')!.querySelector('select')!;
    const kwta = labelled(el, 'k-WTA')!.querySelector('input')!;
    expect([act.disabled, act.value, kwta.disabled, kwta.value]).toEqual([true, '8', true, '0.5']);
    form.actBits = 2;
    form.kwta = 0.25;
    expect(form.settings()).toMatchObject({ actBits: 8, kwta: 0.5 });
    form.trainLayers = 'top';
    flushSync();
    expect(text(hint())).toMatch(
      /^Bits, scheme and k-WTA apply to the top block and the last layer/
    );
    expect([act.disabled, kwta.disabled]).toEqual([false, false]);
    expect(form.settings()).toMatchObject({ actBits: 2, kwta: 0.25 });
    form.trainLayers = 'all';
    flushSync();
    expect(hint()).toBeNull();
    form.trainLayers = 'head';
    form.startFrom = 'scratch';
    flushSync();
    expect(hint()).toBeNull();
  });

  test('choosing Scratch brings the preset back and sends it, without layers', () => {
    const form = new FormState();
    form.open({ id: 's3', kind: 'audio' }, [], BASE);
    const el = showForm(form, 'audio');
    el.querySelectorAll<HTMLInputElement>('input[type="radio"]')[1].click();
    flushSync();
    expect(labelled(el, 'Preset')).toBeDefined();
    expect(el.querySelector('[data-testid="base-about"]')).toBeNull();
    expect(labelled(el, 'Layers trained')).toBeUndefined();
    expect(form.settings()).toMatchObject({ preset: 'audio-small', startFrom: 'scratch' });
    expect(form.settings()).not.toHaveProperty('trainLayers');
  });

  test('without a base, sound starts from scratch saying how to get one; pictures have none', () => {
    const sound = new FormState();
    sound.open({ id: 's4', kind: 'audio' }, [], null);
    const el = showForm(sound, 'audio');
    expect(el.querySelector('input[type="radio"]')).toBeNull();
    expect(text(el.querySelector('[data-testid="start-from"]'))).toMatch(
      /^Start from: scratch\. The keyword base is not installed \(npm run make-base -- --kind sound makes it\)/
    );
    expect(sound.settings()).toMatchObject({ preset: 'audio-small', startFrom: 'scratch' });
    const pictures = new FormState();
    // A base of another kind is never offered to a picture project.
    pictures.open({ id: 'v1', kind: 'vision' }, [], BASE);
    const cam = showForm(pictures, 'vision');
    expect(text(cam.querySelector('[data-testid="start-from"]'))).toBe(
      'Start from: scratch. There is no picture base yet: the network starts from random values.'
    );
    expect(labelled(cam, 'Preset')).toBeDefined();
    expect(pictures.settings()).not.toHaveProperty('startFrom');
  });

  test('a project keeps its start: its last run from scratch opens on scratch, older runs on the base', () => {
    const form = new FormState();
    form.open({ id: 's5', kind: 'audio' }, [run('a', { startedFrom: 'scratch' })], BASE);
    expect(form.startFrom).toBe('scratch');
    form.open({ id: 's6', kind: 'audio' }, [run('b')], BASE);
    expect(form.startFrom).toBe('base');
    form.open({ id: 's7', kind: 'audio' }, [run('c', fromBase('all'))], BASE);
    expect(form.settings()).toMatchObject({ startFrom: 'base', trainLayers: 'all' });
    // The base gone since: scratch.
    form.open({ id: 's8', kind: 'audio' }, [run('d', fromBase())], null);
    expect(form.settings().startFrom).toBe('scratch');
  });

  test('Copy settings carries the start, from the run record when its settings left it out', () => {
    expect(runSettings(run('r', { ...fromBase('top'), settings: { epochs: 3 } }))).toEqual({
      epochs: 3,
      startFrom: 'base',
      trainLayers: 'top'
    });
    expect(runSettings(run('s', { startedFrom: 'scratch', settings: { seed: 4 } }))).toEqual({
      startFrom: 'scratch'
    });
    const form = new FormState();
    form.open({ id: 's9', kind: 'audio' }, [], BASE);
    form.startFrom = 'scratch';
    form.apply(runSettings(run('r', fromBase('all'))), 'the run of today');
    expect(form.settings()).toMatchObject({ startFrom: 'base', trainLayers: 'all' });
  });
});

describe('runs say what they started from', () => {
  const runs = [
    run('a', fromBase()),
    run('b', { ...fromBase('top'), startedAt: '2026-12-01T11:00:00Z' }),
    run('c', { startedFrom: 'scratch', settings: { preset: 'audio-small' } }),
    run('d', { settings: { preset: 'audio-small' } })
  ];

  test('the runs table has a Start column; a base run trained the base’s network', () => {
    const el = show(RunsTable, { runs, selected: undefined, onselect() {} });
    const cell = (id: string, key: string) =>
      text(el.querySelector(`tr[data-run="${id}"] td.${key}`));
    expect(cell('a', 'start')).toBe('keyword base · last layer');
    expect(cell('b', 'start')).toBe('keyword base · top block');
    expect(cell('c', 'start')).toBe('scratch');
    expect(cell('d', 'start')).toBe('scratch');
    expect(cell('a', 'preset')).toBe('the base’s');
    expect(cell('c', 'preset')).toBe('audio-small');
    expect(cellText(runs[0], 'start')).toBe(startText(runs[0]));
  });

  test('the run detail says where it started and lists the automatic class; Copy hands the run on', () => {
    const copied: RunInfo[] = [];
    const props = {
      project: 'p',
      audio: true,
      classes: [
        { name: 'off', samples: 6 },
        { name: 'on', samples: 6 }
      ],
      progress: [],
      busy: false,
      oncopy: (r: RunInfo) => copied.push(r),
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {}
    };
    const el = show(RunDetail, { ...props, run: runs[0] });
    const start = el.querySelector('[data-testid="run-start"]')!;
    expect(text(start.querySelector('p'))).toBe(
      "Started from the keyword base (2144df1c), its last layer trained on this project's clips."
    );
    expect([...start.querySelectorAll('li')].map(text)).toEqual([
      'other sounds, added automatically (9 clips): 9 one-second clips of other words and speech from keyword-base’s corpus.'
    ]);
    [...el.querySelectorAll('button')]
      .find((b) => text(b) === 'Copy settings to the form')!
      .click();
    expect(copied.map((r) => r.id)).toEqual(['a']);
    // A run that failed before training recorded no layers: none are claimed.
    const failed = show(RunDetail, {
      ...props,
      run: { ...runs[0], status: 'failed', trainedLayers: undefined }
    });
    expect(text(failed.querySelector('[data-testid="run-start"] p'))).toBe(
      'Started from the keyword base (2144df1c).'
    );
    const scratch = show(RunDetail, { ...props, run: runs[2] });
    expect(text(scratch.querySelector('[data-testid="run-start"]'))).toBe(
      'Started from scratch (random values).'
    );
  });

  test('a run’s energy says it is the mean over its training clips, and what Live shows instead', () => {
    const el = show(RunDetail, {
      project: 'p',
      audio: true,
      classes: [],
      progress: [],
      busy: false,
      oncopy() {},
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {},
      run: { ...runs[0], energy: { totalPj: 795_807, floatDensePj: 31_811_921, clips: 450 } }
    });
    expect(text(el.querySelector('[data-testid="energy-per-inference"]'))).toBe(
      'Energy per inference: 796 nJ on the simulated accelerator (31.8 µJ as dense float32), the mean over its 450 training clips. It follows the input (sparser activations cost less): Live shows the window it is judging and the mean since Start.'
    );
    const table = show(RunsTable, { runs, selected: undefined, onselect() {} });
    expect(
      [...table.querySelectorAll('thead button')]
        .find((b) => text(b) === 'Energy')!
        .getAttribute('title')
    ).toMatch(/the mean over the run’s training clips \(Live shows each window’s\)/);
  });

  test('Live’s picker says what the chosen run started from; “other sounds” is no class drift', () => {
    const classes = [
      { name: 'off', samples: 6 },
      { name: 'on', samples: 6 }
    ];
    const el = show(RunPicker, { runs, classes, picked: 'b', onpick() {} });
    expect(text(el.querySelector('[data-testid="live-start"]'))).toBe(
      "Started from the keyword base (2144df1c), its top block and last layer trained on this project's clips."
    );
    expect(
      [...el.querySelectorAll('option')].slice(1).map((o) => text(o).split(' · ').at(-1))
    ).toEqual(['last layer', 'top block', 'scratch', 'scratch']);
    // The model's extra class is the run's own, not one the project lost.
    expect(classDrift(runs[0], classes)).toBeUndefined();
    expect(el.querySelectorAll('.warn')).toHaveLength(0);
    // Nor while the run still cross-validates (its automatic classes not listed yet); only a run
    // from scratch with a class of that name lost it.
    expect(classDrift({ ...runs[0], automaticClasses: undefined }, classes)).toBeUndefined();
    expect(
      classDrift({ ...runs[0], automaticClasses: [], startedFrom: 'scratch' }, classes)
    ).toEqual({
      removed: ['other sounds'],
      added: []
    });
  });

  test('a picture project’s model list counts pictures, not clips, in every option', () => {
    const evaluation = {
      method: 'k-fold' as const,
      folds: 5,
      engine: 'int' as const,
      accuracy: 0.9,
      balancedAccuracy: 0.9,
      clips: 40,
      perClass: [0.9, 0.9],
      classClips: [20, 20],
      confusion: [],
      mistakes: []
    };
    const seen = [run('p1', { evaluation }), run('p2', { evaluation, status: 'cancelled' })];
    const classes = [
      { name: 'cup', samples: 20 },
      { name: 'pen', samples: 20 }
    ];
    const el = show(RunPicker, { runs: seen, classes, picked: 'p2', kind: 'vision', onpick() {} });
    const options = [...el.querySelectorAll('option')].map(text);
    expect(options).toHaveLength(3);
    for (const o of options) {
      expect(o).toContain('of 40 pictures');
      expect(o).not.toMatch(/clip/);
    }
    expect(text(el.querySelector('[data-testid="live-run"]'))).not.toMatch(/clip/);
  });

  test('Live explains a top “other sounds” as never announced', () => {
    const el = show(ProbBars, {
      labels: ['off', 'on', 'other sounds'],
      probabilities: [0.1, 0.1, 0.8],
      top: 2,
      thresholds: [0.75, 0.75, 0.75],
      silent: [false, false, true]
    });
    expect(text(el.querySelector('[data-testid="top-note"]'))).toBe(
      'speech that is none of your words (the automatic class “other sounds”): never announced'
    );
  });
});

describe('Collect: the automatic class', () => {
  const classes = [
    { name: 'background', samples: 3, background: true },
    { name: 'lights', samples: 5 }
  ];

  test('a sound project lists “other sounds” when the base is installed, explained, not recordable', () => {
    const el = show(ClassList, {
      project: project('audio', classes),
      selected: 'lights',
      onselect() {},
      base: BASE
    });
    const row = el.querySelector('[data-testid="other-sounds"]')!;
    expect(text(row)).toBe(
      'other sounds — added automatically when training from the keyword base'
    );
    expect(row.querySelector('button')).toBeNull();
    expect(text(row.nextElementSibling)).toBe(
      "Not a folder and nothing to record: each run draws as many clips as your largest class has from the base's 70 clips of other words and speech, so that speech that is none of your words is not heard as one."
    );
    // The real classes are still the only ones that can be chosen.
    expect(
      [...el.querySelectorAll('button.class')].map((b) => b.getAttribute('data-class'))
    ).toEqual(['background', 'lights']);
  });

  test('not without a base, not for pictures, and not beside the project’s own “other sounds”', () => {
    const none = (p: ProjectInfo, base?: BaseInfo) =>
      show(ClassList, { project: p, selected: undefined, onselect() {}, base }).querySelector(
        '[data-testid="other-sounds"]'
      );
    expect(none(project('audio', classes))).toBeNull();
    expect(none(project('vision', classes), BASE)).toBeNull();
    expect(
      none(project('audio', [...classes, { name: 'Other Sounds', samples: 2 }]), BASE)
    ).toBeNull();
  });
});

describe('the app learns the installed base', () => {
  test('asked once per kind when a project opens; an answer that is not a base counts as none', async () => {
    baseAnswer = BASE;
    await app.open('p-audio');
    expect(app.bases.audio).toEqual(BASE);
    expect(app.base).toEqual(BASE);
    await app.open('p-audio');
    expect(calls.filter((c) => c.method === 'base:info')).toEqual([
      { method: 'base:info', req: { kind: 'audio' } }
    ]);
    baseAnswer = [];
    await app.loadBase('vision');
    expect(app.bases.vision).toBeNull();
  });
});
