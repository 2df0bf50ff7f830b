/**
 * The Train form of a new project starts on core's new-project defaults (core/spec/defaults.ts),
 * field by field; test/cli/defaults.test.ts shows that `quench train` trains exactly those.
 */
import { describe, expect, test } from 'vitest';
import { newProjectDefaults, NEW_RUN_WEIGHT_BITS } from '../../../core/spec/defaults';
import { TrainForm } from './train-form.svelte';

describe("a new project's Train form", () => {
  for (const kind of ['audio', 'vision'] as const) {
    test(`${kind}: every field is core's new-project default (the seed is not a field)`, () => {
      const form = new TrainForm();
      form.open({ id: `new-${kind}`, kind }, []);
      const { seed: _seed, ...fields } = newProjectDefaults(kind);
      expect(form.settings()).toEqual(fields);
      expect(form.weightBits).toBe(NEW_RUN_WEIGHT_BITS);
    });
  }
});
