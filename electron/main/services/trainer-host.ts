/**
 * Runs training in a worker thread (the main process stays responsive), one run per project at a
 * time, and keeps the runs on disk: runs/<id>/run.json (atomic) and runs/<id>/model.qnm. Also the
 * model registry: list runs, load, export (ONNX or int-only) and delete their models.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { convertToInt } from '../../../core/engine/convert';
import { decodeModel } from '../../../core/model-file/model-file';
import { exportOnnx, type OnnxExportOptions } from '../../../core/onnx/export';
import { FrontEndError } from '../../../core/onnx/front-end';
import {
  applyOverrides,
  checkServable,
  DEFAULT_PRESET,
  getPreset,
  resolveSpec,
  SpecError,
  type ModelSpec
} from '../../../core/spec';
import { BaseError, specFromBase, startedFromLabel, type Base } from '../../../core/data/base';
import { bundledBasePath, loadBaseFile, missingBaseMessage, startAsked } from './bases';
import type { TrainOptions } from '../../../core/train/train-options';
import { fewProblems } from '../../../core/util/few';
import {
  ApiError,
  type ProjectKind,
  type RunEvaluation,
  type RunInfo,
  type TrainProgressEvent,
  type TrainSettings
} from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { deployedBytes, intOnlyModel } from './int-model-file';
import type { ProjectStore } from './project-store';
import type { WorkerIn, WorkerOut } from './train-worker';

export interface TrainerEvents {
  progress: (e: TrainProgressEvent) => void;
  updated: (run: RunInfo) => void;
  finished: (run: RunInfo) => void;
}

/** The worker entry: the built .js beside this module (packaged app), else the source via tsx. */
function spawnWorker(): Worker {
  const js = new URL('./train-worker.js', import.meta.url);
  if (existsSync(js)) return new Worker(js);
  // execArgv: [] — the parent's own loader flags (tsx, vitest) must not leak into the worker.
  return new Worker(new URL('./train-worker-dev.mjs', import.meta.url), { execArgv: [] });
}

/** The bundled base of a project kind's (none for pictures yet). */
function bundledKindBase(kind: ProjectKind): string | undefined {
  return kind === 'audio' ? bundledBasePath('audio') : undefined;
}

const RUN_ID = /^[a-z0-9-]{6,64}$/;

/**
 * The trained run a "what if" run's model comes from (following what-if of what-if); the nearest
 * run still there when one in the chain was deleted.
 */
export function trainedRunOf(run: RunInfo, runs: RunInfo[]): RunInfo {
  let r = run;
  const seen = new Set<string>([r.id]);
  while (r.quantizedFrom && !seen.has(r.quantizedFrom)) {
    const up = runs.find((x) => x.id === r.quantizedFrom && x.modelBytes);
    if (!up) break;
    seen.add(up.id);
    r = up;
  }
  return r;
}

export class TrainerHost {
  private active = new Map<string, { worker: Worker; run: RunInfo }>();
  /**
   * A worker spawned ahead of time with its training backend already started, so that a run
   * begins at once: loading the worker and tfjs took about 1.3 s of a first project's wait.
   */
  private spare: Worker | undefined;
  private closed = false;

  /**
   * `basePath` locates the base a project kind starts from (the model file; its record and pack
   * beside it), undefined when none is installed; by default the bundled one under models/.
   */
  constructor(
    private readonly store: ProjectStore,
    private readonly events: TrainerEvents,
    readonly basePath: (kind: ProjectKind) => string | undefined = bundledKindBase
  ) {}

  private runDir(project: string, run: string): string {
    if (!RUN_ID.test(run)) throw new ApiError('this run no longer exists');
    return join(this.store.runsDir(project), run);
  }

  private async saveRun(run: RunInfo): Promise<void> {
    await writeFileAtomic(
      join(this.runDir(run.project, run.id), 'run.json'),
      JSON.stringify(run, null, 2)
    );
  }

  /** The training options a run's settings give (what the form left unset: the preset's). */
  static optionsFor(settings: TrainSettings): Partial<TrainOptions> {
    return {
      epochs: settings.epochs,
      learningRate: settings.learningRate,
      l2: settings.l2,
      optimizer: settings.optimizer,
      probabilistic: settings.probabilistic,
      iterativeRounds: settings.iterativeRounds,
      seed: settings.seed
    };
  }

  /**
   * The spec a run trains: the base's network with the user's settings when `base` is given,
   * else the preset for the project's kind with them.
   */
  static specFor(kind: 'audio' | 'vision', s: TrainSettings, base?: Base): ModelSpec {
    const preset = s.preset ?? DEFAULT_PRESET[kind];
    let spec: ModelSpec;
    try {
      spec = base ? base.contents.spec : getPreset(preset);
    } catch (e) {
      throw new ApiError((e as Error).message);
    }
    const sound = (spec.features as { kind?: string } | undefined)?.kind === 'logmel';
    if (sound !== (kind === 'audio')) {
      throw new ApiError(
        `the preset ${preset} is for ${sound ? 'sounds' : 'images'}, and this is ${kind === 'audio' ? 'a sound' : 'an image'} project`
      );
    }
    try {
      const overrides = {
        weightBits: s.weightBits,
        weightScheme: s.weightScheme,
        actBits: s.actBits,
        kwta: s.kwta
      };
      const out = base
        ? specFromBase(base, overrides, s.trainLayers ?? 'head')
        : applyOverrides(spec, overrides);
      checkServable(resolveSpec(out, 2));
      return out;
    } catch (e) {
      if (e instanceof SpecError) throw new ApiError(e.problem);
      throw e;
    }
  }

  async start(project: string, settings: TrainSettings): Promise<RunInfo> {
    if (this.active.has(project))
      throw new ApiError('a training run is already going on in this project');
    const info = await this.store.get(project);
    if (info.classes.filter((c) => c.samples > 0).length < 2) {
      throw new ApiError('record samples of at least two classes before training');
    }
    const basePath = this.basePath(info.kind);
    const base = await TrainerHost.baseFor(info.kind, settings, basePath);
    const spec = TrainerHost.specFor(info.kind, settings, base);
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    await mkdir(this.runDir(project, id), { recursive: true });
    const run: RunInfo = {
      id,
      project,
      status: 'running',
      startedAt: new Date().toISOString(),
      settings,
      startedFrom: startedFromLabel(base),
      trainedOn: info.classes
        .filter((c) => c.samples > 0)
        .map((c) => ({ name: c.name, samples: c.samples }))
    };
    await this.saveRun(run);
    const options = TrainerHost.optionsFor(settings);
    this.launch(run, {
      type: 'start',
      dataDir: this.store.dataDir(project),
      modelPath: join(this.runDir(project, id), 'model.qnm'),
      spec,
      options,
      ...(base ? { from: { path: basePath!, train: settings.trainLayers ?? 'head' } } : {})
    });
    return run;
  }

  /**
   * The base a run starts from: the bundled base of the project's kind unless the settings say
   * scratch or name a preset without saying base; `path` is that base's model file (undefined:
   * none installed). Asking for a base that isn't installed is an ApiError that says how to make
   * it, and so is a base whose files are damaged (naming the file).
   */
  static async baseFor(
    kind: 'audio' | 'vision',
    s: TrainSettings,
    path: string | undefined
  ): Promise<Base | undefined> {
    if (startAsked(s.startFrom, s.preset !== undefined) === 'scratch') return undefined;
    const base = path
      ? await loadBaseFile(path).catch((e: unknown) => {
          throw e instanceof BaseError ? new ApiError(e.message) : e;
        })
      : undefined;
    if (!base && s.startFrom === 'base')
      throw new ApiError(missingBaseMessage(kind, 'start from scratch'));
    return base;
  }

  /**
   * A "what if" run: the model of `source` requantized at other weight bits / scheme, judged on
   * the same clips (what-if.ts), kept as a new run of the project. No retraining.
   */
  async quantize(
    project: string,
    sourceId: string,
    weightBits: number,
    weightScheme: 'linear' | 'exponential' | 'kmeans'
  ): Promise<RunInfo> {
    if (this.active.has(project))
      throw new ApiError('a training run is already going on in this project');
    const runs = await this.listRuns(project);
    const chosen = runs.find((r) => r.id === sourceId);
    if (!chosen) throw new ApiError('this run no longer exists');
    if (!chosen.modelBytes) throw new ApiError('this run has no model to requantize');
    // Requantizing keeps the float weights, so a what-if of a what-if is the trained run's model
    // rounded another way: start from that run, whose fold models and clips judge it the same.
    const source = trainedRunOf(chosen, runs);
    const settings: TrainSettings = { ...source.settings, weightBits, weightScheme };
    const kind = (await this.store.get(project)).kind;
    TrainerHost.specFor(kind, settings); // refuses what the engine could not serve
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    await mkdir(this.runDir(project, id), { recursive: true });
    const run: RunInfo = {
      id,
      project,
      status: 'running',
      startedAt: new Date().toISOString(),
      settings,
      quantizedFrom: source.id,
      trainedOn: source.trainedOn,
      startedFrom: source.startedFrom,
      trainedLayers: source.trainedLayers,
      automaticClasses: source.automaticClasses
    };
    await this.saveRun(run);
    this.launch(run, {
      type: 'quantize',
      dataDir: this.store.dataDir(project),
      sourceDir: this.runDir(project, source.id),
      modelPath: join(this.runDir(project, id), 'model.qnm'),
      source,
      to: { weightBits, weightScheme }
    });
    return run;
  }

  /** Files of an evaluation as "class/file" under the project's data folder. */
  private relativeFiles(project: string, e: RunEvaluation | undefined): RunEvaluation | undefined {
    if (!e) return undefined;
    const root = this.store.dataDir(project);
    const rel = (f: string) => (f.startsWith(root) ? relative(root, f).split(sep).join('/') : f);
    return {
      ...e,
      mistakes: e.mistakes.map((m) => ({ ...m, file: rel(m.file) })),
      predictions: e.predictions?.map((p) => ({ ...p, file: rel(p.file) }))
    };
  }

  /**
   * Spawns the spare worker if there is none (the app calls this when a project opens). Cheap to
   * call again; never while a run trains, so the spare doesn't take CPU from it.
   */
  warm(): void {
    if (this.spare || this.closed || this.active.size > 0) return;
    const w = spawnWorker();
    // A spare that dies before it is used is simply replaced by the next run's own worker.
    w.on('error', () => this.spare === w && (this.spare = undefined));
    w.on('exit', () => this.spare === w && (this.spare = undefined));
    this.spare = w;
  }

  /** Runs a job in a worker (the warm spare, else a new one), keeping its record and events. */
  private launch(initial: RunInfo, message: WorkerIn): void {
    const { project, id } = initial;
    const worker = this.spare ?? spawnWorker();
    this.spare = undefined;
    const active = { worker, run: initial };
    this.active.set(project, active);
    // run.json writes in order: a late write of an older state must never win.
    let writes = Promise.resolve();
    // A record that can't be written (its project folder deleted meanwhile) is said, never an
    // unhandled rejection: in the browser-mode server that would end the process.
    const save = (r: RunInfo) =>
      (writes = writes
        .then(() => this.saveRun(r))
        .catch((e: Error) => console.warn(`run ${id}: its record was not written: ${e.message}`)));
    const finish = async (patch: Partial<RunInfo>): Promise<void> => {
      if (this.active.get(project) !== active) return;
      this.active.delete(project);
      const done: RunInfo = { ...active.run, ...patch, finishedAt: new Date().toISOString() };
      await save(done);
      this.events.finished(done);
      await worker.terminate();
      this.warm();
    };
    worker.on('message', (m: WorkerOut) => {
      if (m.type === 'progress') {
        const p = m.progress;
        this.events.progress({
          project,
          run: id,
          phase: m.stage === 'scan' ? 'scan' : String(p.phase),
          fold: p.fold === undefined ? undefined : Number(p.fold),
          folds: p.folds === undefined ? undefined : Number(p.folds),
          epoch: Number(p.epoch ?? 0),
          epochs: Number(p.epochs ?? 0),
          batch: Number(p.batch ?? p.done ?? 0),
          batches: Number(p.batches ?? p.total ?? 0),
          loss: Number(p.loss ?? 0),
          accuracy: Number(p.accuracy ?? 0),
          samplesPerSecond: Number(p.samplesPerSecond ?? 0),
          etaSeconds: Number(p.etaSeconds ?? 0),
          fraction: p.fraction === undefined ? undefined : Number(p.fraction),
          check: p.check === 'own' || p.check === 'held-out' ? p.check : undefined,
          validationAccuracy:
            p.validationAccuracy === undefined ? undefined : Number(p.validationAccuracy)
        });
      } else if (m.type === 'model') {
        active.run = {
          ...active.run,
          modelBytes: m.modelBytes,
          deployedBytes: m.deployedBytes,
          labels: m.labels
        };
        void save(active.run).then(() => this.events.updated(active.run));
      } else if (m.type === 'done') {
        void finish({
          status: m.cancelled ? 'cancelled' : 'done',
          validationAccuracy: m.evaluation?.accuracy,
          evaluation: this.relativeFiles(project, m.evaluation),
          evaluationNote: m.evaluationNote,
          evaluationCancelled: m.evaluationCancelled || undefined,
          served: m.served,
          warnings: m.warnings,
          labels: m.labels,
          history: m.history,
          scan: m.scan,
          energy: m.energy,
          // A what-if run keeps its trained run's start (its worker does not report one).
          startedFrom: m.startedFrom ?? active.run.startedFrom,
          trainedLayers: m.trainedLayers ?? active.run.trainedLayers,
          automaticClasses: m.automaticClasses ?? active.run.automaticClasses
        });
      } else {
        const files = m.problems?.length
          ? `: ${fewProblems(m.problems, this.store.dataDir(project))}`
          : '';
        // Files as "class/file": a path would show the project's internal folder name.
        const message = m.message.split(this.store.dataDir(project) + sep).join('');
        void finish({ status: 'failed', error: `${message.replace(/:$/, '')}${files}` });
      }
    });
    worker.on('error', (e) => void finish({ status: 'failed', error: e.message }));
    worker.on(
      'exit',
      (code) =>
        void finish({ status: 'failed', error: `the training worker stopped (code ${code})` })
    );
    worker.postMessage(message);
  }

  /** Adds a finished run holding an existing model (the bundled demo). */
  async importRun(
    project: string,
    model: Uint8Array,
    labels: string[],
    accuracy?: number,
    record: Partial<RunInfo> = {}
  ): Promise<RunInfo> {
    const id = `${Date.now().toString(36)}-demo`;
    await mkdir(this.runDir(project, id), { recursive: true });
    await writeFileAtomic(join(this.runDir(project, id), 'model.qnm'), model);
    const now = new Date().toISOString();
    const run: RunInfo = {
      status: 'done',
      startedAt: now,
      finishedAt: now,
      settings: {},
      validationAccuracy: accuracy,
      ...record,
      id,
      project,
      labels,
      modelBytes: model.length,
      deployedBytes: deployedBytes(decodeModel(model))
    };
    await this.saveRun(run);
    return run;
  }

  cancel(project: string): void {
    const a = this.active.get(project);
    if (!a) throw new ApiError('no training run is going on in this project');
    a.worker.postMessage({ type: 'cancel' } satisfies WorkerIn);
  }

  /** Runs of a project, newest first; a run left 'running' by a crash is reported as failed. */
  async listRuns(project: string): Promise<RunInfo[]> {
    await this.store.get(project);
    const dir = this.store.runsDir(project);
    const out: RunInfo[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || !RUN_ID.test(e.name)) continue;
      try {
        const run = JSON.parse(await readFile(join(dir, e.name, 'run.json'), 'utf8')) as RunInfo;
        if (run.status === 'running' && !this.active.has(project)) {
          run.status = 'failed';
          run.error = 'interrupted (the app closed during training)';
        }
        out.push(run);
      } catch {
        // No readable run.json: the run never got going.
      }
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async loadModel(project: string, run: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(join(this.runDir(project, run), 'model.qnm')));
    } catch {
      throw new ApiError('this run has no model file');
    }
  }

  async exportModel(
    project: string,
    run: string,
    format: 'onnx' | 'int',
    onnx: Pick<OnnxExportOptions, 'input' | 'width' | 'height'> = {}
  ): Promise<Uint8Array> {
    const contents = decodeModel(await this.loadModel(project, run));
    const model = convertToInt(contents);
    if (format !== 'onnx') return intOnlyModel({ ...contents, int: model });
    const doc = `Quench ${contents.spec.name}; classes: ${contents.labels.join(', ')}`;
    try {
      const features = contents.spec.features as unknown as OnnxExportOptions['features'];
      return exportOnnx(model, doc, { ...onnx, features });
    } catch (e) {
      if (e instanceof FrontEndError) throw new ApiError(e.message);
      throw e;
    }
  }

  async deleteModel(project: string, run: string): Promise<void> {
    if (this.active.get(project)?.run.id === run) throw new ApiError('this run is still training');
    const dir = this.runDir(project, run);
    const trash = join(this.store.runsDir(project), `.deleted-${run}`);
    try {
      await rename(dir, trash);
    } catch {
      throw new ApiError('this run no longer exists');
    }
    await rm(trash, { recursive: true, force: true });
  }

  /** Stops every worker (on quit). */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([
      ...[...this.active.values()].map((a) => a.worker.terminate()),
      spare?.terminate()
    ]);
    this.active.clear();
  }
}
