/**
 * The Train view's settings form, one per project: each project keeps its own last settings
 * (what its form held this session, else its newest trained run's), and a new project starts
 * from its kind's preset with that preset's defaults. Settings never carry over from another
 * project. Filled from a run by "Copy settings", and turned into the API's TrainSettings.
 */
import type { BaseInfo, ProjectKind, RunInfo, TrainSettings } from '../../../electron/shared/api';
import { NEW_RUN_WEIGHT_BITS, runDefaults } from '../../../core/spec/defaults';
import { TRAIN_LAYERS_NAME } from '../lib/runs';
import { defaultPreset, presetFits, presetTraining, type PresetTraining } from '../lib/presets';

type Scheme = 'linear' | 'exponential' | 'kmeans';
type TrainLayers = NonNullable<TrainSettings['trainLayers']>;

/**
 * Every field of the form for a new project training `preset`: core's run defaults, the same
 * `quench train` uses (the seed is not a field: runs train with the default one).
 */
export function formDefaults(
  preset: string
): Required<Omit<TrainSettings, 'seed' | 'startFrom' | 'trainLayers'>> {
  const { seed: _seed, ...rest } = runDefaults(preset);
  return rest;
}

/**
 * The settings a run trained with, as the form takes them: its own (without the seed), with where
 * it started from its record (a run whose settings left the start to the API's default says in
 * `startedFrom` what it was). Runs from before bases record no start and leave it to the form.
 */
export function runSettings(r: RunInfo): TrainSettings {
  const { seed: _seed, ...rest } = r.settings;
  if (r.startedFrom === undefined) return rest;
  const base = r.startedFrom.startsWith('base:');
  const layers = r.trainedLayers;
  return {
    ...rest,
    startFrom: base ? 'base' : 'scratch',
    ...(base && (layers === 'head' || layers === 'top' || layers === 'all')
      ? { trainLayers: layers }
      : {})
  };
}

/** A project's last settings from its runs: the newest trained run's (what-if runs train nothing). */
export function lastRunSettings(runs: RunInfo[]): TrainSettings | undefined {
  const r = runs
    .filter((x) => !x.quantizedFrom && Object.keys(x.settings ?? {}).length > 0)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  return r && runSettings(r);
}

export class TrainForm {
  preset = $state('audio-small');
  weightBits = $state(NEW_RUN_WEIGHT_BITS);
  weightScheme = $state<Scheme>('linear');
  actBits = $state(8);
  kwta = $state(0.5);
  epochs = $state(20);
  learningRate = $state(0.003);
  l2 = $state(0.0001);
  optimizer = $state<'adam' | 'sgd'>('adam');
  probabilistic = $state(false);
  iterativeRounds = $state(0);
  /**
   * A sound project's start: its kind's installed base, or scratch (random values on the
   * preset). Picture projects always start from scratch (there is no picture base).
   */
  startFrom = $state<'base' | 'scratch'>('scratch');
  /** From the base: which layers train (Advanced). */
  trainLayers = $state<TrainLayers>('head');
  /** The base this project's kind can start from; undefined when none is installed. */
  base = $state.raw<BaseInfo | undefined>(undefined);
  /** Which run the form was last filled from (for the message under it). */
  copiedFrom = $state<string | undefined>(undefined);
  #project: string | undefined;
  #kind: ProjectKind = 'audio';
  /** This session's last form of each project left (by id; not reactive: read on opening). */
  #kept: Record<string, TrainSettings> = {};

  /**
   * Shows the form of `project`: its settings as last left this session, else its newest trained
   * run's, else its kind's default preset with that preset's defaults. A sound project starts
   * from `base` (the installed base of its kind, from base:info) unless its last settings said
   * scratch. Opening the project shown changes nothing (the form keeps what is being typed).
   */
  open(project: { id: string; kind: ProjectKind }, runs: RunInfo[], base?: BaseInfo | null): void {
    if (project.id === this.#project) return;
    if (this.#project !== undefined) this.#kept[this.#project] = this.settings();
    this.#project = project.id;
    this.#kind = project.kind;
    this.copiedFrom = undefined;
    this.base = base && base.kind === project.kind && project.kind === 'audio' ? base : undefined;
    this.startFrom = this.base ? 'base' : 'scratch';
    this.trainLayers = 'head';
    const last = this.#kept[project.id] ?? lastRunSettings(runs);
    const preset = presetFits(last?.preset, project.kind)
      ? last.preset
      : defaultPreset(project.kind);
    this.#set(formDefaults(preset));
    if (last) this.#set(last);
  }

  /**
   * Chooses another preset (of the project's kind): the training fields still at the old preset's
   * defaults move to the new one's (digits trains 10 epochs, vision-small 15); what the person
   * changed stays.
   */
  choosePreset(name: string): void {
    if (!presetFits(name, this.#kind) || name === this.preset) return;
    const before = presetTraining(this.preset);
    const after = presetTraining(name);
    for (const k of Object.keys(after) as (keyof PresetTraining)[]) {
      if (this[k] === before[k]) (this as Record<keyof PresetTraining, unknown>)[k] = after[k];
    }
    this.preset = name;
  }

  /** The advanced settings that differ from their defaults, as the form names them. */
  advancedChanges(): string[] {
    const d = presetTraining(this.preset);
    const out: string[] = [];
    if (this.learningRate !== d.learningRate) out.push(`learning rate ${this.learningRate}`);
    if (this.l2 !== d.l2) out.push(`L2 ${this.l2}`);
    if (this.optimizer !== d.optimizer) out.push(this.optimizer === 'sgd' ? 'SGD' : 'Adam');
    if (this.probabilistic) out.push('probabilistic rounding');
    if (this.iterativeRounds > 0)
      out.push(`${this.iterativeRounds} k-means round${this.iterativeRounds === 1 ? '' : 's'}`);
    if (this.fromBase && this.trainLayers !== 'head')
      out.push(`${TRAIN_LAYERS_NAME[this.trainLayers]} trained`);
    return out;
  }

  /**
   * Why these settings can't train, or '' when they can: k-WTA picks its winners among integer
   * activation codes, so float (32-bit) activations need k-WTA off (the API refuses them).
   */
  problem(): string {
    if (this.actBits === 32 && this.kwta < 1)
      return 'Float activations need k-WTA off: k-WTA picks its winners among integer activation codes, which float activations do not have. Set “channels kept” to 1, or choose 1–8 activation bits.';
    return '';
  }

  /** The run will start from the base (a sound project with the base installed and chosen). */
  /** A run from the base that trains only its last layer. */
  get headOnly(): boolean {
    return this.fromBase && this.base !== undefined && this.trainLayers === 'head';
  }

  /**
   * The activation bits and k-WTA fraction the run gets: with only the last layer training, no
   * activation or k-WTA layer trains, so they are the base's whatever the fields held before.
   */
  get actBitsUsed(): number {
    return this.headOnly ? this.base!.served.actBits : this.actBits;
  }

  get kwtaUsed(): number {
    return this.headOnly ? this.base!.served.kwta : this.kwta;
  }

  get fromBase(): boolean {
    return this.startFrom === 'base' && this.base !== undefined;
  }

  /**
   * The API's settings. From the base: no preset (the network is the base's) and which layers
   * train; a sound project from scratch says so (the API's default is the base when installed).
   */
  settings(): TrainSettings {
    const start: TrainSettings =
      this.#kind !== 'audio'
        ? { preset: this.preset }
        : this.fromBase
          ? { startFrom: 'base', trainLayers: this.trainLayers }
          : { preset: this.preset, startFrom: 'scratch' };
    return {
      ...start,
      weightBits: this.weightBits,
      weightScheme: this.weightScheme,
      actBits: this.actBitsUsed,
      kwta: this.kwtaUsed,
      epochs: this.epochs,
      learningRate: this.learningRate,
      l2: this.l2,
      optimizer: this.optimizer,
      probabilistic: this.probabilistic,
      iterativeRounds: this.iterativeRounds
    };
  }

  /** Fills in what a run set (what it left unset keeps the form's value). */
  apply(s: TrainSettings, from?: string): void {
    this.#set(s);
    this.copiedFrom = from;
  }

  #set(s: TrainSettings): void {
    if (presetFits(s.preset, this.#kind)) this.preset = s.preset;
    if (s.weightBits !== undefined) this.weightBits = s.weightBits;
    if (s.weightScheme !== undefined) this.weightScheme = s.weightScheme;
    if (s.actBits !== undefined) this.actBits = s.actBits;
    if (s.kwta !== undefined) this.kwta = s.kwta;
    if (s.epochs !== undefined) this.epochs = s.epochs;
    if (s.learningRate !== undefined) this.learningRate = s.learningRate;
    if (s.l2 !== undefined) this.l2 = s.l2;
    if (s.optimizer !== undefined) this.optimizer = s.optimizer;
    if (s.probabilistic !== undefined) this.probabilistic = s.probabilistic;
    if (s.iterativeRounds !== undefined) this.iterativeRounds = s.iterativeRounds;
    // A run from a base in a project whose base is gone since starts from scratch.
    if (s.startFrom === 'scratch' || (s.startFrom === 'base' && this.base))
      this.startFrom = s.startFrom;
    if (s.trainLayers !== undefined) this.trainLayers = s.trainLayers;
  }
}

export const trainForm = new TrainForm();
