/** quench train: a dataset folder → a model file. */
import { resolve } from 'node:path';
import { trainOnDataset, type PipelineProgress } from '../../core/data/pipeline';
import { encodeModel } from '../../core/model-file/model-file';
import { applyOverrides } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { Progress } from '../progress';
import {
  backgroundFor,
  intFlag,
  loadSpec,
  overridesFrom,
  required,
  type Io,
  type Values
} from '../common';
import { printScan } from '../report';

function trainLine(p: PipelineProgress): string {
  const t = p.train!;
  const base = `${t.phase === 'quantize' ? `k-means round ${t.round}, ` : ''}epoch ${t.epoch}/${t.epochs}`;
  const val = t.validation ? ` · validation ${(100 * t.validation.accuracy).toFixed(1)} %` : '';
  return `${base} · loss ${t.loss.toFixed(3)} · acc ${(100 * t.accuracy).toFixed(1)} %${val} · ${t.samplesPerSecond.toFixed(0)} samples/s`;
}

export async function cmdTrain(v: Values, io: Io): Promise<number> {
  const data = resolve(required(v, 'data'));
  const out = resolve(required(v, 'out'));
  const overrides = overridesFrom(v);
  const epochs = intFlag(v, 'epochs', 1, 1000);
  const seed = intFlag(v, 'seed', 0, 2 ** 31 - 1) ?? 1;
  const backgroundClass = await backgroundFor(v, data);
  const spec = applyOverrides(await loadSpec(v.preset, data), overrides);
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const started = io.now();
  const r = await trainOnDataset(folderSource(data), spec, {
    epochs,
    seed,
    skipBad: v['skip-bad'] ?? false,
    backgroundClass,
    createdAt: new Date().toISOString(),
    onProgress: (p) => {
      if (p.stage === 'scan')
        bar.update(p.done! / Math.max(1, p.total!), `reading ${p.done}/${p.total} files`);
      else {
        const t = p.train!;
        const fraction = (t.epoch - 1 + t.batch / t.batches) / t.epochs;
        bar.update(fraction, trainLine(p), t.etaSeconds);
        if (t.validation) bar.log(trainLine(p));
      }
    }
  });
  bar.done();
  printScan(io, r.scan);
  for (const pr of r.problems) io.err(`skipped ${pr.file}: ${pr.reason}`);
  const bytes = encodeModel(r.contents);
  await writeFileAtomic(out, bytes);
  const seconds = (io.now() - started) / 1000;
  const summary = {
    model: out,
    preset: spec.name,
    labels: r.contents.labels,
    counts: r.counts,
    examples: r.examples,
    validationAccuracy: r.result.validationAccuracy,
    epochs: r.result.history.length,
    samplesPerSecond: r.result.samplesPerSecond,
    seconds,
    bytes: bytes.length,
    skipped: r.problems,
    ignored: r.scan.ignored,
    notes: r.scan.notes,
    backgroundClass: r.scan.backgroundClass ?? null
  };
  if (v.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `trained ${spec.name} on ${r.examples} examples of ${r.contents.labels.length} classes in ${seconds.toFixed(1)} s`
    );
    io.out(
      `validation accuracy ${(100 * r.result.validationAccuracy).toFixed(2)} % · wrote ${out} (${bytes.length} bytes)`
    );
  }
  return 0;
}
