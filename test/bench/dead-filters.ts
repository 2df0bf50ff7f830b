/**
 * The emergent-pruning measurement of PAPERS.md §2, shared by the sparsity-energy bench and the
 * reproduction: train one optimizer / L2 variant, find the filters that never fire on the training
 * data (and those provably dead for any input), count the weights that are zero or never used,
 * prune the provably dead filters and compare accuracy, MACs, energy and latency before and after.
 */
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { evaluateInt } from '../../core/engine/evaluate-int';
import type { IntModel } from '../../core/engine/int-model';
import { pruneDeadFilters } from '../../core/engine/prune';
import { estimateEnergy, type EnergyEstimate } from '../../core/energy/estimate';
import type { ModelContents } from '../../core/model-file/model-file';
import { networkToContents } from '../../core/model-file/network-io';
import { sparsityReport } from '../../core/sparsify/analytics';
import type { ModelSpec } from '../../core/spec';
import type { Examples } from '../../core/train/dataset';
import { disposeNetwork } from '../../core/train/network';
import type { TrainOptions } from '../../core/train/train-options';
import { train } from '../../core/train/trainer';
import { median } from './bench-util';

export interface DeadFilterVariant {
  name: string;
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  l2: number;
}

export interface DeadFilterRow {
  variant: string;
  l2: number;
  seconds: number;
  testAccuracy: number;
  prunedTestAccuracy: number;
  identicalAfterPruning: boolean;
  dead: {
    layer: string;
    filters: number;
    neverActive: number;
    smallGamma: number;
    provablyDead: number;
  }[];
  weights: number;
  zeroWeights: number;
  /** Weights of never-active filters plus weights that read a never-active channel. */
  unusedWeights: number;
  removed: Record<string, number[]>;
  macsBefore: number;
  macsAfter: number;
  energyBeforePj: number;
  energyAfterPj: number;
  latencyBeforeMs: number;
  latencyAfterMs: number;
  /** The energy estimate of the unpruned model on the test set. */
  energy: EnergyEstimate;
  contents: ModelContents;
}

/** Median single-inference latency over `runs` test inputs, after a short warm-up. */
export function latencyMs(model: IntModel, test: Examples, runs = 400): number {
  const per = test.x.length / test.count;
  const one = (i: number) =>
    runInt(model, test.x.subarray((i % test.count) * per, ((i % test.count) + 1) * per));
  for (let i = 0; i < 50; i++) one(i);
  return median(
    Array.from({ length: runs }, (_, i) => {
      const t = performance.now();
      one(i);
      return performance.now() - t;
    })
  );
}

/** Weights that are zero, and weights that never matter on the data (dead filter in or out). */
function weightUse(
  model: IntModel,
  neverActive: Map<string, Set<number>>
): { weights: number; zero: number; unused: number } {
  let weights = 0;
  let zero = 0;
  let unused = 0;
  let deadIn = new Set<number>();
  let channels = model.input.shape[2];
  for (const op of model.ops) {
    if (op.op !== 'conv' && op.op !== 'dense') continue;
    const outC = op.op === 'conv' ? op.outShape[2] : op.outSize;
    const inC = op.op === 'conv' ? op.inShape[2] : channels;
    const deadOut = neverActive.get(op.name) ?? new Set<number>();
    const v = op.weights.values;
    for (let i = 0; i < v.length; i++) {
      weights++;
      if (v[i] === 0) zero++;
      const o = i % outC;
      const c = Math.floor(i / outC) % inC;
      if (deadOut.has(o) || deadIn.has(c)) unused++;
    }
    deadIn = deadOut;
    channels = outC;
  }
  return { weights, zero, unused };
}

export async function deadFilterStudy(
  spec: ModelSpec,
  trainSet: Examples,
  testSet: Examples,
  v: DeadFilterVariant,
  options: Partial<TrainOptions>
): Promise<DeadFilterRow> {
  const started = performance.now();
  const run = await train(spec, trainSet, {
    ...options,
    optimizer: v.optimizer,
    learningRate: v.learningRate,
    l2: v.l2
  });
  const seconds = (performance.now() - started) / 1000;
  const labels = Array.from({ length: trainSet.classes }, (_, i) => String(i));
  const contents = networkToContents(run.network, spec, labels, {}, '');
  disposeNetwork(run.network);
  const model = convertToInt(contents);
  // Never-active filters are judged on the training data (PAPERS.md §2).
  const onTrain = evaluateInt(model, trainSet);
  const report = sparsityReport(model, onTrain.layers, contents);
  const onTest = evaluateInt(model, testSet);
  const { model: pruned, removed } = pruneDeadFilters(model);
  const prunedTest = evaluateInt(pruned, testSet);
  const identical = onTest.evaluation.predictions.every(
    (p, i) => p === prunedTest.evaluation.predictions[i]
  );
  const before = estimateEnergy(model, onTest.layers);
  const after = estimateEnergy(pruned, prunedTest.layers);
  const macs = (ls: typeof onTest.layers) => ls.reduce((a, l) => a + l.macs, 0);
  const never = new Map(report.map((l) => [l.name, new Set(l.deadNeverActive ?? [])]));
  const use = weightUse(model, never);
  return {
    variant: v.name,
    l2: v.l2,
    seconds,
    testAccuracy: onTest.evaluation.accuracy,
    prunedTestAccuracy: prunedTest.evaluation.accuracy,
    identicalAfterPruning: identical,
    dead: report
      .filter((l) => l.op === 'conv')
      .map((l) => {
        const op = model.ops.find((o) => o.name === l.name)!;
        return {
          layer: l.name,
          filters: op.op === 'conv' ? op.outShape[2] : 0,
          neverActive: l.deadNeverActive?.length ?? 0,
          smallGamma: l.deadSmallGamma?.length ?? 0,
          provablyDead: l.provablyDead?.length ?? 0
        };
      }),
    weights: use.weights,
    zeroWeights: use.zero,
    unusedWeights: use.unused,
    removed,
    macsBefore: macs(onTest.layers),
    macsAfter: macs(prunedTest.layers),
    energyBeforePj: before.totalPj,
    energyAfterPj: after.totalPj,
    latencyBeforeMs: latencyMs(model, testSet),
    latencyAfterMs: latencyMs(pruned, testSet),
    energy: before,
    contents
  };
}
