/**
 * The app's shared state: which view is open, the projects, the open project and its runs, the
 * training in progress. Views read it and call its methods; every call goes through the API.
 */
import type {
  BaseInfo,
  ProjectInfo,
  ProjectKind,
  RunInfo,
  TrainProgressEvent,
  TrainSettings
} from '../../../electron/shared/api';
import { api } from '../api/client';
import { accuracyText } from '../lib/runs';
import type { Route } from './route';

export type View = 'projects' | 'collect' | 'train' | 'live';

/** A message and the view it belongs to (it shows only there, and goes when that view is left). */
interface Message {
  text: string;
  view: View;
}

class AppState {
  #view = $state<View>('projects');
  #error = $state<Message>({ text: '', view: 'projects' });
  #status = $state<Message>({ text: '', view: 'projects' });

  /** The open view; leaving a view clears its messages (they were about what was done there). */
  get view(): View {
    return this.#view;
  }
  set view(v: View) {
    if (v === this.#view) return;
    if (this.#error.view === this.#view) this.#error = { text: '', view: v };
    if (this.#status.view === this.#view) this.#status = { text: '', view: v };
    this.#view = v;
  }

  /** The error of the open view ('' when none); setting it files it under the open view. */
  get error(): string {
    return this.#error.view === this.#view ? this.#error.text : '';
  }
  set error(text: string) {
    this.#error = { text, view: this.#view };
  }

  /** The status line of the open view; setting it files it under the open view. */
  get status(): string {
    return this.#status.view === this.#view ? this.#status.text : '';
  }
  set status(text: string) {
    this.#status = { text, view: this.#view };
  }

  /**
   * The person's own moves between views and projects, counted: an open that was still loading
   * when the person went elsewhere must not pull them back when it finishes.
   */
  #moves = 0;

  /** A view chosen by the person (the tabs). */
  go(v: View): void {
    this.#moves++;
    this.view = v;
  }

  /** A status line for a given view (e.g. training finished while another view is open). */
  say(text: string, view: View): void {
    this.#status = { text, view };
  }

  projects = $state.raw<ProjectInfo[]>([]);
  /** Projects opened so far: the page moves keyboard focus to the new view's tab on each. */
  opened = $state(0);
  #refreshes = 0;
  #project = $state.raw<ProjectInfo | undefined>(undefined);
  get project(): ProjectInfo | undefined {
    return this.#project;
  }
  /** Set from any answer that carries the project (class:add …): it outdates refreshes in flight. */
  set project(p: ProjectInfo | undefined) {
    this.#refreshes++;
    this.#project = p;
  }
  runs = $state.raw<RunInfo[]>([]);
  /** Progress reports of the run going on (for the bar and the curves). */
  progress = $state.raw<TrainProgressEvent[]>([]);
  /** Between asking for a run and the run being listed. */
  private starting = $state(false);
  /** A run of this project is training (also one found running after a reload). */
  training = $derived(this.starting || this.runs.some((r) => r.status === 'running'));
  /**
   * The base each kind of project can start from (base:info), null when none is installed; asked
   * once per kind, when a project of that kind is first opened.
   */
  bases = $state.raw<Partial<Record<ProjectKind, BaseInfo | null>>>({});
  /** The open project's base (undefined: none installed, a picture project, or not known yet). */
  get base(): BaseInfo | undefined {
    return (this.project && this.bases[this.project.kind]) ?? undefined;
  }
  /** The run Live uses when the person picked one (else the default, see lib/runs). */
  liveRun = $state<string | undefined>(undefined);

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
      const what = r.quantizedFrom ? 'Requantization' : 'Training';
      // Said in the page's live status line, so a screen reader hears the outcome too.
      this.say(
        r.status === 'done' && r.evaluationCancelled
          ? `${what} finished. Its accuracy estimate was cancelled: the model is saved and Live can use it, but it has no accuracy figure.`
          : r.status === 'done'
            ? `${what} finished. Accuracy: ${accuracyText(r, this.project?.kind)}.`
            : r.status === 'cancelled'
              ? `${what} cancelled.`
              : `${what} failed: ${r.error ?? ''}`,
        'train'
      );
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

  /** Opens the demo project (the same one each time), straight into the Live view. */
  async demo(): Promise<void> {
    const moves = ++this.#moves;
    const p = await this.attempt(() => api.call('project:demo', {}));
    if (!p || moves !== this.#moves) return;
    await this.loadProjects();
    await this.open(p.id, 'live', moves);
  }

  /**
   * Opens a project at `view`. Abandoned when the person moves elsewhere before it has loaded
   * (`moves`: the count of moves this open belongs to).
   */
  async open(id: string, view: View = 'collect', moves = ++this.#moves): Promise<void> {
    const p = await this.attempt(() => api.call('project:get', { project: id }));
    if (!p || moves !== this.#moves) return;
    await this.loadBase(p.kind);
    if (moves !== this.#moves) return;
    this.project = p;
    this.progress = [];
    this.liveRun = undefined;
    this.runs = [];
    // The view with the project, not after its runs: the header must never name a project over
    // another view (the runs fill in when they arrive).
    this.view = view;
    this.opened++;
    await this.loadRuns();
  }

  /**
   * Asks which base projects of `kind` start from, once. A damaged base is said on the Train view
   * and counts as none (runs start from scratch); an answer that is not a base counts as none.
   */
  async loadBase(kind: ProjectKind): Promise<void> {
    if (kind in this.bases) return;
    let base: BaseInfo | null = null;
    try {
      const b = await api.call('base:info', { kind });
      if (b && typeof b === 'object' && typeof b.name === 'string' && b.kind === kind) base = b;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.#error = {
        text: `The base can't be used, runs start from scratch: ${why}`,
        view: 'train'
      };
    }
    this.bases = { ...this.bases, [kind]: base };
  }

  /**
   * Comes back to where the page was before a reload (the address's route): that project and
   * view, or the Projects page, saying so, when the project is gone.
   */
  async restore(route: Route): Promise<void> {
    if (!route.project || route.project === this.project?.id) {
      if (route.project) this.view = route.view;
      else if (route.view === 'projects') this.view = 'projects';
      return;
    }
    const id = route.project;
    const p = await api.call('project:get', { project: id }).catch(() => undefined);
    if (!p) {
      this.view = 'projects';
      this.status = 'The project open before is no longer here.';
      return;
    }
    await this.open(id, route.view);
  }

  /**
   * Reloads the open project (classes, counts). Only the newest request's answer is kept: an older
   * one arriving after it (many saves in a row, a loaded machine) would put back stale counts.
   */
  async refreshProject(): Promise<void> {
    if (!this.project) return;
    const id = this.project.id;
    const n = ++this.#refreshes;
    const p = await this.attempt(() => api.call('project:get', { project: id }));
    if (p && n === this.#refreshes && this.#project?.id === id) this.#project = p;
  }

  async loadRuns(): Promise<void> {
    if (!this.project) return;
    const id = this.project.id;
    const runs = await this.attempt(() => api.call('run:list', { project: id }));
    if (runs) this.runs = runs;
  }

  /** A "what if" run: `run` requantized at other weight bits / scheme, as a new run. */
  async requantize(
    run: string,
    weightBits: number,
    weightScheme: 'linear' | 'exponential' | 'kmeans'
  ): Promise<RunInfo | undefined> {
    if (!this.project || this.training) return undefined;
    const id = this.project.id;
    this.progress = [];
    this.starting = true;
    try {
      const r = await this.attempt(() =>
        api.call('run:quantize', { project: id, run, weightBits, weightScheme })
      );
      if (r) this.upsertRun(r);
      return r;
    } finally {
      this.starting = false;
    }
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
