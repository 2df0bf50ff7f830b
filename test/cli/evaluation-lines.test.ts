/**
 * What `quench train` prints about a picture project's estimate: the balanced accuracy of its
 * pictures, what the folds kept together, and, when the pictures show few scenes, the ask for
 * pictures taken elsewhere.
 */
import { expect, test } from 'vitest';
import { evaluationLines } from '../../cli/commands/train';
import type { ClipEvaluation } from '../../core/data/fit';

test('pictures from one burst per class: the estimate says so and asks for pictures taken elsewhere', () => {
  const e = {
    method: 'k-fold',
    folds: 2,
    accuracy: 0.5,
    balancedAccuracy: 0.5,
    clips: 36,
    engine: 'int',
    perClass: [0.5, 0.5],
    classClips: [18, 18],
    basis: {
      groups: 2,
      groupedBy: ['burst'],
      blockSplit: ['cup', 'cat'],
      oneSession: 'the 36 pictures are one burst or set of near copies per class'
    }
  } as unknown as ClipEvaluation;
  expect(evaluationLines(e, ['cup', 'cat'], false)).toEqual([
    'estimated 50.0 % balanced accuracy of 36 pictures (2-fold cross-validation; 50.0 % of pictures right), integer engine',
    'per class: cup 50 % of 18 · cat 50 % of 18',
    'Every picture was judged once by a model trained without it; pictures of one camera burst stayed in one fold (2 independent groups).',
    '“cup”, “cat” have fewer independent bursts or scenes than folds, so their pictures were split into runs of frames: their recall is judged on frames of the same bursts and scenes the model trained on.',
    "note: The pictures show few scenes (the 36 pictures are one burst or set of near copies per class): this estimate can't tell how the model does on other backgrounds, places or light — add pictures taken elsewhere, or try `quench eval` on some."
  ]);
});
