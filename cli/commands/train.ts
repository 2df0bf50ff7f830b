/** quench train: a dataset folder → a model file. */
import { resolve } from 'node:path';
import {
  trainOnDataset,
  type ClipEvaluation,
  type PipelineProgress
} from '../../core/data/pipeline';
import {
  encodeModel,
  type DetectionCalibration,
  type ModelContents
} from '../../core/model-file/model-file';
import {
  applyOverrides,
  checkServable,
  resolveSpec,
  SpecError,
  type ModelSpec
} from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { Progress } from '../progress';
import {
  backgroundFor,
  InputError,
  intFlag,
  loadSpec,
  overridesFrom,
  required,
  UsageError,
  type Io,
  type Values
} from '../common';
import { printScan } from '../report';

function trainLine(p: PipelineProgress): string {
  const t = p.train!;
  const fold = p.stage === 'evaluate' ? `cross-validation fold ${p.fold}/${p.folds}, ` : '';
  const base = `${fold}${t.phase === 'quantize' ? `k-means round ${t.round}, ` : ''}epoch ${t.epoch}/${t.epochs}`;
  const val = t.validation ? ` · check ${(100 * t.validation.accuracy).toFixed(1)} %` : '';
  return `${base} · loss ${t.loss.toFixed(3)} · acc ${(100 * t.accuracy).toFixed(1)} %${val} · ${t.samplesPerSecond.toFixed(0)} samples/s`;
}

/** "87.5 % of 24 clips (5-fold cross-validation, integer engine)" and the per-class line. */
export function evaluationLines(e: ClipEvaluation, labels: string[]): string[] {
  const how = e.method === 'k-fold' ? `${e.folds}-fold cross-validation` : `held-out clips`;
  const engine = e.engine === 'int' ? 'integer engine' : 'tfjs model';
  const perClass = labels
    .map((l, c) => {
      const r = e.perClass[c];
      return `${l} ${r === null ? '—' : `${(100 * r).toFixed(0)} %`} of ${e.classClips[c]}`;
    })
    .join(' · ');
  return [
    `accuracy ${(100 * e.accuracy).toFixed(1)} % of ${e.clips} clip${e.clips === 1 ? '' : 's'} (${how}, ${engine})`,
    `per class: ${perClass}`
  ];
}

/** "detection thresholds: no 81 %, yes 78 % (chosen from …)", background classes left out. */
export function detectionLine(
  d: DetectionCalibration,
  labels: string[],
  background?: string
): string {
  const each = labels
    .map((l, c) => (l === background ? '' : `${l} ${thresholdText(d.thresholds[c])}`))
    .filter(Boolean)
    .join(', ');
  const avg = d.average === 1 ? 'no averaging' : `averaging ${d.average} windows`;
  return `detection thresholds: ${each}; ${avg} (${d.basis})`;
}

/** A threshold as people read it: "78 %", or "off" at 1. */
export function thresholdText(t: number): string {
  return t >= 1 ? 'off' : `${Math.round(100 * t)} %`;
}

/** Refuses, before reading any file, what the engine could not serve as trained; flag words. */
function servable(spec: ModelSpec, actBits: number | undefined): void {
  try {
    checkServable(resolveSpec(spec, 2));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    if (actBits === 32 && /k-WTA/.test(e.problem)) {
      throw new UsageError(
        '--act-bits 32 (float activations) needs k-WTA off: add --kwta 1 (k-WTA picks its winners among the integer codes the engine serves)'
      );
    }
    throw new InputError(e.message);
  }
}

export async function cmdTrain(v: Values, io: Io): Promise<number> {
  const data = resolve(required(v, 'data'));
  const out = resolve(required(v, 'out'));
  const overrides = overridesFrom(v);
  const epochs = intFlag(v, 'epochs', 1, 1000);
  const seed = intFlag(v, 'seed', 0, 2 ** 31 - 1) ?? 1;
  const backgroundClass = await backgroundFor(v, data);
  const spec = applyOverrides(await loadSpec(v.preset, data), overrides);
  servable(spec, overrides.actBits);
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const started = io.now();
  let bytes: Uint8Array = new Uint8Array(0);
  let written: ModelContents | undefined;
  const r = await trainOnDataset(folderSource(data), spec, {
    epochs,
    seed,
    skipBad: v['skip-bad'] ?? false,
    backgroundClass,
    createdAt: new Date().toISOString(),
    // Written as soon as it exists; cross-validation of small datasets follows.
    onModel: async (contents) => {
      bytes = encodeModel(contents);
      await writeFileAtomic(out, bytes);
      written = contents;
    },
    onProgress: (p) => {
      if (p.stage === 'scan')
        bar.update(p.done! / Math.max(1, p.total!), `reading ${p.done}/${p.total} files`);
      else {
        // The whole job's share and time left: the served model and every fold (review #3).
        bar.update(p.job!.fraction, trainLine(p), p.job!.etaSeconds);
        if (p.train!.validation) bar.log(trainLine(p));
      }
    }
  });
  bar.done();
  // Cross-validation's suggested detection settings exist only now: the file again, with them.
  if (r.detection && !written?.detection) {
    bytes = encodeModel(r.contents);
    await writeFileAtomic(out, bytes);
  }
  printScan(io, r.scan);
  for (const pr of r.problems) io.err(`skipped ${pr.file}: ${pr.reason}`);
  for (const w of r.warnings) io.err(`warning: ${w.message}`);
  const seconds = (io.now() - started) / 1000;
  const summary = {
    model: out,
    preset: spec.name,
    labels: r.contents.labels,
    counts: r.counts,
    examples: r.examples,
    evaluation: r.evaluation,
    validationAccuracy: r.evaluation?.accuracy,
    served: r.served,
    warnings: r.warnings,
    epochs: r.result.history.length,
    samplesPerSecond: r.result.samplesPerSecond,
    seconds,
    bytes: bytes.length,
    skipped: r.problems,
    ignored: r.scan.ignored,
    notes: r.scan.notes,
    backgroundClass: r.scan.backgroundClass ?? null,
    detection: r.detection ?? null
  };
  if (v.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `trained ${spec.name} on ${r.examples} examples of ${r.contents.labels.length} classes in ${seconds.toFixed(1)} s · wrote ${out} (${bytes.length} bytes)`
    );
    if (r.evaluation)
      for (const line of evaluationLines(r.evaluation, r.contents.labels)) io.out(line);
    else io.out('accuracy: not estimated (cancelled)');
    if (r.detection) io.out(detectionLine(r.detection, r.contents.labels, r.scan.backgroundClass));
    io.out(
      `on its own ${r.served.clips} training clips: ${(100 * r.served.accuracy).toFixed(1)} % right, mean confidence ${(100 * r.served.meanTopProbability).toFixed(1)} % ${r.served.trainingLoss === undefined ? '' : ` (last training loss ${r.served.trainingLoss.toFixed(3)})`}`
    );
  }
  return 0;
}
