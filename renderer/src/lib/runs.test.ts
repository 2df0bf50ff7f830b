/**
 * Which run Live uses and what the views say about runs: the best finished run by default (never
 * a cancelled or failed one), a run that saved its model while still estimating its accuracy,
 * accuracy with the clips it rests on, and class sets that changed since training.
 */
import { describe, expect, test } from 'vitest';
import type { RunInfo } from '../../../electron/shared/api';
import {
  accuracyText,
  classDrift,
  defaultRun,
  driftText,
  runFileName,
  settingsText,
  whatIfText
} from './runs';
import { cellText } from './runs-table';
import { importedText } from './import-text';

function run(id: string, patch: Partial<RunInfo>): RunInfo {
  return {
    id,
    project: 'p',
    status: 'done',
    startedAt: `2026-11-30T10:0${id}:00.000Z`,
    settings: { weightBits: 4, weightScheme: 'kmeans', actBits: 8, kwta: 0.5, epochs: 15 },
    modelBytes: 1000,
    ...patch
  };
}

const evaluation = (accuracy: number, clips: number) => ({
  method: 'k-fold' as const,
  folds: 5,
  engine: 'int' as const,
  accuracy,
  clips,
  perClass: [],
  classClips: [],
  confusion: [],
  mistakes: []
});

describe('the run Live uses by default', () => {
  test('the most accurate finished run, not a newer cancelled or failed one', () => {
    const runs = [
      run('4', { status: 'cancelled', validationAccuracy: 0.99 }),
      run('3', { status: 'failed', error: 'x' }),
      run('2', { evaluation: evaluation(0.9, 24), validationAccuracy: 0.9 }),
      run('1', { evaluation: evaluation(0.8, 24), validationAccuracy: 0.8 })
    ];
    expect(defaultRun(runs)?.id).toBe('2');
  });

  test('equal accuracy: the newest; a run still estimating counts once its model is saved', () => {
    const runs = [
      run('3', { status: 'running', modelBytes: undefined }),
      run('2', { evaluation: evaluation(0.9, 24) }),
      run('1', { evaluation: evaluation(0.9, 24) })
    ];
    expect(defaultRun(runs)?.id).toBe('2');
    expect(defaultRun([run('5', { status: 'running' })])?.id).toBe('5');
    expect(defaultRun([run('5', { status: 'cancelled' })])).toBeUndefined();
  });
});

describe('what runs say', () => {
  test('the headline is the balanced accuracy with its clips; the table sorts and shows it', () => {
    const e = {
      ...evaluation(0.8, 20),
      balancedAccuracy: 0.55,
      basis: { groups: 9, groupedBy: ['file', 'speaker'], blockSplit: [] }
    };
    expect(accuracyText(run('1', { evaluation: e }))).toBe(
      '55.0 % balanced accuracy of 20 clips (5-fold cross-validation; 80.0 % of clips right)'
    );
    expect(cellText(run('1', { evaluation: e }), 'accuracy')).toBe('55.0 % of 20');
    // Ranked by it: a run right on more clips but weaker on a class is not the default.
    const runs = [
      run('2', { evaluation: e }),
      run('1', { evaluation: { ...evaluation(0.7, 20), balancedAccuracy: 0.7 } })
    ];
    expect(defaultRun(runs)?.id).toBe('1');
    const listed = {
      ...e,
      method: 'listed' as const,
      folds: 1,
      basis: { ...e.basis, lists: ['testing_list.txt'] }
    };
    expect(accuracyText(run('1', { evaluation: listed }))).toBe(
      '55.0 % balanced accuracy of 20 clips (the clips testing_list.txt hold out; 80.0 % of clips right)'
    );
  });

  test('accuracy names the clips it rests on and how it was estimated', () => {
    expect(accuracyText(run('1', { evaluation: evaluation(0.875, 24) }))).toBe(
      '87.5 % of 24 clips (5-fold cross-validation)'
    );
    expect(
      accuracyText(run('1', { evaluation: { ...evaluation(1, 1), method: 'holdout', folds: 1 } }))
    ).toBe('100.0 % of 1 clip (held-out clips)');
    expect(accuracyText(run('1', { evaluationCancelled: true }))).toBe('not estimated (cancelled)');
    // A run whose estimate was cancelled has its model, but does not read as plainly done.
    expect(cellText(run('1', { evaluationCancelled: true }), 'status')).toBe('done, not estimated');
    expect(cellText(run('1', {}), 'status')).toBe('done');
    expect(accuracyText(run('1', { status: 'running' }))).toBe('being estimated…');
    // An image project's examples are pictures.
    expect(accuracyText(run('1', { evaluation: evaluation(1, 38) }), 'vision')).toBe(
      '100.0 % of 38 pictures (5-fold cross-validation)'
    );
  });

  test('settings read as a person says them', () => {
    expect(settingsText(run('1', {}))).toBe(
      '4-bit k-means weights · 8-bit activations · k-WTA 0.5 · 15 epochs'
    );
    // One spelling everywhere (the form and the table say "k-means" too); float has no scheme.
    expect(settingsText(run('1', { settings: { weightBits: 32, kwta: 1 } }))).toBe(
      'float weights · no k-WTA'
    );
    expect(
      settingsText(run('1', { settings: { weightBits: 2, weightScheme: 'exponential' } }))
    ).toBe('2-bit exponential weights');
  });

  test('a class deleted or added since training is named', () => {
    const r = run('1', { labels: ['background', 'left', 'right'] });
    const now = [
      { name: 'background', samples: 10 },
      { name: 'left', samples: 8 },
      { name: 'up', samples: 8 }
    ];
    const d = classDrift(r, now)!;
    expect(d).toEqual({ removed: ['right'], added: ['up'] });
    expect(driftText(d)).toBe(
      'Trained on an older class set: right no longer in the project; up not in the model. Train again to match.'
    );
    expect(classDrift(r, [...now.slice(0, 2), { name: 'right', samples: 3 }])).toBeUndefined();
  });

  test('"other sounds" of a run from a base is no drift, before the run has listed it too', () => {
    const now = [
      { name: 'background', samples: 10 },
      { name: 'left', samples: 8 }
    ];
    // Still cross-validating: the model's labels are known, the automatic classes not yet.
    const running = run('1', {
      status: 'running',
      startedFrom: 'base:keyword-base@5bde21f7',
      labels: ['background', 'left', 'other sounds']
    });
    expect(classDrift(running, now)).toBeUndefined();
    // From scratch, a class of that name is the person's own, and its loss is drift.
    const scratch = run('2', {
      startedFrom: 'scratch',
      labels: ['background', 'left', 'other sounds']
    });
    expect(classDrift(scratch, now)).toEqual({ removed: ['other sounds'], added: [] });
  });

  test('a project without recordings (the demo, a fresh import of a model) has no class drift', () => {
    const demo = run('1', { labels: ['background', 'no', 'yes'] });
    expect(classDrift(demo, [])).toBeUndefined();
    expect(classDrift(demo, [{ name: 'maybe', samples: 0 }])).toBeUndefined();
    // One recording is enough to compare against.
    expect(classDrift(demo, [{ name: 'maybe', samples: 1 }])).toEqual({
      removed: ['background', 'no', 'yes'],
      added: ['maybe']
    });
  });
});

describe('what-if runs and downloads are named by date and settings, never by internal id', () => {
  const source = run('1', { id: 'mx31dizh-04d027', startedAt: '2026-11-30T09:01:00' });
  const whatIf = run('2', {
    id: 'mx31fq00-a1b2c3',
    startedAt: '2026-11-30T09:05:00',
    quantizedFrom: source.id,
    settings: { ...source.settings, weightBits: 2, weightScheme: 'exponential' }
  });

  test('a what-if names its source by date and settings, or says it was deleted', () => {
    const text = whatIfText(whatIf, source)!;
    expect(text).not.toContain(source.id);
    expect(text).toMatch(
      /^“What if”: the model of the run of Nov 30, 09:01 (AM )?\(4-bit k-means weights · 8-bit activations · k-WTA 0\.5 · 15 epochs\) with its weights rounded to 2-bit exponential, no retraining/
    );
    expect(whatIfText(whatIf, undefined)).toMatch(/the model of a run since deleted/);
    expect(whatIfText(source, undefined)).toBeUndefined();
  });

  test('a what-if without an estimate says why instead of "—"', () => {
    const bare = { ...whatIf, evaluationNote: 'the run it comes from kept no fold models' };
    expect(accuracyText(bare)).toBe('not estimated: the run it comes from kept no fold models');
  });

  test('file names: project, local start time, weights; what-ifs marked; unsafe characters replaced', () => {
    expect(runFileName('Home words', source, '', 'qnm')).toBe(
      'Home words 2026-11-30 09.01 4-bit k-means.qnm'
    );
    expect(runFileName('Home words', whatIf, ' audio in', 'onnx')).toBe(
      'Home words 2026-11-30 09.05 2-bit exponential what if audio in.onnx'
    );
    expect(runFileName('a/b: c?', run('3', { settings: { weightBits: 32 } }), '', 'qnm')).toMatch(
      /^a_b_ c_ \d{4}-\d\d-\d\d \d\d\.\d\d float\.qnm$/
    );
  });
});

describe('an imported project file', () => {
  const p = (name: string) => ({
    id: 'x',
    name,
    kind: 'audio' as const,
    createdAt: '',
    classes: [
      { name: 'yes', samples: 13 },
      { name: 'no', samples: 1 }
    ]
  });

  test('says what came in, and why a copy of an existing name is numbered', () => {
    expect(importedText(p('Keys only (2)'), 'keys.quench', 1, ['Keys only'])).toBe(
      'Imported “Keys only (2)” from keys.quench: 2 classes, 14 samples, 1 run. A project called “Keys only” was here already, so the copy is “Keys only (2)”.'
    );
    expect(importedText(p('Trip'), 'trip.quench', 0, ['Keys only'])).toBe(
      'Imported “Trip” from trip.quench: 2 classes, 14 samples, 0 runs.'
    );
  });
});
