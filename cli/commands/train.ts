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
  PRESET_NAMES,
  resolveSpec,
  SpecError,
  type ModelSpec,
  type SpecOverrides
} from '../../core/spec';
import { isOtherSoundsClass, specFromBase, type Base, type FromBase } from '../../core/data/base';
import { runDefaults } from '../../core/spec/defaults';
import type { TrainOptions } from '../../core/train/train-options';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { TRAINED_LAYERS, type TrainedLayers } from '../../core/train/fine-tune';
import {
  bundledBase,
  loadBaseFile,
  missingBaseMessage,
  startAsked
} from '../../electron/main/services/bases';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import { folderSource } from '../../electron/main/services/fs-dataset';
import { Progress } from '../progress';
import {
  backgroundFor,
  choiceFlag,
  datasetModality,
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
import { basisLines, headlineText, sessionLine } from '../../core/data/estimate-text';

function trainLine(p: PipelineProgress): string {
  const t = p.train!;
  const fold = p.stage === 'evaluate' ? `cross-validation fold ${p.fold}/${p.folds}, ` : '';
  const base = `${fold}${t.phase === 'quantize' ? `k-means round ${t.round}, ` : ''}epoch ${t.epoch}/${t.epochs}`;
  const val = t.validation ? ` · check ${(100 * t.validation.accuracy).toFixed(1)} %` : '';
  return `${base} · loss ${t.loss.toFixed(3)} · acc ${(100 * t.accuracy).toFixed(1)} %${val} · ${t.samplesPerSecond.toFixed(0)} samples/s`;
}

/**
 * "71.3 % balanced accuracy of 24 clips (5-fold cross-validation; 75.0 % of clips right)", the
 * per-class line, and what the estimate rests on (core/data/estimate-text.ts).
 */
export function evaluationLines(e: ClipEvaluation, labels: string[], audio = true): string[] {
  const engine = e.engine === 'int' ? 'integer engine' : 'tfjs model';
  const unit = audio ? 'clip' : 'picture';
  const perClass = labels
    .map((l, c) => {
      const r = e.perClass[c];
      return `${l} ${r === null ? '—' : `${(100 * r).toFixed(0)} %`} of ${e.classClips[c]}`;
    })
    .join(' · ');
  return [
    `estimated ${headlineText(e, unit)}, ${engine}`,
    `per class: ${perClass}`,
    ...basisLines(e, audio),
    ...[
      sessionLine(
        e,
        audio,
        audio
          ? 'try `quench stream --labels` on a recording made another time'
          : 'add pictures taken elsewhere, or try `quench eval` on some'
      )
    ]
      .filter((l): l is string => l !== undefined)
      .map((l) => `note: ${l}`)
  ];
}

/**
 * "detection thresholds: no 81 %, yes 78 % (chosen from …)"; the classes never announced (the
 * background, "other sounds") are left out.
 */
export function detectionLine(
  d: DetectionCalibration,
  labels: string[],
  background?: string
): string {
  const each = labels
    .map((l, c) =>
      l === background || isOtherSoundsClass(l) ? '' : `${l} ${thresholdText(d.thresholds[c])}`
    )
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

/** The layers a run from a base trains unless told otherwise. */
export const DEFAULT_TRAINED_LAYERS: TrainedLayers = 'head';

/**
 * What a run starts from: `--from base` (the default for sound when the bundled base is
 * installed, and a preset was not named), `scratch`, or a base file.
 */
async function startFor(v: Values, data: string): Promise<FromBase | undefined> {
  const layers = choiceFlag(v, 'train-layers', TRAINED_LAYERS) ?? DEFAULT_TRAINED_LAYERS;
  const from = startAsked(v.from, v.preset !== undefined);
  if (from === 'scratch') {
    if (v['train-layers'] !== undefined)
      throw new UsageError('--train-layers is for a run from a base (--from base)');
    return undefined;
  }
  if (v.preset !== undefined)
    throw new UsageError(
      "--preset is for a run from scratch; a run from a base uses the base's network"
    );
  let base: Base | undefined;
  if (from === 'base') {
    const kind = (await datasetModality(data)).modality === 'image' ? 'vision' : 'audio';
    base = kind === 'audio' ? await bundledBase('audio') : undefined;
    if (!base) {
      if (v.from === undefined) return undefined;
      throw new InputError(`${data}: ${missingBaseMessage(kind, 'use --from scratch')}`);
    }
  } else base = await loadBaseFile(resolve(from));
  return { base, train: layers };
}

/**
 * What `quench train` trains given its flags and the loaded spec: for a bundled preset, a new
 * project's run defaults (core/spec/defaults.ts, the app's Train form's too) under the flags; a
 * spec file keeps its own quantization and training blocks under the flags.
 */
export function trainSettings(
  v: Values,
  loaded: ModelSpec
): {
  spec: ModelSpec;
  options: Partial<TrainOptions>;
  actBits?: number;
  overrides: SpecOverrides;
} {
  const given = overridesFrom(v);
  const d =
    PRESET_NAMES.includes(loaded.name) && (!v.preset || v.preset === loaded.name)
      ? runDefaults(loaded.name)
      : undefined;
  const overrides: SpecOverrides = d
    ? {
        weightBits: d.weightBits,
        weightScheme: d.weightScheme,
        actBits: d.actBits,
        kwta: d.kwta,
        ...given
      }
    : given;
  const options: Partial<TrainOptions> = {
    ...(d && {
      epochs: d.epochs,
      learningRate: d.learningRate,
      l2: d.l2,
      optimizer: d.optimizer,
      probabilistic: d.probabilistic,
      iterativeRounds: d.iterativeRounds
    }),
    seed: intFlag(v, 'seed', 0, 2 ** 31 - 1) ?? d?.seed ?? 1
  };
  const epochs = intFlag(v, 'epochs', 1, 1000);
  if (epochs !== undefined) options.epochs = epochs;
  return { spec: applyOverrides(loaded, overrides), options, actBits: given.actBits, overrides };
}

export async function cmdTrain(v: Values, io: Io): Promise<number> {
  const data = resolve(required(v, 'data'));
  const out = resolve(required(v, 'out'));
  // Flag mistakes are usage errors, said before any file is read.
  overridesFrom(v);
  intFlag(v, 'epochs', 1, 1000);
  intFlag(v, 'seed', 0, 2 ** 31 - 1);
  choiceFlag(v, 'train-layers', TRAINED_LAYERS);
  const backgroundClass = await backgroundFor(v, data);
  const from = await startFor(v, data);
  // From a base: the base's network under the same settings a new project's form starts with.
  const settings = trainSettings(v, await loadSpec(v.preset, data));
  const { options, actBits } = settings;
  const spec = from ? specFromBase(from.base, settings.overrides, from.train) : settings.spec;
  servable(spec, actBits);
  if (from?.train === 'head') {
    const idle = (['act-bits', 'kwta'] as const).filter((k) => v[k] !== undefined);
    if (idle.length)
      io.err(
        `note: ${idle.map((k) => `--${k}`).join(' and ')} change nothing when only the last layer trains (no activation or k-WTA layer trains there); the base's are used. --train-layers top or all applies them`
      );
  }
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const started = io.now();
  let bytes: Uint8Array = new Uint8Array(0);
  let written: ModelContents | undefined;
  const r = await trainOnDataset(folderSource(data), spec, {
    ...options,
    from,
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
        // The whole job's share and time left: the served model and every fold.
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
  const audio = spec.input.kind !== 'image';
  const summary = {
    model: out,
    preset: spec.name,
    startedFrom: r.startedFrom,
    trainedLayers: r.trainedLayers,
    automaticClasses: r.automaticClasses,
    labels: r.contents.labels,
    counts: r.counts,
    examples: r.examples,
    evaluation: r.evaluation,
    balancedAccuracy: r.evaluation?.balancedAccuracy,
    accuracy: r.evaluation?.accuracy,
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
    const start = from
      ? `from ${from.base.name} (${r.trainedLayers === 'head' ? 'its last layer' : r.trainedLayers === 'top' ? 'its top block and last layer' : 'every layer'} trained)`
      : 'from scratch';
    io.out(
      `trained ${spec.name} ${start} on ${r.examples} examples of ${r.contents.labels.length} classes in ${seconds.toFixed(1)} s · wrote ${out} (${bytes.length} bytes)`
    );
    for (const c of r.automaticClasses) io.out(`added the class “${c.name}”: ${c.about}`);
    if (r.evaluation)
      for (const line of evaluationLines(r.evaluation, r.contents.labels, audio)) io.out(line);
    else io.out('accuracy: not estimated (cancelled)');
    if (r.detection) io.out(detectionLine(r.detection, r.contents.labels, r.scan.backgroundClass));
    io.out(
      `on its own ${r.served.clips} training clips: ${(100 * r.served.accuracy).toFixed(1)} % right, mean confidence ${(100 * r.served.meanTopProbability).toFixed(1)} % ${r.served.trainingLoss === undefined ? '' : ` (last training loss ${r.served.trainingLoss.toFixed(3)})`}`
    );
  }
  return 0;
}
