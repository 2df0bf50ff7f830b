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

/** Returns a fresh, validated copy of a bundled preset; throws with the known names otherwise. */
export function getPreset(name: string): ModelSpec {
  const raw = RAW[name];
  if (raw === undefined) {
    throw new Error(`unknown preset "${name}"; the presets are ${PRESET_NAMES.join(', ')}`);
  }
  return validateSpec(JSON.parse(JSON.stringify(raw)), `preset ${name}`);
}
