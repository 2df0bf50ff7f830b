/**
 * The app's shared state: which view is open, the projects, the open project and its runs, the
 * training in progress. Views read it and call its methods; every call goes through the API.
 */
import type {
  ProjectInfo,
  RunInfo,
  TrainProgressEvent,
  TrainSettings
} from '../../../electron/shared/api';
import { api } from '../api/client';

export type View = 'projects' | 'collect' | 'train' | 'live';

class AppState {
  view = $state<View>('projects');
  projects = $state.raw<ProjectInfo[]>([]);
  project = $state.raw<ProjectInfo | undefined>(undefined);
  runs = $state.raw<RunInfo[]>([]);
  /** Progress reports of the run going on (for the bar and the curves). */
  progress = $state.raw<TrainProgressEvent[]>([]);
  /** Between asking for a run and the run being listed. */
  private starting = $state(false);
  /** A run of this project is training (also one found running after a reload). */
  training = $derived(this.starting || this.runs.some((r) => r.status === 'running'));
  /** The run Live uses when the person picked one (else the default, see lib/runs). */
  liveRun = $state<string | undefined>(undefined);
  error = $state('');
  status = $state('');

  constructor() {
    api.on('train:progress', (p) => {
      if (p.project !== this.project?.id) return;
      // Progress of another run than the shown one (e.g. after a reload) starts a new series.
      const same = this.progress.length === 0 || this.progress[0].run === p.run;
      this.progress = same ? [...this.progress, p] : [p];
    });
    api.on('run:updated', (r) => {
      if (r.project === this.project?.id) this.upsertRun(r);
    });
    api.on('train:finished', (r) => {
      if (r.project !== this.project?.id) return;
      this.upsertRun(r);
      this.status =
        r.status === 'done'
          ? 'Training finished.'
          : r.status === 'cancelled'
            ? 'Training cancelled.'
            : `Training failed: ${r.error ?? ''}`;
      void this.loadRuns();
    });
  }

  private upsertRun(r: RunInfo): void {
    const known = this.runs.find((x) => x.id === r.id);
    // A late answer must not turn a finished run back into a running one.
    if (known && known.status !== 'running' && r.status === 'running') return;
    const rest = this.runs.filter((x) => x.id !== r.id);
    this.runs = [r, ...rest].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** Runs an action, showing its error instead of throwing. */
  async attempt<T>(what: () => Promise<T>): Promise<T | undefined> {
    this.error = '';
    try {
      return await what();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  async loadProjects(): Promise<void> {
    await this.attempt(async () => (this.projects = await api.call('project:list', {})));
  }

  async create(name: string, kind: 'audio' | 'vision'): Promise<void> {
    const p = await this.attempt(() => api.call('project:create', { name, kind }));
    if (p) {
      await this.loadProjects();
      await this.open(p.id);
    }
  }

  /** Opens a new project holding the bundled demo model, straight into the Live view. */
  async demo(): Promise<void> {
    const p = await this.attempt(() => api.call('project:demo', {}));
    if (!p) return;
    await this.loadProjects();
    await this.open(p.id);
    this.view = 'live';
  }

  async open(id: string): Promise<void> {
    const p = await this.attempt(() => api.call('project:get', { project: id }));
    if (!p) return;
    this.project = p;
    this.progress = [];
    this.liveRun = undefined;
    await this.loadRuns();
    this.view = 'collect';
  }

  async refreshProject(): Promise<void> {
    if (!this.project) return;
    const id = this.project.id;
    const p = await this.attempt(() => api.call('project:get', { project: id }));
    if (p) this.project = p;
  }

  async loadRuns(): Promise<void> {
    if (!this.project) return;
    const id = this.project.id;
    const runs = await this.attempt(() => api.call('run:list', { project: id }));
    if (runs) this.runs = runs;
  }

  async startTraining(settings: TrainSettings): Promise<void> {
    if (!this.project || this.training) return;
    const id = this.project.id;
    this.progress = [];
    this.status = '';
    this.starting = true;
    try {
      const run = await this.attempt(() => api.call('train:start', { project: id, settings }));
      if (run) this.upsertRun(run);
    } finally {
      this.starting = false;
    }
  }

  async cancelTraining(): Promise<void> {
    if (!this.project) return;
    const id = this.project.id;
    await this.attempt(() => api.call('train:cancel', { project: id }));
  }
}

export const app = new AppState();
