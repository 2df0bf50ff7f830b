/**
 * The runs table: its columns, how each sorts, what each cell says (energy and time as people
 * read them).
 */
import type { ClassInfo, RunInfo } from '../../../electron/shared/api';
import { accuracyText, dataDrift, dateText, runAccuracy, startText, trainingSeconds } from './runs';

export type RunColumn =
  | 'date'
  | 'data'
  | 'status'
  | 'start'
  | 'preset'
  | 'weights'
  | 'actBits'
  | 'kwta'
  | 'epochs'
  | 'accuracy'
  | 'bytes'
  | 'energy'
  | 'time';

export const RUN_COLUMNS: { key: RunColumn; label: string; title: string }[] = [
  { key: 'date', label: 'Date', title: 'When the run started' },
  { key: 'status', label: 'Status', title: 'done, running, cancelled or failed' },
  {
    key: 'data',
    label: 'Data',
    title:
      'Whether the run trained on the project’s data as it is now (its classes and sample counts); runs on other data don’t compare fairly'
  },
  {
    key: 'start',
    label: 'Start',
    title: 'What the run started from: a base (and which of its layers trained), or scratch'
  },
  { key: 'preset', label: 'Preset', title: 'The network it trained' },
  { key: 'weights', label: 'Weights', title: 'Weight bits and scheme (lin, exp, k-means)' },
  { key: 'actBits', label: 'Act. bits', title: 'Activation bits' },
  { key: 'kwta', label: 'k-WTA', title: 'Fraction of channels kept per location (1 = off)' },
  { key: 'epochs', label: 'Epochs', title: 'Training epochs' },
  {
    key: 'accuracy',
    label: 'Accuracy',
    title:
      'Balanced accuracy (mean recall per class) on clips the model was not trained on, with how many clips it rests on'
  },
  {
    key: 'bytes',
    label: 'Deployed (bytes)',
    title:
      'Size of what is deployed: the integer-only model Live runs (packed low-precision weights, as quench export --format int writes it). The model file kept for What-if and ONNX export also holds the float weights.'
  },
  {
    key: 'energy',
    label: 'Energy',
    title:
      'Simulated accelerator energy per inference, the mean over the run’s training clips (Live shows each window’s)'
  },
  { key: 'time', label: 'Time', title: 'Training time' }
];

const SCHEME_SHORT = { linear: 'lin', exponential: 'exp', kmeans: 'k-means' } as const;

/**
 * The value a column sorts by (undefined sorts last); `classes`, the project's now, for the
 * Data column (runs on the current data first when descending).
 */
export function sortValue(
  r: RunInfo,
  key: RunColumn,
  classes: ClassInfo[] = []
): number | string | undefined {
  const s = r.settings;
  switch (key) {
    case 'date':
      return r.startedAt;
    case 'data':
      return dataDrift(r, classes) === undefined ? 1 : 0;
    case 'status':
      return r.status;
    case 'start':
      return startText(r);
    case 'preset':
      return s.preset;
    case 'weights':
      return s.weightBits === undefined
        ? undefined
        : s.weightBits * 10 + schemeRank(s.weightScheme);
    case 'actBits':
      return s.actBits;
    case 'kwta':
      return s.kwta;
    case 'epochs':
      return r.quantizedFrom ? undefined : s.epochs;
    case 'accuracy':
      return runAccuracy(r);
    case 'bytes':
      return r.deployedBytes;
    case 'energy':
      return r.energy?.totalPj;
    case 'time':
      return trainingSeconds(r);
  }
}

function schemeRank(s: RunInfo['settings']['weightScheme']): number {
  return s === 'exponential' ? 1 : s === 'kmeans' ? 2 : 0;
}

/** Runs sorted by a column; runs without a value go last in both directions. */
export function sortRuns(
  runs: RunInfo[],
  key: RunColumn,
  ascending: boolean,
  classes: ClassInfo[] = []
): RunInfo[] {
  return runs.slice().sort((a, b) => {
    const x = sortValue(a, key, classes);
    const y = sortValue(b, key, classes);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? c : -c;
  });
}

const nf = new Intl.NumberFormat('en-US');

/** "1.23 µJ", "456 nJ", "78.9 pJ" for picojoules. */
export function energyText(pj: number): string {
  if (pj >= 1e6) return `${(pj / 1e6).toPrecision(3)} µJ`;
  if (pj >= 1e3) return `${(pj / 1e3).toPrecision(3)} nJ`;
  return `${pj.toPrecision(3)} pJ`;
}

/** "45 s", "3 min 12 s". */
export function secondsText(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** What a cell of the runs table says (`classes`: the project's now, for the Data column). */
export function cellText(r: RunInfo, key: RunColumn, classes: ClassInfo[] = []): string {
  const s = r.settings;
  switch (key) {
    case 'data':
      return dataDrift(r, classes) === undefined ? 'as now' : 'other';
    case 'date':
      return dateText(r);
    case 'status':
      if (r.quantizedFrom && r.status === 'done') return 'what if';
      // The model is complete; only the cross-validation estimate was stopped.
      return r.status === 'done' && r.evaluationCancelled ? 'done, not estimated' : r.status;
    case 'start':
      return startText(r);
    case 'preset':
      // A run from a base trains the base's network, whatever the preset.
      return startText(r) !== 'scratch' ? 'the base’s' : (s.preset ?? '—');
    case 'weights':
      return s.weightBits === undefined
        ? '—'
        : s.weightBits === 32
          ? 'float'
          : `${s.weightBits} ${SCHEME_SHORT[s.weightScheme ?? 'linear']}`;
    case 'actBits':
      return s.actBits === undefined ? '—' : s.actBits === 32 ? 'float' : String(s.actBits);
    case 'kwta':
      return s.kwta === undefined ? '—' : s.kwta >= 1 ? 'off' : String(s.kwta);
    case 'epochs':
      return r.quantizedFrom ? '0 (requantized)' : s.epochs === undefined ? '—' : String(s.epochs);
    case 'accuracy': {
      const e = r.evaluation;
      // The balanced accuracy (older runs: the share right) and the clips behind it.
      if (e) return `${(100 * (e.balancedAccuracy ?? e.accuracy)).toFixed(1)} % of ${e.clips}`;
      return accuracyText(r);
    }
    case 'bytes':
      return r.deployedBytes === undefined ? '—' : nf.format(r.deployedBytes);
    case 'energy':
      return r.energy ? energyText(r.energy.totalPj) : '—';
    case 'time': {
      const t = trainingSeconds(r);
      return t === undefined ? '—' : secondsText(t);
    }
  }
}
