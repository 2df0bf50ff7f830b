import type { Examples } from './dataset';
import { epochBatches, gatherBatch } from './dataset';
import { calibrate } from './calibrate';
import { evaluate } from './evaluate';
import { snapshotNetwork, type NetworkSnapshot } from './network';
import { scheduledRate, setLearningRate, trainStep, type StepContext } from './step';

export interface EpochRecord {
  phase: 'train' | 'quantize';
  epoch: number;
  loss: number;
  accuracy: number;
  validationAccuracy: number;
  validationLoss: number;
  seconds: number;
}

export interface EpochsResult {
  history: EpochRecord[];
  best: NetworkSnapshot;
  bestAccuracy: number;
  cancelled: boolean;
  samples: number;
  seconds: number;
}

/**
 * Runs `epochs` epochs of training on `train`, validating on `validation` after each, reporting
 * progress, honouring cancellation between batches and keeping the weights of the best epoch.
 */
export async function runEpochs(
  ctx: StepContext,
  train: Examples,
  validation: Examples,
  epochs: number,
  phase: 'train' | 'quantize',
  round: number
): Promise<EpochsResult> {
  const { opts } = ctx;
  const all = Array.from({ length: train.count }, (_, i) => i);
  const history: EpochRecord[] = [];
  let best = snapshotNetwork(ctx.net);
  let bestAccuracy = -1;
  let bestLoss = Infinity;
  let sinceBest = 0;
  let samples = 0;
  let seconds = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const batches = epochBatches(all, opts.batchSize, ctx.rng);
    const started = opts.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches.length; b++) {
      if (opts.signal?.aborted)
        return { history, best, bestAccuracy, cancelled: true, samples, seconds };
      const progress = ((epoch - 1) * batches.length + b) / (epochs * batches.length);
      setLearningRate(ctx.optimizer, scheduledRate(opts, progress));
      const { x, y } = gatherBatch(train, batches[b]);
      opts.augment?.(x, y, ctx.rng);
      const [loss, hits] = trainStep(ctx, x, y);
      lossSum += loss * y.length;
      correct += hits;
      seen += y.length;
      const elapsed = (opts.now() - started) / 1000;
      const rate = seen / Math.max(elapsed, 1e-6);
      opts.onProgress?.({
        phase,
        epoch,
        epochs,
        round,
        batch: b + 1,
        batches: batches.length,
        loss: lossSum / seen,
        accuracy: correct / seen,
        samplesPerSecond: rate,
        etaSeconds: ((epochs - epoch + 1) * train.count - seen) / rate
      });
      await opts.yieldToHost();
    }
    const epochSeconds = (opts.now() - started) / 1000;
    samples += seen;
    seconds += epochSeconds;
    // Validate (and keep) what would be served: running statistics settled on this epoch's
    // weights, from a sample (the kept epoch is calibrated on more at the end, trainer.ts).
    calibrate(ctx.net, train, {
      batchSize: opts.batchSize,
      maxExamples: opts.epochCalibrationExamples,
      seed: opts.seed
    });
    const v = evaluate(ctx.net, validation);
    history.push({
      phase,
      epoch,
      loss: lossSum / seen,
      accuracy: correct / seen,
      validationAccuracy: v.accuracy,
      validationLoss: v.loss,
      seconds: epochSeconds
    });
    opts.onProgress?.({
      phase: 'validate',
      epoch,
      epochs,
      round,
      batch: batches.length,
      batches: batches.length,
      loss: lossSum / seen,
      accuracy: correct / seen,
      samplesPerSecond: seen / Math.max(epochSeconds, 1e-6),
      etaSeconds: (epochs - epoch) * epochSeconds,
      validation: { accuracy: v.accuracy, loss: v.loss }
    });
    // Better = more accurate, or as accurate with a lower loss: on a handful of validation clips
    // accuracy ties from the first epochs on, and the earliest tie is a barely trained network.
    const better = v.accuracy > bestAccuracy || (v.accuracy === bestAccuracy && v.loss < bestLoss);
    if (!opts.keepBest || better) {
      bestAccuracy = v.accuracy;
      bestLoss = v.loss;
      best = snapshotNetwork(ctx.net);
      sinceBest = 0;
    } else if (opts.patience > 0 && ++sinceBest >= opts.patience) {
      break;
    }
  }
  return { history, best, bestAccuracy, cancelled: false, samples, seconds };
}
