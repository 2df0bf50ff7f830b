/** quench eval: accuracy, per-class recall, confusion, per-layer sparsity and energy. */
import { resolve } from 'node:path';
import { balancedAccuracy } from '../../core/data/fit';
import { layerTitles } from '../../core/live/layer-report';
import { evaluateContents, examplesForModel } from '../../core/data/pipeline';
import { evaluateInt, type LayerSummary } from '../../core/engine/evaluate-int';
import type { IntModel } from '../../core/engine/int-model';
import { coinCellHours, powerWatts, type EnergyEstimate } from '../../core/energy/estimate';
import { sparsityReport } from '../../core/sparsify/analytics';
import type { Evaluation } from '../../core/train/evaluate';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { Progress } from '../progress';
import {
  backgroundFor,
  choiceFlag,
  intModelOf,
  loadModel,
  required,
  type Io,
  type Values
} from '../common';
import { printScan } from '../report';

export async function cmdEval(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const data = resolve(required(v, 'data'));
  const engine = choiceFlag(v, 'engine', ['int', 'float'] as const) ?? 'int';
  const contents = await loadModel(modelPath);
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const scan = await examplesForModel(folderSource(data), contents, {
    skipBad: v['skip-bad'] ?? false,
    backgroundClass: await backgroundFor(v, data),
    onProgress: (p) =>
      bar.update(p.done! / Math.max(1, p.total!), `reading ${p.done}/${p.total} files`)
  });
  bar.done();
  const { examples, problems } = scan;
  printScan(io, scan);
  const started = io.now();
  let ev: Evaluation;
  let summaries: LayerSummary[] | undefined;
  let meanEnergy: EnergyEstimate | undefined;
  let model: IntModel | undefined;
  if (engine === 'int') {
    model = intModelOf(contents, modelPath);
    const r = evaluateInt(model, examples);
    ev = r.evaluation;
    summaries = r.layers;
    meanEnergy = r.energy;
  } else {
    ev = evaluateContents(contents, examples);
  }
  const latencyMs = (io.now() - started) / examples.count;
  let layers: Record<string, unknown>[] | undefined;
  let energy: Record<string, unknown> | undefined;
  if (model && summaries && meanEnergy) {
    const sparsity = sparsityReport(model, summaries, contents);
    // The mean of each example's own estimate (what Live's meter shows per window).
    const e = meanEnergy;
    const titles = layerTitles(model);
    layers = summaries.map((l, i) => ({
      title: titles[i],
      name: l.name,
      op: l.op,
      bits: l.bits,
      density: l.density,
      deadFilters: sparsity[i].deadNeverActive?.length ?? 0,
      deadFiltersSmallGamma: sparsity[i].deadSmallGamma?.length,
      prunableFilters: sparsity[i].provablyDead?.length,
      weightZeroFraction: sparsity[i].weightZeroFraction,
      dutyCycles: l.dutyCycles,
      macs: l.macs,
      effectiveMacs: l.effectiveMacs,
      energyPj: e.layers[i].totalPj,
      energyGatedPj: e.layers[i].gatedPj,
      energyFloatDensePj: e.layers[i].floatDensePj
    }));
    const { layers: _l, ...totals } = e;
    energy = {
      ...totals,
      perSecond: 10,
      wattsAt10PerSecond: powerWatts(e.totalPj, 10),
      coinCellHoursAt10PerSecond: coinCellHours(powerWatts(e.totalPj, 10))
    };
  }
  const perClass = Object.fromEntries(contents.labels.map((l, i) => [l, ev.perClass[i]]));
  const result = {
    model: modelPath,
    engine,
    examples: examples.count,
    balancedAccuracy: balancedAccuracy(ev.confusion),
    accuracy: ev.accuracy,
    loss: ev.loss,
    labels: contents.labels,
    perClass,
    confusion: ev.confusion,
    layers,
    energy,
    latencyMs,
    skipped: problems,
    ignored: scan.ignored,
    notes: scan.notes
  };
  if (v.json) io.out(JSON.stringify(result));
  else {
    io.out(
      `balanced accuracy ${(100 * result.balancedAccuracy).toFixed(2)} % on ${examples.count} examples (mean recall per class; ${(100 * ev.accuracy).toFixed(2)} % of examples right; ${latencyMs.toFixed(2)} ms each)`
    );
    const width = Math.max(...contents.labels.map((l) => l.length), 5);
    const cell = Math.max(4, ...contents.labels.map((l) => l.length));
    io.out('confusion: rows are the true class, columns the predicted one');
    io.out(
      `${'class'.padEnd(width)}  recall   ${contents.labels.map((l) => l.padStart(cell)).join(' ')}`
    );
    contents.labels.forEach((l, i) => {
      const total = ev.confusion[i].reduce((a, b) => a + b, 0);
      const recall = total === 0 ? '    —' : (100 * ev.perClass[i]).toFixed(1).padStart(5);
      io.out(
        `${l.padEnd(width)}  ${recall} %  ${ev.confusion[i].map((c) => String(c).padStart(cell)).join(' ')}`
      );
    });
    if (layers && energy) {
      io.out('');
      const tw = Math.max(5, ...layers.map((l) => String(l.title).length));
      io.out(`${'layer'.padEnd(tw)}  bits  density  dead  MACs (dense → executed)   energy pJ`);
      for (const l of layers) {
        const macs =
          (l.macs as number) > 0
            ? `${Math.round(l.macs as number)} → ${Math.round(l.effectiveMacs as number)}`
            : '';
        io.out(
          `${String(l.title).padEnd(tw)}  ${String(l.bits).padStart(4)}  ${(100 * (l.density as number)).toFixed(0).padStart(5)} %  ${String(l.deadFilters).padStart(4)}  ${macs.padEnd(24)} ${(l.energyPj as number).toFixed(0).padStart(9)}`
        );
      }
      const total = energy.totalPj as number;
      const float = energy.floatDensePj as number;
      io.out(
        `energy per inference, mean over the ${result.examples} examples: ${(total / 1000).toFixed(1)} nJ (zeros skipped), ${((energy.gatedPj as number) / 1000).toFixed(1)} nJ (gated), float32 dense ${(float / 1000).toFixed(1)} nJ — ${(float / total).toFixed(1)}× less`
      );
      io.out(
        `at 10 inferences/s: ${((energy.wattsAt10PerSecond as number) * 1e6).toFixed(2)} µW, a CR2032 coin cell lasts ${((energy.coinCellHoursAt10PerSecond as number) / 24 / 365).toFixed(1)} years`
      );
    }
  }
  return 0;
}
