/**
 * What the views say about runs: which one Live uses by default, how a run's settings and
 * accuracy read, and whether the project's classes have changed since the run was trained.
 * Plain functions over the API's RunInfo, so they are tested without a DOM.
 */
import type { ClassInfo, RunInfo } from '../../../electron/shared/api';

/** Whether a run has a model file Live can load (a run may save it before it finishes). */
export function hasModel(r: RunInfo): boolean {
  return r.modelBytes !== undefined && r.modelBytes > 0;
}

/**
 * The run Live uses unless the person picks another: the finished ('done') run with a model and
 * the highest estimated accuracy, the newest among equals; a run still estimating its accuracy
 * counts once its model is saved. Cancelled and failed runs are never the default.
 */
export function defaultRun(runs: RunInfo[]): RunInfo | undefined {
  const usable = runs.filter((r) => hasModel(r) && (r.status === 'done' || r.status === 'running'));
  const score = (r: RunInfo) => r.evaluation?.accuracy ?? r.validationAccuracy ?? -1;
  return usable
    .slice()
    .sort((a, b) => score(b) - score(a) || b.startedAt.localeCompare(a.startedAt))[0];
}

/** "4-bit k-means weights · 8-bit activations · k-WTA 0.5 · 15 epochs" (defaults filled in). */
export function settingsText(r: RunInfo): string {
  const s = r.settings;
  if (Object.keys(s).length === 0) return 'bundled model';
  const bits = (b: number | undefined, what: string) =>
    b === undefined ? undefined : b === 32 ? `float ${what}` : `${b}-bit ${what}`;
  const parts = [
    s.preset,
    bits(s.weightBits, `${s.weightScheme ?? 'linear'} weights`),
    bits(s.actBits, 'activations'),
    s.kwta === undefined ? undefined : s.kwta >= 1 ? 'no k-WTA' : `k-WTA ${s.kwta}`,
    s.epochs === undefined ? undefined : `${s.epochs} epochs`,
    s.probabilistic ? 'probabilistic rounding' : undefined,
    s.iterativeRounds ? `${s.iterativeRounds} k-means rounds` : undefined
  ];
  return parts.filter(Boolean).join(' · ');
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/** "87.5 % of 24 clips (5-fold cross-validation)", or why there is no figure. */
export function accuracyText(r: RunInfo): string {
  const e = r.evaluation;
  if (e) {
    const how = e.method === 'k-fold' ? `${e.folds}-fold cross-validation` : 'held-out clips';
    return `${pct(e.accuracy)} of ${e.clips} clip${e.clips === 1 ? '' : 's'} (${how})`;
  }
  if (r.evaluationCancelled) return 'not estimated (cancelled)';
  if (r.status === 'running') return hasModel(r) ? 'being estimated…' : 'training…';
  if (r.validationAccuracy !== undefined) return `${pct(r.validationAccuracy)} (validation)`;
  return '—';
}

/** A short name for a run in lists: date, status, accuracy. */
export function runTitle(r: RunInfo): string {
  const when = new Date(r.startedAt).toLocaleString();
  const status = r.status === 'done' ? '' : ` · ${r.status}`;
  return `${when}${status} · ${accuracyText(r)}`;
}

/**
 * How the project's classes differ from the ones a run was trained on (undefined when they
 * match): names the run knows that the project no longer has, and new ones it doesn't know.
 */
export function classDrift(
  r: RunInfo,
  classes: ClassInfo[]
): { removed: string[]; added: string[] } | undefined {
  if (!r.labels) return undefined;
  const now = classes.filter((c) => c.samples > 0).map((c) => c.name);
  const removed = r.labels.filter((l) => !now.includes(l));
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
