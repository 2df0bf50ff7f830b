/**
 * How an accuracy estimate is said, the same in the CLI and the app: the class-balanced accuracy
 * first, with the clips it rests on and the method, then what the method rests on.
 */
import type { ClipEvaluation } from './fit';
import { oneSessionText } from './groups';

type Estimate = Pick<ClipEvaluation, 'method' | 'folds' | 'accuracy' | 'clips'> &
  Partial<Pick<ClipEvaluation, 'balancedAccuracy' | 'basis'>>;

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

const GROUP_WORDS: Record<string, string> = {
  file: 'source file',
  copy: 'exact copy',
  'same-take': 'take recorded again',
  speaker: 'speaker',
  burst: 'camera burst',
  'near-copy': 'set of near copies'
};

/** "5-fold cross-validation", "the clips validation_list.txt and testing_list.txt hold out" … */
export function methodText(e: Estimate, unit = 'clip'): string {
  if (e.method === 'k-fold') return `${e.folds}-fold cross-validation`;
  if (e.method === 'listed')
    return `the ${unit}s ${(e.basis?.lists ?? ['the lists']).join(' and ')} hold out`;
  return `held-out ${unit}s`;
}

/**
 * The headline: "71.3 % balanced accuracy of 80 clips (5-fold cross-validation; 75.0 % of
 * clips right)". Runs from before balanced accuracy give the share of clips right.
 */
export function headlineText(e: Estimate, unit = 'clip'): string {
  const of = `of ${e.clips} ${unit}${e.clips === 1 ? '' : 's'}`;
  if (e.balancedAccuracy === undefined) return `${pct(e.accuracy)} ${of} (${methodText(e, unit)})`;
  return `${pct(e.balancedAccuracy)} balanced accuracy ${of} (${methodText(e, unit)}; ${pct(e.accuracy)} of ${unit}s right)`;
}

/**
 * What the estimate rests on, one sentence each: what was kept together in one fold, and classes
 * split into blocks.
 */
export function basisLines(e: Estimate, audio: boolean): string[] {
  const b = e.basis;
  if (!b) return [];
  const unit = audio ? 'clip' : 'picture';
  const out: string[] = [];
  if (e.method === 'listed') {
    out.push(
      `Judged on the ${e.clips} ${unit}s listed in ${(b.lists ?? []).join(' and ')}, which the model never trained on.`
    );
  } else if (e.method === 'k-fold') {
    const by = b.groupedBy.map((g) => GROUP_WORDS[g] ?? g);
    out.push(
      by.length
        ? `Every ${unit} was judged once by a model trained without it; ${unit}s of one ${by.join(', one ')} stayed in one fold (${b.groups} independent group${b.groups === 1 ? '' : 's'}).`
        : `Every ${unit} was judged once by a model trained without it (no two ${unit}s came from one file, take, speaker or burst, or were copies).`
    );
  }
  if (b.blockSplit.length) {
    const one = b.blockSplit.length === 1;
    const its = one ? 'its' : 'their';
    const [what, parts, of] = audio
      ? ['recordings', 'stretches', 'parts of the same recordings']
      : ['bursts or scenes', 'runs of frames', 'frames of the same bursts and scenes'];
    out.push(
      `${b.blockSplit.map((c) => `“${c}”`).join(', ')} ${one ? 'has' : 'have'} fewer independent ${what} than folds, so ${its} ${unit}s were split into ${parts}: ${its} recall is judged on ${of} the model trained on.`
    );
  }
  return out;
}

/**
 * The one-session note as a sentence, when the estimate has one (`tryThis`: what to do instead,
 * per surface: the app's Test on a recording, the CLI's `quench stream`).
 */
export function sessionLine(e: Estimate, audio: boolean, tryThis: string): string | undefined {
  if (!e.basis?.oneSession) return undefined;
  const s = oneSessionText(e.basis.oneSession, audio, tryThis);
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}
