/**
 * Issue 5's acceptance numbers on the digits preset (MNIST from the mnist package, 8,000 / 2,000):
 * 1. energy per inference of the 4-bit k-WTA integer model vs the float32 dense reference, and how
 *    much of the gain comes from bits and how much from sparsity;
 * 2. dead filters per layer after training with Adam+L2, SGD+L2 and Adam without L2 (same data,
 *    seed and epochs), by both definitions, and what pruning the provably dead ones saves.
 * Usage: tsx test/bench/sparsity-energy.ts [--epochs N] [--l2 X]
 */
import { shiftImages } from '../../core/data/augment';
import type { TrainOptions } from '../../core/train/train-options';
import { deadFilterStudy } from './dead-filters';
import { coinCellHours, powerWatts } from '../../core/energy/estimate';
import { applyOverrides, getPreset } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { argValue, machineLine, table, writeResult } from './bench-util';
import { loadMnist } from './mnist-data';

const epochs = Number(argValue('--epochs') ?? 6);
const l2 = Number(argValue('--l2') ?? 5e-3);
await initTrainingBackend({ backend: 'wasm' });
const { train: trainSet, test } = loadMnist(0.2);
const spec = applyOverrides(getPreset('digits'), { weightBits: 4, actBits: 4, kwta: 0.25 });

const variants = [
  { name: 'Adam + L2', optimizer: 'adam' as const, learningRate: 0.003, l2 },
  { name: 'SGD (momentum 0.9) + L2', optimizer: 'sgd' as const, learningRate: 0.05, l2 },
  { name: 'Adam, no L2', optimizer: 'adam' as const, learningRate: 0.003, l2: 0 }
];
const results = [];
let energyRow: Record<string, number> | undefined;
const augment: TrainOptions['augment'] = (x, _y, rng) => shiftImages(x, [28, 28, 1], 2, rng);
for (const v of variants) {
  const {
    contents: _contents,
    energy: before,
    ...row
  } = await deadFilterStudy(spec, trainSet, test, v, { seed: 1, epochs, augment });
  results.push(row);
  console.log(
    `${v.name}: test ${(100 * row.testAccuracy).toFixed(2)} %, dead (never active / |γ|<1e-3 / provable) ${row.dead.map((d) => `${d.layer} ${d.neverActive}/${d.smallGamma}/${d.provablyDead}`).join(', ')}; pruning: MACs ${row.macsBefore} → ${row.macsAfter}, energy ${(row.energyBeforePj / 1000).toFixed(1)} → ${(row.energyAfterPj / 1000).toFixed(1)} nJ, latency ${row.latencyBeforeMs.toFixed(3)} → ${row.latencyAfterMs.toFixed(3)} ms, identical predictions: ${row.identicalAfterPruning}`
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
