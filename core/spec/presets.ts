import audioSmall from '../../models/audio-small.json';
import digits from '../../models/digits.json';
import visionSmall from '../../models/vision-small.json';
import type { ModelSpec } from './model-spec';
import { validateSpec } from './validate-spec';

/** The bundled presets, by name. Validated on first use so a broken preset fails loudly. */
const RAW: Record<string, unknown> = {
  digits,
  'vision-small': visionSmall,
  'audio-small': audioSmall
};

export const PRESET_NAMES = Object.keys(RAW);

/**
 * The preset a project of each kind trains unless told otherwise: webcam pictures are colour
 * frames (vision-small, 32×32 RGB; digits is 28×28 grey), sounds are log-mel clips. The CLI picks
 * the same by the kind most files have.
 */
export const DEFAULT_PRESET = { audio: 'audio-small', vision: 'vision-small' } as const;

/** Returns a fresh, validated copy of a bundled preset; throws with the known names otherwise. */
export function getPreset(name: string): ModelSpec {
  const raw = RAW[name];
  if (raw === undefined) {
    throw new Error(`unknown preset "${name}"; the presets are ${PRESET_NAMES.join(', ')}`);
  }
  return validateSpec(JSON.parse(JSON.stringify(raw)), `preset ${name}`);
}
