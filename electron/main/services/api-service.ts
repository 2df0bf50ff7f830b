/**
 * The services behind the API, transport-free: `handle` validates a request and dispatches it;
 * events go to whoever subscribed. The Electron IPC wiring and the browser-mode server both wrap
 * one of these.
 */
import type {
  ApiEvents,
  BaseInfo,
  FolderKeep,
  Method,
  ProjectKind,
  Req,
  Res,
  RunInfo
} from '../../shared/api';
import { ApiError, checkTrainSettings, validateRequest } from '../../shared/api';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BaseError } from '../../../core/data/base';
import { decodeModel } from '../../../core/model-file/model-file';
import { describeBase, loadBaseFile } from './bases';
import { exportProject, importProject } from './project-archive';
import { ProjectStore } from './project-store';
import { TrainerHost } from './trainer-host';

/** The bundled demo model: beside the sources, or beside the built main bundle. */
function findDemoModel(): string | undefined {
  const candidates = [
    resolve(import.meta.dirname, '../../../models/demo-words.qnm'),
    resolve(import.meta.dirname, '../../models/demo-words.qnm')
  ];
  return candidates.find((p) => existsSync(p));
}

/** The demo model's training record beside it (written by scripts/make-demo-model.ts). */
async function demoRecord(
  model: string
): Promise<{ about: string; run: Partial<RunInfo> } | undefined> {
  try {
    const raw = JSON.parse(await readFile(model.replace(/\.qnm$/, '.json'), 'utf8')) as {
      about?: unknown;
      run?: Partial<RunInfo>;
    };
    if (typeof raw.about !== 'string' || typeof raw.run !== 'object' || raw.run === null)
      return undefined;
    checkTrainSettings(raw.run.settings ?? {}, 'the demo settings');
    return { about: raw.about, run: raw.run };
  } catch {
    return undefined; // no record: the demo still works, with less to show
  }
}

type Listener = <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void;

export class ApiService {
  readonly store: ProjectStore;
  readonly trainer: TrainerHost;
  private listeners = new Set<Listener>();

  /**
   * `options.basePath` locates the base each project kind starts from (default: the bundled
   * models/keyword-base.qnm for sound, none for pictures); tests point it elsewhere.
   */
  constructor(
    root: string,
    private readonly demoModel = findDemoModel(),
    options: { basePath?: (kind: ProjectKind) => string | undefined } = {}
  ) {
    this.store = new ProjectStore(root);
    this.trainer = new TrainerHost(
      this.store,
      {
        progress: (e) => this.emit('train:progress', e),
        updated: (r) => this.emit('run:updated', r),
        finished: (r) => this.emit('train:finished', r)
      },
      options.basePath
    );
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  /** Validates and runs one request; throws ApiError with a message fit for the user. */
  async handle(method: unknown, payload: unknown): Promise<unknown> {
    const { method: m, req } = validateRequest(method, payload);
    return this.dispatch(m, req);
  }

  private async dispatch<M extends Method>(m: M, r: Req<M>): Promise<Res<Method>> {
    const s = this.store;
    const q = r as Record<string, never> & Req<Method> & Record<string, unknown>;
    switch (m) {
      case 'project:list':
        return s.list();
      case 'project:create':
        return s.create(q.name as string, q.kind as 'audio' | 'vision');
      case 'project:demo':
        return this.createDemo();
      case 'project:get':
        // Someone is about to work on a project: have a training worker ready.
        this.trainer.warm();
        return s.get(q.project as string);
      case 'project:rename':
        return s.rename(q.project as string, q.name as string);
      case 'project:delete':
        await s.delete(q.project as string);
        return null;
      case 'project:import':
        return (await s.importFolder(q.project as string, q.folder as string)).project;
      case 'project:inspect-folder':
        return s.inspectFolder(q.project as string, q.folder as string);
      case 'project:import-folder':
        return s.importFolder(
          q.project as string,
          q.folder as string,
          q.keep as FolderKeep[] | undefined
        );
      case 'sample:inspect':
        return s.inspectSample(
          q.project as string,
          q.className as string,
          q.name as string,
          q.bytes as Uint8Array
        );
      case 'sample:import':
        return s.importSample(
          q.project as string,
          q.className as string,
          q.name as string,
          q.bytes as Uint8Array,
          q.keep as number[] | undefined
        );
      case 'class:add':
        return s.addClass(q.project as string, q.name as string);
      case 'class:rename':
        return s.renameClass(q.project as string, q.from as string, q.to as string);
      case 'class:delete':
        return s.deleteClass(q.project as string, q.name as string);
      case 'sample:add':
        return s.addSample(
          q.project as string,
          q.className as string,
          q.bytes as Uint8Array,
          q.format as 'wav'
        );
      case 'sample:list':
        return s.listSamples(q.project as string, q.className as string);
      case 'sample:read':
        return s.readSample(q.project as string, q.className as string, q.file as string);
      case 'sample:delete':
        await s.deleteSample(q.project as string, q.className as string, q.file as string);
        return null;
      case 'train:start':
        return this.trainer.start(
          q.project as string,
          q.settings as Req<'train:start'>['settings']
        );
      case 'train:cancel':
        this.trainer.cancel(q.project as string);
        return null;
      case 'base:info':
        return this.baseInfo(q.kind as ProjectKind);
      case 'run:list':
        return this.trainer.listRuns(q.project as string);
      case 'model:load':
        return this.trainer.loadModel(q.project as string, q.run as string);
      case 'model:export':
        return this.trainer.exportModel(q.project as string, q.run as string, q.format as 'onnx', {
          input: q.input as 'features' | 'raw' | undefined,
          width: q.width as number | undefined,
          height: q.height as number | undefined
        });
      case 'model:delete':
        await this.trainer.deleteModel(q.project as string, q.run as string);
        return null;
      // ---- Issue 16b ----
      case 'sample:record':
        return s.recordSample(
          q.project as string,
          q.className as string,
          q.bytes as Uint8Array,
          q.keep as number[] | undefined
        );
      case 'sample:restore':
        return s.restoreSample(q.project as string, q.className as string, q.file as string);
      case 'sample:move':
        return s.moveSample(
          q.project as string,
          q.className as string,
          q.file as string,
          q.to as string
        );
      case 'project:devices': {
        const r = q as unknown as Req<'project:devices'>;
        return s.setDevices(r.project, { mic: r.mic, camera: r.camera });
      }
      case 'project:export':
        return exportProject(s, q.project as string);
      case 'project:import-file':
        return importProject(s, q.name as string, q.bytes as Uint8Array);
      case 'run:quantize': {
        const r = q as unknown as Req<'run:quantize'>;
        return this.trainer.quantize(r.project, r.run, r.weightBits, r.weightScheme);
      }
      default:
        throw new ApiError(`unknown method ${String(m)}`);
    }
  }

  /**
   * The demo project: an audio project whose run is the bundled demo model with its training
   * record (models/demo-words.json). Made once; opening the demo again opens the same project.
   */
  private async createDemo(): Promise<Res<'project:demo'>> {
    const existing = await this.store.findDemo();
    if (existing && (await this.trainer.listRuns(existing.id)).length) return existing;
    if (!this.demoModel)
      throw new ApiError('the demo model is not installed (models/demo-words.qnm)');
    const bytes = new Uint8Array(await readFile(this.demoModel));
    const contents = decodeModel(bytes);
    const record = await demoRecord(this.demoModel);
    const about =
      record?.about ??
      'A model that knows “yes”, “no” and background noise, trained by scripts/make-demo-model.ts.';
    const project =
      existing ??
      (await this.store.create('Demo – yes or no', 'audio', new Date(), { demo: { about } }));
    await this.trainer.importRun(
      project.id,
      bytes,
      contents.labels,
      contents.metrics.validationAccuracy,
      record?.run
    );
    return this.store.get(project.id);
  }

  /**
   * The base installed for `kind`, described for the Train form; null when none is. A base whose
   * files are damaged is an ApiError naming the file and the problem.
   */
  private async baseInfo(kind: ProjectKind): Promise<BaseInfo | null> {
    const path = this.trainer.basePath(kind);
    if (!path) return null;
    try {
      return describeBase(await loadBaseFile(path), kind);
    } catch (e) {
      if (e instanceof BaseError) throw new ApiError(e.message);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.trainer.close();
  }
}
