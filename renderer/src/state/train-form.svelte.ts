/**
 * The Train view's settings form, kept while the person moves between views, filled from a run
 * by "Copy settings", and turned into the API's TrainSettings.
 */
import type { ProjectKind, TrainSettings } from '../../../electron/shared/api';
import { presetsFor } from '../lib/presets';

type Scheme = 'linear' | 'exponential' | 'kmeans';

export class TrainForm {
  preset = $state('audio-small');
  weightBits = $state(4);
  weightScheme = $state<Scheme>('linear');
  actBits = $state(8);
  kwta = $state(0.5);
  epochs = $state(15);
  learningRate = $state(0.003);
  l2 = $state(0.0001);
  optimizer = $state<'adam' | 'sgd'>('adam');
  probabilistic = $state(false);
  iterativeRounds = $state(0);
  /** Which run the form was last filled from (for the message under it). */
  copiedFrom = $state<string | undefined>(undefined);
  private kind: ProjectKind | undefined;

  /** A new project: the defaults, with a preset of its kind. */
  reset(kind: ProjectKind): void {
    if (kind === this.kind) return;
    this.kind = kind;
    Object.assign(this, new TrainForm());
    this.kind = kind;
    this.preset = presetsFor(kind)[0]?.name ?? this.preset;
  }

  settings(): TrainSettings {
    return {
      preset: this.preset,
      weightBits: this.weightBits,
      weightScheme: this.weightScheme,
      actBits: this.actBits,
      kwta: this.kwta,
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
    if (s.preset !== undefined && presetsFor(this.kind ?? 'audio').some((p) => p.name === s.preset))
      this.preset = s.preset;
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
    this.copiedFrom = from;
  }
}

export const trainForm = new TrainForm();
