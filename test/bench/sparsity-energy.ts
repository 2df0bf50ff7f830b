/**
 * Issue 5's acceptance numbers on the digits preset (MNIST from the mnist package, 8,000 / 2,000):
 * 1. energy per inference of the 4-bit k-WTA integer model vs the float32 dense reference, and how
 *    much of the gain comes from bits and how much from sparsity;
 * 2. dead filters per layer after training with Adam+L2, SGD+L2 and Adam without L2 (same data,
 *    seed and epochs), by both definitions, and what pruning the provably dead ones saves.
 * Usage: tsx test/bench/sparsity-energy.ts [--epochs N] [--l2 X]
 */
import { shiftImages } from '../../core/data/augment';
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { evaluateInt } from '../../core/engine/evaluate-int';
import { pruneDeadFilters } from '../../core/engine/prune';
import { coinCellHours, estimateEnergy, powerWatts } from '../../core/energy/estimate';
import { networkToContents } from '../../core/model-file/network-io';
import { sparsityReport } from '../../core/sparsify/analytics';
import { applyOverrides, getPreset } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { argValue, machineLine, table, writeResult } from './bench-util';
import { loadMnist } from './mnist-data';

const epochs = Number(argValue('--epochs') ?? 6);
const l2 = Number(argValue('--l2') ?? 5e-3);
await initTrainingBackend({ backend: 'wasm' });
const { train: trainSet, test } = loadMnist(0.2);
const labels = Array.from({ length: 10 }, (_, i) => String(i));
const spec = applyOverrides(getPreset('digits'), { weightBits: 4, actBits: 4, kwta: 0.25 });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const variants = [
  { name: 'Adam + L2', optimizer: 'adam' as const, learningRate: 0.003, l2 },
  { name: 'SGD (momentum 0.9) + L2', optimizer: 'sgd' as const, learningRate: 0.05, l2 },
  { name: 'Adam, no L2', optimizer: 'adam' as const, learningRate: 0.003, l2: 0 }
];
const results = [];
let energyRow: Record<string, number> | undefined;
for (const v of variants) {
  const started = performance.now();
  const run = await train(spec, trainSet, {
    seed: 1,
    epochs,
    optimizer: v.optimizer,
    learningRate: v.learningRate,
    l2: v.l2,
    augment: (x, _y, rng) => shiftImages(x, [28, 28, 1], 2, rng)
  });
  const seconds = (performance.now() - started) / 1000;
  const contents = networkToContents(run.network, spec, labels, {}, '');
  disposeNetwork(run.network);
  const model = convertToInt(contents);
  // Never-active filters are judged on the training data (PAPERS.md §2).
  const onTrain = evaluateInt(model, trainSet);
  const report = sparsityReport(model, onTrain.layers, contents);
  const onTest = evaluateInt(model, test);
  const { model: pruned, removed } = pruneDeadFilters(model);
  const prunedTest = evaluateInt(pruned, test);
  const same = onTest.evaluation.predictions.every(
    (p, i) => p === prunedTest.evaluation.predictions[i]
  );
  const per = 28 * 28;
  const latency = (m: typeof model) =>
    median(
      Array.from({ length: 400 }, (_, i) => {
        const t = performance.now();
        runInt(m, test.x.subarray((i % test.count) * per, ((i % test.count) + 1) * per));
        return performance.now() - t;
      })
    );
  const before = estimateEnergy(model, onTest.layers);
  const after = estimateEnergy(pruned, prunedTest.layers);
  const macs = (ls: typeof onTest.layers) => ls.reduce((a, l) => a + l.macs, 0);
  const row = {
    variant: v.name,
    testAccuracy: onTest.evaluation.accuracy,
    seconds,
    dead: report
      .filter((l) => l.op === 'conv')
      .map((l) => ({
        layer: l.name,
        neverActive: l.deadNeverActive?.length ?? 0,
        smallGamma: l.deadSmallGamma?.length ?? 0,
        provablyDead: l.provablyDead?.length ?? 0
      })),
    removed,
    identicalAfterPruning: same,
    macsBefore: macs(onTest.layers),
    macsAfter: macs(prunedTest.layers),
    energyBeforePj: before.totalPj,
    energyAfterPj: after.totalPj,
    latencyBeforeMs: latency(model),
    latencyAfterMs: latency(pruned)
  };
  results.push(row);
  console.log(
    `${v.name}: test ${(100 * row.testAccuracy).toFixed(2)} %, dead (never active / |γ|<1e-3 / provable) ${row.dead.map((d) => `${d.layer} ${d.neverActive}/${d.smallGamma}/${d.provablyDead}`).join(', ')}; pruning: MACs ${row.macsBefore} → ${row.macsAfter}, energy ${(row.energyBeforePj / 1000).toFixed(1)} → ${(row.energyAfterPj / 1000).toFixed(1)} nJ, latency ${row.latencyBeforeMs.toFixed(3)} → ${row.latencyAfterMs.toFixed(3)} ms, identical predictions: ${same}`
  );
  if (!energyRow) {
    energyRow = {
      totalPj: before.totalPj,
      gatedPj: before.gatedPj,
      intDensePj: before.intDensePj,
      floatDensePj: before.floatDensePj,
      computePj: before.computePj,
      memoryPj: before.memoryPj
    };
    console.log(
      `energy per inference (Adam + L2 model): ${(before.totalPj / 1000).toFixed(1)} nJ skipped, ${(before.gatedPj / 1000).toFixed(1)} nJ gated, int dense ${(before.intDensePj / 1000).toFixed(1)} nJ, float32 dense ${(before.floatDensePj / 1000).toFixed(1)} nJ → bits ${(before.floatDensePj / before.intDensePj).toFixed(2)}×, sparsity ${(before.intDensePj / before.totalPj).toFixed(2)}×; 10/s: ${(powerWatts(before.totalPj, 10) * 1e6).toFixed(3)} µW, CR2032 ${(coinCellHours(powerWatts(before.totalPj, 10)) / 24 / 365).toFixed(1)} years`
    );
  }
}
const e = energyRow!;
console.log(machineLine());
writeResult(
  'sparsity-energy',
  { epochs, l2, results, energy: e, machine: machineLine() },
  [
    '## Energy and dead filters on the digits preset (issue 5)',
    '',
    `4-bit weights, 4-bit activations, k-WTA 0.25; ${epochs} epochs, seed 1, MNIST 8,000 / 2,000. Energy per inference averaged over the test set (ENERGY.md model).`,
    '',
    table(
      ['network', 'energy per inference', 'vs float32 dense'],
      [
        ['float32 dense reference', `${(e.floatDensePj / 1000).toFixed(1)} nJ`, '1×'],
        [
          '4-bit integer, every MAC executed (bits only)',
          `${(e.intDensePj / 1000).toFixed(1)} nJ`,
          `${(e.floatDensePj / e.intDensePj).toFixed(2)}× less`
        ],
        [
          '4-bit integer + k-WTA, zeros gated',
          `${(e.gatedPj / 1000).toFixed(1)} nJ`,
          `${(e.floatDensePj / e.gatedPj).toFixed(2)}× less`
        ],
        [
          '4-bit integer + k-WTA, zeros skipped',
          `${(e.totalPj / 1000).toFixed(1)} nJ`,
          `${(e.floatDensePj / e.totalPj).toFixed(2)}× less`
        ]
      ]
    ),
    '',
    `Of the ${(e.floatDensePj / e.totalPj).toFixed(1)}× gain, ${(e.floatDensePj / e.intDensePj).toFixed(2)}× comes from the bit widths and ${(e.intDensePj / e.totalPj).toFixed(2)}× from skipping zero activations.`,
    '',
    `Dead filters (L2 = ${l2} where used); never active = zero on every training image; prunable = provably zero for any input.`,
    '',
    table(
      [
        'training',
        'test accuracy',
        'dead per conv layer (never active / γ below 1e-3 / prunable)',
        'MACs before → after pruning',
        'energy (nJ)',
        'latency (ms)',
        'identical'
      ],
      results.map((r) => [
        r.variant,
        `${(100 * r.testAccuracy).toFixed(2)} %`,
        r.dead
          .map((d) => `${d.layer}: ${d.neverActive}/${d.smallGamma}/${d.provablyDead}`)
          .join(', '),
        `${r.macsBefore} → ${r.macsAfter}`,
        `${(r.energyBeforePj / 1000).toFixed(1)} → ${(r.energyAfterPj / 1000).toFixed(1)}`,
        `${r.latencyBeforeMs.toFixed(3)} → ${r.latencyAfterMs.toFixed(3)}`,
        r.identicalAfterPruning ? 'yes' : 'NO'
      ])
    )
  ].join('\n')
);
