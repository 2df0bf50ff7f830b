/**
 * The Train form of a new project starts on core's new-project defaults (core/spec/defaults.ts),
 * field by field, and a sound project starts from the keyword base when it is installed, training
 * its last layer — what `quench train --data DIR` does too (test/cli/defaults.test.ts,
 * test/cli/from-base.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { newProjectDefaults, NEW_RUN_WEIGHT_BITS } from '../../../core/spec/defaults';
import type { BaseInfo } from '../../../electron/shared/api';
import { TrainForm } from './train-form.svelte';

const BASE: BaseInfo = {
  kind: 'audio',
  name: 'keyword-base',
  hash: '0123abcd',
  about: 'a base',
  network: { name: 'keyword-base', description: 'four conv blocks' },
  classes: ['_background_noise_', 'apple'],
  words: 1,
  others: { clips: 10, words: 5 },
  served: { weightBits: 4, weightScheme: 'linear', actBits: 8, kwta: 0.5 }
};

describe("a new project's Train form", () => {
  for (const kind of ['audio', 'vision'] as const) {
    test(`${kind}: every field is core's new-project default (the seed is not a field)`, () => {
      const form = new TrainForm();
      form.open({ id: `new-${kind}`, kind }, []);
      const { seed: _seed, ...fields } = newProjectDefaults(kind);
      // Without a base installed a sound project says it trains from scratch.
      expect(form.settings()).toEqual(
        kind === 'audio' ? { ...fields, startFrom: 'scratch' } : fields
      );
      expect(form.weightBits).toBe(NEW_RUN_WEIGHT_BITS);
    });
  }

  test('audio with the keyword base installed: the base, its last layer, the same other fields', () => {
    const form = new TrainForm();
    form.open({ id: 'new-audio-base', kind: 'audio' }, [], BASE);
    const { seed: _seed, preset: _preset, ...fields } = newProjectDefaults('audio');
    expect(form.settings()).toEqual({ ...fields, startFrom: 'base', trainLayers: 'head' });
  });
});
