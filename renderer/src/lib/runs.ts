/**
 * What the views say about runs: which one Live uses by default, how a run's settings and
 * accuracy read, and whether the project's classes have changed since the run was trained.
 * Plain functions over the API's RunInfo, so they are tested without a DOM.
 */
import type { ClassInfo, ProjectKind, RunInfo } from '../../../electron/shared/api';
import { isOtherSoundsClass } from '../../../core/data/base';
import { headlineText } from '../../../core/data/estimate-text';

/** Whether a run has a model file Live can load (a run may save it before it finishes). */
export function hasModel(r: RunInfo): boolean {
  return r.modelBytes !== undefined && r.modelBytes > 0;
}

/**
 * The run Live uses unless the person picks another: the finished ('done') run with a model and
 * the highest estimated accuracy ({@link runAccuracy}: class-balanced), the newest among equals;
 * a run still estimating its accuracy counts once its model is saved. Cancelled and failed runs
 * are never the default.
 */
export function defaultRun(runs: RunInfo[]): RunInfo | undefined {
  const usable = runs.filter((r) => hasModel(r) && (r.status === 'done' || r.status === 'running'));
  const score = (r: RunInfo) => runAccuracy(r) ?? -1;
  return usable
    .slice()
    .sort((a, b) => score(b) - score(a) || b.startedAt.localeCompare(a.startedAt))[0];
}

/** How the form names each weight scheme (one spelling everywhere: "k-means"). */
export const SCHEME_NAME = {
  linear: 'linear',
  exponential: 'exponential',
  kmeans: 'k-means'
} as const;

/** "4-bit k-means weights · 8-bit activations · k-WTA 0.5 · 15 epochs" (defaults filled in). */
export function settingsText(r: RunInfo): string {
  const s = r.settings;
  if (Object.keys(s).length === 0) return 'bundled model';
  const bits = (b: number | undefined, what: string, scheme = '') =>
    b === undefined ? undefined : b === 32 ? `float ${what}` : `${b}-bit ${scheme}${what}`;
  const parts = [
    s.preset,
    bits(s.weightBits, 'weights', `${SCHEME_NAME[s.weightScheme ?? 'linear']} `),
    bits(s.actBits, 'activations'),
    s.kwta === undefined ? undefined : s.kwta >= 1 ? 'no k-WTA' : `k-WTA ${s.kwta}`,
    s.epochs === undefined ? undefined : `${s.epochs} epochs`,
    s.probabilistic ? 'probabilistic rounding' : undefined,
    s.iterativeRounds ? `${s.iterativeRounds} k-means rounds` : undefined
  ];
  return parts.filter(Boolean).join(' · ');
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/**
 * "71.3 % balanced accuracy of 24 clips (5-fold cross-validation; 75.0 % of clips right)" ("… of
 * 38 pictures …" in an image project; core/data/estimate-text.ts, as the CLI says it), or why
 * there is no figure.
 */
export function accuracyText(r: RunInfo, kind: ProjectKind = 'audio'): string {
  const e = r.evaluation;
  if (e) return headlineText(e, kind === 'vision' ? 'picture' : 'clip');
  if (r.evaluationCancelled) return 'not estimated (cancelled)';
  if (r.evaluationNote) return `not estimated: ${r.evaluationNote}`;
  if (r.status === 'running') return hasModel(r) ? 'being estimated…' : 'training…';
  if (r.validationAccuracy !== undefined) return `${pct(r.validationAccuracy)} (validation)`;
  return '—';
}

/** "4-bit k-means", "float": a run's weights as a person says them. */
function weightsText(s: RunInfo['settings']): string {
  if (s.weightBits === undefined) return '';
  return s.weightBits === 32
    ? 'float'
    : `${s.weightBits}-bit ${SCHEME_NAME[s.weightScheme ?? 'linear']}`;
}

/** When a run started, short: "Nov 30, 09:41". */
export function dateText(r: RunInfo): string {
  return new Date(r.startedAt).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/**
 * What a "what if" run is, naming the run it comes from as the table shows runs (date and
 * settings), never by its internal id; undefined for a trained run.
 */
export function whatIfText(r: RunInfo, source: RunInfo | undefined): string | undefined {
  if (!r.quantizedFrom) return undefined;
  const from = source
    ? `the run of ${dateText(source)} (${settingsText(source)})`
    : 'a run since deleted';
  return `“What if”: the model of ${from} with its weights rounded to ${weightsText(r.settings)}, no retraining; judged on the same clips.`;
}

/**
 * A download's file name without internal ids: project, the run's start (local time) and its
 * weights, e.g. "Home words 2026-11-30 09.01 4-bit k-means.onnx". Characters file systems
 * refuse become "_".
 */
export function runFileName(project: string, r: RunInfo, suffix: string, ext: string): string {
  const d = new Date(r.startedAt);
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}.${two(d.getMinutes())}`;
  const name = [project, stamp, weightsText(r.settings), r.quantizedFrom ? 'what if' : '']
    .filter(Boolean)
    .join(' ');
  // eslint-disable-next-line no-control-regex
  return `${name}${suffix}.${ext}`.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
}

/** A short name for a run in lists: date, status, accuracy. */
export function runTitle(r: RunInfo, kind: ProjectKind = 'audio'): string {
  const when = new Date(r.startedAt).toLocaleString();
  const status = r.status === 'done' ? '' : ` · ${r.status}`;
  return `${when}${status} · ${accuracyText(r, kind)}`;
}

/**
 * How the project's classes differ from the ones a run was trained on (undefined when they
 * match): names the run knows that the project no longer has, and new ones it doesn't know.
 * A project holding no recordings at all (the demo: a bundled model without its clips) has
 * nothing to compare with, and retraining it is not possible: no drift.
 */
export function classDrift(
  r: RunInfo,
  classes: ClassInfo[]
): { removed: string[]; added: string[] } | undefined {
  if (!r.labels) return undefined;
  const now = classes.filter((c) => c.samples > 0).map((c) => c.name);
  if (now.length === 0) return undefined;
  // A class the run added itself ("other sounds" from a base) is not one the project lost; a run
  // still cross-validating has its labels but not yet the list of what it added.
  const automatic = new Set((r.automaticClasses ?? []).map((c) => c.name));
  const fromBase = r.startedFrom?.startsWith('base:') ?? false;
  const removed = r.labels.filter(
    (l) => !now.includes(l) && !automatic.has(l) && !(fromBase && isOtherSoundsClass(l))
  );
  const added = now.filter((c) => !r.labels!.includes(c));
  return removed.length || added.length ? { removed, added } : undefined;
}

/** One sentence for {@link classDrift}. */
export function driftText(d: { removed: string[]; added: string[] }): string {
  const parts = [];
  if (d.removed.length) parts.push(`${d.removed.join(', ')} no longer in the project`);
  if (d.added.length) parts.push(`${d.added.join(', ')} not in the model`);
  return `Trained on an older class set: ${parts.join('; ')}. Train again to match.`;
}

/**
 * How the data a run trained on differs from the project's now, in words ("trained on 54
 * samples of lights, music, stop; the project now has 67 samples of …"), or undefined when it is
 * the same (or can't be told: a run from before the counts were kept with the same classes, or
 * a project without recordings such as the demo). Runs on other data don't compare fairly.
 */
export function dataDrift(r: RunInfo, classes: ClassInfo[]): string | undefined {
  const now = classes.filter((c) => c.samples > 0);
  if (now.length === 0) return undefined;
  const describe = (cs: { name: string; samples: number }[]) =>
    `${cs.reduce((a, c) => a + c.samples, 0)} samples of ${cs
      .map((c) => c.name)
      .sort()
      .join(', ')}`;
  const then = Array.isArray(r.trainedOn) ? r.trainedOn : undefined;
  if (then) {
    const key = (cs: { name: string; samples: number }[]) =>
      cs
        .map((c) => `${c.name}\u0000${c.samples}`)
        .sort()
        .join('\u0001');
    if (key(then) === key(now)) return undefined;
    return `trained on ${describe(then)}; the project now has ${describe(now)}`;
  }
  const d = classDrift(r, classes);
  return d ? `trained on the classes ${r.labels!.join(', ')}` : undefined;
}

// ---- Where a run started: a base or scratch ----

/** How the form and the runs name which layers of a base train (core/train/fine-tune.ts). */
export const TRAIN_LAYERS_NAME = {
  head: 'last layer',
  top: 'top block',
  all: 'every layer'
} as const;

/** A base's name as a person reads it: "keyword-base" → "keyword base". */
export function baseLabel(name: string): string {
  return name.replace(/[-_]+/g, ' ').trim();
}

/**
 * What a run started from, short: "keyword base · last layer" or "scratch" (runs from before
 * bases, and what-if runs of them, started from scratch). `startedFrom` reads
 * `base:<name>@<hash>` (core/data/base.ts startedFromLabel).
 */
export function startText(r: RunInfo): string {
  const m = /^base:(.+)@[0-9a-f]{8}$/.exec(r.startedFrom ?? '');
  if (!m) return 'scratch';
  const layers = TRAIN_LAYERS_NAME[r.trainedLayers as keyof typeof TRAIN_LAYERS_NAME];
  return layers ? `${baseLabel(m[1])} · ${layers}` : baseLabel(m[1]);
}

/**
 * One sentence on a run's start for its detail and Live: "Started from the keyword base
 * (2144df1c), its last layer trained on this project's clips." or "Started from scratch
 * (random values)."
 */
export function startSentence(r: RunInfo): string {
  const m = /^base:(.+)@([0-9a-f]{8})$/.exec(r.startedFrom ?? '');
  if (!m) return 'Started from scratch (random values).';
  // A run that failed before it started training records no layers: then none are claimed.
  const what =
    r.trainedLayers === 'head'
      ? 'its last layer trained'
      : r.trainedLayers === 'top'
        ? 'its top block and last layer trained'
        : r.trainedLayers === 'all'
          ? 'every layer trained'
          : undefined;
  return what
    ? `Started from the ${baseLabel(m[1])} (${m[2]}), ${what} on this project's clips.`
    : `Started from the ${baseLabel(m[1])} (${m[2]}).`;
}

// ---- The runs table and the accuracy-vs-energy chart ----

/**
 * The accuracy a run is compared by: the class-balanced estimate on clips it was not trained on
 * (the share of clips right for runs from before it).
 */
export function runAccuracy(r: RunInfo): number | undefined {
  return r.evaluation?.balancedAccuracy ?? r.evaluation?.accuracy ?? r.validationAccuracy;
}

/** Seconds from start to finish (undefined while running). */
export function trainingSeconds(r: RunInfo): number | undefined {
  if (!r.finishedAt) return undefined;
  return Math.max(0, (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000);
}

export interface ChartPoint {
  id: string;
  /** Picojoules per inference. */
  energy: number;
  accuracy: number;
  /** How the run's data differs from the project's now ({@link dataDrift}); absent: the same. */
  otherData?: string;
}

/** Runs that have both an accuracy and an energy, as points (`classes`: the project's now). */
export function chartPoints(runs: RunInfo[], classes: ClassInfo[] = []): ChartPoint[] {
  return runs.flatMap((r) => {
    const accuracy = runAccuracy(r);
    if (accuracy === undefined || !r.energy) return [];
    const otherData = dataDrift(r, classes);
    return [{ id: r.id, energy: r.energy.totalPj, accuracy, ...(otherData ? { otherData } : {}) }];
  });
}

/**
 * The Pareto front of (low energy, high accuracy): points no other point beats on both (at
 * least as accurate for no more energy, and better on one). Sorted by energy.
 */
export function paretoFront(points: ChartPoint[]): ChartPoint[] {
  const sorted = points.slice().sort((a, b) => a.energy - b.energy || b.accuracy - a.accuracy);
  const front: ChartPoint[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) {
      front.push(p);
      best = p.accuracy;
    }
  }
  return front;
}

/** The evaluated clips behind a confusion cell: true class `row`, predicted `col`. */
export function clipsInCell(r: RunInfo, row: number, col: number) {
  return (r.evaluation?.predictions ?? []).filter((p) => p.label === row && p.predicted === col);
}

/** The settings worth copying into the form (a what-if run's are its source's plus its bits). */
export function settingsToCopy(r: RunInfo): RunInfo['settings'] {
  return { ...r.settings };
}

/**
 * A sample named by an evaluation's "class/file" path (files are stored flat in their class
 * folder; names %-encode what file systems forbid), shown as the Collect view shows it.
 */
export function sampleAt(path: string): import('../../../electron/shared/api').SampleInfo {
  const parts = path.split('/');
  const className = parts.length > 1 ? parts.at(-2)! : '';
  const file = parts.at(-1)!;
  const decoded = file.replace(/%([0-9A-F]{2})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16))
  );
  const m = /^(.*) (\d+)\.wav$/.exec(decoded);
  const name = m && m[1] === className ? `${m[1]} ${m[2]}` : decoded;
  return { className, file, bytes: 0, name };
}
