/**
 * The bundled presets a project can train, by its kind: a sound project's presets read log-mel
 * features, an image project's read pixels (core/spec presets). The kind's default comes first.
 */
import type { ProjectKind, TrainSettings } from '../../../electron/shared/api';
import { DEFAULT_PRESET, getPreset, PRESET_NAMES } from '../../../core/spec/presets';
import { resolveTrainOptions } from '../../../core/train/train-options';

const DESCRIPTIONS: Record<string, string> = {
  'audio-small': '1 s of sound',
  'vision-small': '32×32 colour',
  digits: '28×28 grey'
};

/** Whether a preset reads sound (log-mel features) rather than pixels. */
function isSound(name: string): boolean {
  return (getPreset(name).features as { kind?: string } | undefined)?.kind === 'logmel';
}

/** The preset a new project of this kind starts with (vision-small for pictures). */
export function defaultPreset(kind: ProjectKind): string {
  return DEFAULT_PRESET[kind];
}

/** The presets of a project's kind, its default first. */
export function presetsFor(kind: ProjectKind): { name: string; label: string }[] {
  return PRESET_NAMES.filter((n) => isSound(n) === (kind === 'audio'))
    .sort((a, b) => Number(b === defaultPreset(kind)) - Number(a === defaultPreset(kind)))
    .map((name) => ({
      name,
      label: DESCRIPTIONS[name] ? `${name} (${DESCRIPTIONS[name]})` : name
    }));
}

/** Whether a preset may train a project of this kind. */
export function presetFits(name: string | undefined, kind: ProjectKind): name is string {
  return name !== undefined && PRESET_NAMES.includes(name) && isSound(name) === (kind === 'audio');
}

/** The settings a training block gives, as the form names them. */
export type PresetTraining = Required<
  Pick<TrainSettings, 'epochs' | 'learningRate' | 'l2' | 'optimizer'>
>;

/**
 * A preset's training defaults — epochs, learning rate, L2, optimizer — resolved exactly as the
 * CLI resolves them (the preset's `training` block over Quench's fallbacks), so the app and
 * `quench train` train the same data the same way by default (audio-small: 20 epochs).
 */
export function presetTraining(name: string): PresetTraining {
  const o = resolveTrainOptions(getPreset(name), {});
  return { epochs: o.epochs, learningRate: o.learningRate, l2: o.l2, optimizer: o.optimizer };
}
