/**
 * The services behind the API, transport-free: `handle` validates a request and dispatches it;
 * events go to whoever subscribed. The Electron IPC wiring and the browser-mode server both wrap
 * one of these.
 */
import type { ApiEvents, Method, Req, Res } from '../../shared/api';
import { ApiError, validateRequest } from '../../shared/api';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decodeModel } from '../../../core/model-file/model-file';
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

type Listener = <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void;

export class ApiService {
  readonly store: ProjectStore;
  readonly trainer: TrainerHost;
  private listeners = new Set<Listener>();

  constructor(
    root: string,
    private readonly demoModel = findDemoModel()
  ) {
    this.store = new ProjectStore(root);
    this.trainer = new TrainerHost(this.store, {
      progress: (e) => this.emit('train:progress', e),
      updated: (r) => this.emit('run:updated', r),
      finished: (r) => this.emit('train:finished', r)
    });
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
        return s.get(q.project as string);
      case 'project:rename':
        return s.rename(q.project as string, q.name as string);
      case 'project:delete':
        await s.delete(q.project as string);
        return null;
      case 'project:import':
        return (await s.importFolder(q.project as string, q.folder as string)).project;
      case 'project:import-folder':
        return s.importFolder(q.project as string, q.folder as string);
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
          q.bytes as Uint8Array
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
      default:
        throw new ApiError(`unknown method ${String(m)}`);
    }
  }

  /** A new audio project whose only run is the bundled demo model. */
  private async createDemo(): Promise<Res<'project:demo'>> {
    if (!this.demoModel)
      throw new ApiError('the demo model is not installed (models/demo-words.qnm)');
    const bytes = new Uint8Array(await readFile(this.demoModel));
    const contents = decodeModel(bytes);
    const project = await this.store.create('Demo – yes or no', 'audio');
    await this.trainer.importRun(
      project.id,
      bytes,
      contents.labels,
      contents.metrics.validationAccuracy
    );
    return this.store.get(project.id);
  }

  async close(): Promise<void> {
    await this.trainer.close();
  }
}
