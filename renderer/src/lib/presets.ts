/**
 * The bundled presets a project can train, by its kind: a sound project's presets read log-mel
 * features, an image project's read pixels (core/spec presets).
 */
import type { ProjectKind } from '../../../electron/shared/api';
import { getPreset, PRESET_NAMES } from '../../../core/spec/presets';

const DESCRIPTIONS: Record<string, string> = {
  'audio-small': '1 s of sound',
  'vision-small': '32×32 colour',
  digits: '28×28 grey'
};

export function presetsFor(kind: ProjectKind): { name: string; label: string }[] {
  return PRESET_NAMES.filter((n) => {
    const sound = (getPreset(n).features as { kind?: string } | undefined)?.kind === 'logmel';
    return sound === (kind === 'audio');
  }).map((name) => ({
    name,
    label: DESCRIPTIONS[name] ? `${name} (${DESCRIPTIONS[name]})` : name
  }));
}
