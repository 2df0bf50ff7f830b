/**
 * The Train view's comparison pieces in a DOM: the runs table sorts by each column, the
 * accuracy-vs-energy chart marks the Pareto front, the confusion matrix's cells open the clips
 * behind them, and the in-page dialogs answer confirm and prompt (Escape cancels).
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunInfo } from '../../../electron/shared/api';
import { chartPoints, dataDrift, paretoFront, sampleAt } from '../lib/runs';
import { cellText, sortRuns } from '../lib/runs-table';
import { presetsFor } from '../lib/presets';
import { matchDevice } from '../lib/devices';
import { dialogs } from '../state/dialogs.svelte';
import DialogHost from './DialogHost.svelte';
import ParetoChart from './ParetoChart.svelte';
import RunsTable from './RunsTable.svelte';
import Confusion from './Confusion.svelte';

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

function run(id: string, over: Partial<RunInfo>): RunInfo {
  return {
    id,
    project: 'p',
    status: 'done',
    startedAt: '2025-01-01T10:00:00Z',
    finishedAt: '2025-01-01T10:01:30Z',
    settings: {
      preset: 'audio-small',
      weightBits: 4,
      weightScheme: 'linear',
      actBits: 8,
      kwta: 0.5,
      epochs: 15
    },
    ...over
  };
}

const ev = (accuracy: number, clips: number) => ({
  method: 'k-fold' as const,
  folds: 5,
  engine: 'int' as const,
  accuracy,
  clips,
  perClass: [accuracy, accuracy],
  classClips: [clips / 2, clips / 2],
  confusion: [
    [clips / 2, 0],
    [0, clips / 2]
  ],
  mistakes: []
});

// a: cheap and bad; b: dear and good; c: dominated by b (dearer, worse); d: cheapest, worst.
const runs = [
  run('a', {
    startedAt: '2025-01-02T10:00:00Z',
    evaluation: ev(0.7, 20),
    energy: { totalPj: 2e5, floatDensePj: 1e7, clips: 20 },
    modelBytes: 90000,
    deployedBytes: 9000
  }),
  run('b', {
    startedAt: '2025-01-03T10:00:00Z',
    evaluation: ev(0.9, 20),
    energy: { totalPj: 8e5, floatDensePj: 1e7, clips: 20 },
    modelBytes: 130000,
    deployedBytes: 30000,
    settings: { weightBits: 8, weightScheme: 'kmeans', epochs: 20 }
  }),
  run('c', {
    startedAt: '2025-01-04T10:00:00Z',
    evaluation: ev(0.85, 20),
    energy: { totalPj: 9e5, floatDensePj: 1e7, clips: 20 },
    modelBytes: 131000,
    deployedBytes: 31000
  }),
  run('d', {
    startedAt: '2025-01-05T10:00:00Z',
    evaluation: ev(0.5, 20),
    energy: { totalPj: 1e5, floatDensePj: 1e7, clips: 20 },
    modelBytes: 105000,
    deployedBytes: 5000,
    quantizedFrom: 'b',
    settings: { weightBits: 2, weightScheme: 'exponential', epochs: 20 }
  }),
  run('e', { startedAt: '2025-01-06T10:00:00Z', status: 'running', finishedAt: undefined })
];

describe('runs: what the table and chart compute', () => {
  test('the Pareto front of (less energy, more accuracy) is d, a, b — not c', () => {
    expect(paretoFront(chartPoints(runs)).map((p) => p.id)).toEqual(['d', 'a', 'b']);
  });

  test('sorting by accuracy, size, energy; runs without a value go last both ways', () => {
    expect(sortRuns(runs, 'accuracy', false).map((r) => r.id)).toEqual(['b', 'c', 'a', 'd', 'e']);
    expect(sortRuns(runs, 'accuracy', true).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b', 'e']);
    expect(sortRuns(runs, 'bytes', true).map((r) => r.id)).toEqual(['d', 'a', 'b', 'c', 'e']);
    expect(sortRuns(runs, 'energy', true).map((r) => r.id)[0]).toBe('d');
  });

  test('cells: weights, accuracy with its clips, bytes, energy, time, what-if epochs', () => {
    expect(cellText(runs[1], 'weights')).toBe('8 k-means');
    expect(cellText(runs[0], 'accuracy')).toBe('70.0 % of 20');
    // What is deployed (the integer-only model), not the whole file with its float weights.
    expect(cellText(runs[1], 'bytes')).toBe('30,000');
    expect(cellText(run('old', { modelBytes: 120000 }), 'bytes')).toBe('—');
    expect(cellText(runs[0], 'energy')).toBe('200 nJ');
    expect(cellText(run('t', {}), 'time')).toBe('1 min 30 s');
    expect(cellText(runs[4], 'time')).toBe('—');
    expect(cellText(runs[3], 'epochs')).toBe('0 (requantized)');
    expect(cellText(runs[3], 'status')).toBe('what if');
  });

  test('presets of the project kind only; a remembered device found by label when its id changed', () => {
    expect(presetsFor('audio').map((p) => p.name)).toEqual(['audio-small']);
    expect(
      presetsFor('vision')
        .map((p) => p.name)
        .sort()
    ).toEqual(['digits', 'vision-small']);
    const devices = [
      { deviceId: 'x1', label: 'Built-in' },
      { deviceId: 'x2', label: 'USB mic' }
    ];
    expect(matchDevice(devices, { id: 'old', label: 'USB mic' })).toBe('x2');
    expect(matchDevice(devices, { id: 'x1', label: 'renamed' })).toBe('x1');
    expect(matchDevice(devices, { id: 'gone', label: 'gone' })).toBeUndefined();
  });

  test('a clip path names its class and shows a recording as "left 7"', () => {
    expect(sampleAt('left/left 7.wav')).toMatchObject({ className: 'left', name: 'left 7' });
    expect(sampleAt('yes/memo%3A day 1.m4a').name).toBe('memo: day 1.m4a');
  });
});

describe('RunsTable', () => {
  test('a click on a heading sorts by it, a second click reverses; a row selects its run', () => {
    const picked: string[] = [];
    const el = show(RunsTable, {
      runs,
      selected: undefined,
      onselect: (id: string) => picked.push(id)
    });
    const order = () =>
      [...el.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-run'));
    expect(order()).toEqual(['e', 'd', 'c', 'b', 'a']); // newest first
    const heading = (label: string) =>
      [...el.querySelectorAll('thead button')].find((b) =>
        b.textContent!.startsWith(label)
      ) as HTMLButtonElement;
    heading('Accuracy').click();
    flushSync();
    expect(order()).toEqual(['b', 'c', 'a', 'd', 'e']);
    expect(heading('Accuracy').closest('th')!.getAttribute('aria-sort')).toBe('descending');
    heading('Accuracy').click();
    flushSync();
    expect(order()).toEqual(['d', 'a', 'c', 'b', 'e']);
    expect(el.querySelectorAll('thead th')).toHaveLength(13); // with Start (base or scratch)
    const size = heading('Deployed (bytes)');
    expect(size.title).toMatch(/integer-only model .*quench export --format int/);
    (el.querySelector('tbody tr[data-run="c"] .pick') as HTMLButtonElement).click();
    expect(picked).toEqual(['c']);
  });
});

describe('ParetoChart', () => {
  test('one point per run with both figures, the front marked and joined by a line', () => {
    const el = show(ParetoChart, { runs, selected: 'b', onselect: () => {} });
    expect(el.querySelectorAll('.point')).toHaveLength(4);
    const front = [...el.querySelectorAll('.point[data-front]')].map((g) =>
      g.getAttribute('data-run')
    );
    expect(front.sort()).toEqual(['a', 'b', 'd']);
    expect(el.querySelector('polyline.front')!.getAttribute('points')!.split(' ')).toHaveLength(3);
  });
});

describe('runs trained on other data than the project holds now (review #14)', () => {
  const now = [
    { name: 'lights', samples: 20 },
    { name: 'music', samples: 24 },
    { name: 'stop', samples: 23 }
  ];
  const same = now.map((c) => ({ ...c }));
  const older = [
    { name: 'lights', samples: 16 },
    { name: 'music', samples: 20 },
    { name: 'stop', samples: 18 }
  ];
  const mixed = [
    run('x', {
      startedAt: '2025-01-02T10:00:00Z',
      evaluation: ev(0.9, 54),
      energy: { totalPj: 2e5, floatDensePj: 1e7, clips: 54 },
      trainedOn: older
    }),
    run('y', {
      startedAt: '2025-01-03T10:00:00Z',
      evaluation: ev(0.8, 67),
      energy: { totalPj: 3e5, floatDensePj: 1e7, clips: 67 },
      trainedOn: same
    })
  ];

  test('named in words; the demo (no recordings) and an unchanged project compare as they are', () => {
    expect(dataDrift(mixed[0], now)).toBe(
      'trained on 54 samples of lights, music, stop; the project now has 67 samples of lights, music, stop'
    );
    expect(dataDrift(mixed[1], now)).toBeUndefined();
    expect(dataDrift(mixed[0], [])).toBeUndefined();
    // Older runs without counts: told apart by their classes only.
    expect(dataDrift(run('o', { labels: ['lights', 'halt'] }), now)).toBe(
      'trained on the classes lights, halt'
    );
    expect(cellText(mixed[0], 'data', now)).toBe('other');
    expect(cellText(mixed[1], 'data', now)).toBe('as now');
  });

  test('the chart draws them hollow, says why, and can leave them out with the front among the rest', () => {
    const el = show(ParetoChart, { runs: mixed, classes: now, selected: 'y', onselect: () => {} });
    const other = el.querySelector('.point[data-other]')!;
    expect(other.getAttribute('data-run')).toBe('x');
    expect(other.getAttribute('aria-label')).toMatch(/trained on 54 samples/);
    // x is cheaper and more accurate: the front is x alone until x is left out.
    expect(
      [...el.querySelectorAll('.point[data-front]')].map((g) => g.getAttribute('data-run'))
    ).toEqual(['x']);
    const box = el.querySelector('input[type="checkbox"]') as HTMLInputElement;
    expect(box.closest('label')!.textContent).toMatch(/1 run trained on other data/);
    box.click();
    flushSync();
    expect([...el.querySelectorAll('.point')].map((g) => g.getAttribute('data-run'))).toEqual([
      'y'
    ]);
    expect(el.querySelector('.point[data-front]')!.getAttribute('data-run')).toBe('y');
  });

  test('the table has a Data column saying which runs trained on other data', () => {
    const el = show(RunsTable, {
      runs: mixed,
      classes: now,
      selected: undefined,
      onselect: () => {}
    });
    const cell = (id: string) => el.querySelector(`tr[data-run="${id}"] td.data`) as HTMLElement;
    expect(cell('x').textContent).toBe('other');
    expect(cell('x').title).toMatch(/^trained on 54 samples/);
    expect(cell('y').textContent).toBe('as now');
  });

  test('a result says what its estimate rests on, and when all clips come from one session', async () => {
    const { default: RunDetail } = await import('./RunDetail.svelte');
    const basis = {
      groups: 7,
      groupedBy: ['file', 'speaker'],
      blockSplit: ['background'],
      oneSession: 'all 20 clips were saved within 4 minutes'
    };
    const el = show(RunDetail, {
      project: 'p',
      audio: true,
      classes: now,
      progress: [],
      busy: false,
      oncopy() {},
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {},
      run: run('s', { evaluation: { ...ev(0.9, 20), balancedAccuracy: 0.85, basis } })
    });
    expect(el.querySelector('[data-testid="accuracy"]')!.textContent).toContain(
      '85.0 % balanced accuracy of 20 clips (5-fold cross-validation; 90.0 % of clips right)'
    );
    const lines = [...el.querySelectorAll('[data-testid="estimate-basis"]')].map(
      (p) => p.textContent
    );
    expect(lines[0]).toContain(
      'clips of one source file, one speaker stayed in one fold (7 independent groups)'
    );
    expect(lines[1]).toContain('“background” has fewer independent recordings than folds');
    expect(el.querySelector('[data-testid="one-session"]')!.textContent).toBe(
      "All clips come from one session (all 20 clips were saved within 4 minutes): this estimate can't tell how it does on another day, room or voice — try Test on a recording (in Live)."
    );
  });

  test('a picture result says the folds kept bursts together and, from few scenes, asks for pictures taken elsewhere', async () => {
    const { default: RunDetail } = await import('./RunDetail.svelte');
    const basis = {
      groups: 12,
      groupedBy: ['burst', 'near-copy'],
      blockSplit: ['nothing in view'],
      oneSession: 'the 36 pictures are one burst or set of near copies per class'
    };
    const el = show(RunDetail, {
      project: 'p',
      audio: false,
      classes: now,
      progress: [],
      busy: false,
      oncopy() {},
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {},
      run: run('b', { evaluation: { ...ev(0.5, 36), balancedAccuracy: 0.5, basis } })
    });
    const lines = [...el.querySelectorAll('[data-testid="estimate-basis"]')].map(
      (p) => p.textContent
    );
    expect(lines[0]).toContain(
      'pictures of one camera burst, one set of near copies stayed in one fold (12 independent groups)'
    );
    expect(lines[1]).toBe(
      '“nothing in view” has fewer independent bursts or scenes than folds, so its pictures were split into runs of frames: its recall is judged on frames of the same bursts and scenes the model trained on.'
    );
    expect(el.querySelector('[data-testid="one-session"]')!.textContent).toBe(
      "The pictures show few scenes (the 36 pictures are one burst or set of near copies per class): this estimate can't tell how the model does on other backgrounds, places or light — add pictures taken elsewhere, or point the camera at your objects somewhere else in Live."
    );
  });

  test('the epoch chart names what the check accuracy is measured on', async () => {
    const { default: RunDetail } = await import('./RunDetail.svelte');
    const history = [1, 2].map((epoch) => ({
      epoch,
      loss: 1 / epoch,
      accuracy: 0.5,
      validationAccuracy: 0.6
    }));
    const props = {
      project: 'p',
      audio: true,
      classes: now,
      progress: [],
      busy: false,
      oncopy() {},
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {}
    };
    const kfold = show(RunDetail, {
      ...props,
      run: run('k', { history, evaluation: ev(0.9, 20) })
    });
    expect(kfold.querySelector('figcaption')!.textContent).toMatch(
      /accuracy on its own training clips/
    );
    expect(kfold.querySelector('[data-testid="check-note"]')!.textContent).toMatch(
      /no clips are held out/
    );
    const held = show(RunDetail, {
      ...props,
      run: run('h', { history, evaluation: { ...ev(0.9, 20), method: 'holdout', folds: 1 } })
    });
    expect(held.querySelector('figcaption')!.textContent).toMatch(/accuracy on held-out clips/);
    expect(held.querySelector('[data-testid="late-note"]')).toBeNull();
    // A what-if run trained nothing: no curves of its source's training (newcomer review 10).
    const whatIf = show(RunDetail, {
      ...props,
      run: run('w', { history, quantizedFrom: 'k', evaluation: ev(0.9, 20) })
    });
    expect(whatIf.querySelector('figcaption')).toBeNull();
  });

  test('a page opened mid-run numbers the epochs it saw from where they are (newcomer review 3)', async () => {
    const { default: RunDetail } = await import('./RunDetail.svelte');
    const progress = [13, 14, 15].map((epoch) => ({
      project: 'p',
      run: 'r',
      phase: 'validate',
      epoch,
      epochs: 20,
      batch: 3,
      batches: 3,
      loss: 0.2,
      accuracy: 0.9,
      samplesPerSecond: 100,
      etaSeconds: 5,
      validationAccuracy: 0.95,
      check: 'own' as const
    }));
    const el = show(RunDetail, {
      project: 'p',
      audio: true,
      classes: now,
      progress,
      busy: true,
      oncopy() {},
      onrequantize() {},
      ondownload() {},
      ondelete() {},
      onchange() {},
      run: run('r', { status: 'running' })
    });
    const ticks = [...el.querySelectorAll('text.tick')].map((t) => t.textContent);
    expect(ticks).toEqual(['13', '14', '15']);
    expect(el.querySelector('[data-testid="late-note"]')!.textContent).toMatch(/From epoch 13/);
  });
});

describe('Confusion', () => {
  test('non-empty cells are buttons that open their clips', () => {
    const opened: number[][] = [];
    const el = show(Confusion, {
      labels: ['no', 'yes'],
      confusion: [
        [3, 1],
        [0, 4]
      ],
      perClass: [0.75, 1],
      oncell: (i: number, j: number) => opened.push([i, j])
    });
    const cells = [...el.querySelectorAll('button.cell')] as HTMLButtonElement[];
    expect(cells.map((b) => b.getAttribute('aria-label'))).toEqual([
      '3 clips of no predicted no',
      '1 clip of no predicted yes',
      '4 clips of yes predicted yes'
    ]);
    cells[1].click();
    expect(opened).toEqual([[0, 1]]);
  });
});

describe('in-page dialogs', () => {
  test('confirm resolves true on its button, false on Cancel; prompt gives the text typed', async () => {
    const el = show(DialogHost, {});
    const yes = dialogs.ask({
      title: 'Delete the class “yes”?',
      confirm: 'Delete class',
      danger: true
    });
    flushSync();
    expect(el.querySelector('h2')!.textContent).toBe('Delete the class “yes”?');
    (el.querySelector('button[data-confirm]') as HTMLButtonElement).click();
    expect(await yes).toBe(true);
    const no = dialogs.ask({ title: 'Sure?', confirm: 'OK' });
    flushSync();
    (
      [...el.querySelectorAll('button')].find(
        (b) => b.textContent === 'Cancel'
      ) as HTMLButtonElement
    ).click();
    expect(await no).toBe(false);
    const name = dialogs.askText({
      title: 'Rename',
      label: 'New name',
      value: 'yes',
      confirm: 'Rename'
    });
    flushSync();
    const input = el.querySelector('input') as HTMLInputElement;
    expect(input.value).toBe('yes');
    input.value = 'yeah';
    input.dispatchEvent(new Event('input'));
    flushSync();
    (el.querySelector('form') as HTMLFormElement).requestSubmit();
    expect(await name).toBe('yeah');
    expect(dialogs.current).toBeUndefined();
  });
});

describe('RefusedFiles', () => {
  test('40 refused files: five by name and "and 35 more" until asked', async () => {
    const { default: RefusedFiles } = await import('./RefusedFiles.svelte');
    const refused = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.wav`, reason: 'empty' }));
    const el = show(RefusedFiles, { refused, ondismiss: () => {} });
    expect(el.querySelectorAll('.refused li')).toHaveLength(5);
    expect(el.querySelector('.more')!.textContent).toMatch(/and 35 more/);
    (el.querySelector('.more button') as HTMLButtonElement).click();
    flushSync();
    expect(el.querySelectorAll('.refused li')).toHaveLength(40);
  });
});
