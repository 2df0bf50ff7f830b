/**
 * One set of defaults: `quench train --data DIR` with no other flag trains exactly what the app
 * trains for a new project of that kind — the app's Train form starts on core's new-project
 * defaults (renderer/src/state/defaults.test.ts), and here those settings, sent as the form sends
 * them, give the app's trainer host the same spec (preset, weight bits and scheme, activation
 * bits, k-WTA) and training options (epochs, learning rate, L2, optimizer, probabilistic rounding,
 * k-means rounds, seed) as the CLI's flags-to-settings step.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { trainSettings } from '../../cli/commands/train';
import { loadSpec, type Values } from '../../cli/common';
import type { ModelSpec } from '../../core/spec';
import { newProjectDefaults, NEW_RUN_WEIGHT_BITS } from '../../core/spec/defaults';
import { resolveTrainOptions, type TrainOptions } from '../../core/train/train-options';
import { TrainerHost } from '../../electron/main/services/trainer-host';

/** Resolved training options as data (the clock and yield functions left out). */
function resolved(spec: ModelSpec, given: Partial<TrainOptions>) {
  // The pipeline trains with seed 1 when none is given (core/data/pipeline.ts).
  const {
    now: _n,
    yieldToHost: _y,
    ...rest
  } = resolveTrainOptions(spec, {
    ...given,
    seed: given.seed ?? 1
  });
  return rest;
}

/** A dataset folder of two classes with one (never decoded) file of the kind each. */
function folder(kind: 'audio' | 'vision'): string {
  const root = mkdtempSync(join(tmpdir(), 'quench-defaults-'));
  for (const c of ['a', 'b']) {
    mkdirSync(join(root, c));
    writeFileSync(join(root, c, kind === 'audio' ? 'x.wav' : 'x.png'), new Uint8Array(8));
  }
  return root;
}

describe('a new project trains the same in the app and the CLI', () => {
  for (const kind of ['audio', 'vision'] as const) {
    test(`${kind}: the app's first run equals quench train --data DIR`, async () => {
      const { seed: _seed, ...form } = newProjectDefaults(kind);
      const appSpec = TrainerHost.specFor(kind, form);
      const appOptions = TrainerHost.optionsFor(form);
      const root = folder(kind);
      try {
        const cli = trainSettings({} as Values, await loadSpec(undefined, root));
        expect(cli.spec).toEqual(appSpec);
        expect(resolved(cli.spec, cli.options)).toEqual(resolved(appSpec, appOptions));
        expect(cli.spec.quant.weightBits).toBe(NEW_RUN_WEIGHT_BITS);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test('flags still win over the defaults, and a spec file keeps its own settings', async () => {
    const root = folder('audio');
    try {
      const preset = await loadSpec(undefined, root);
      const eight = trainSettings({ 'weight-bits': '8', epochs: '3' } as Values, preset);
      expect(eight.spec.quant.weightBits).toBe(8);
      expect(eight.options.epochs).toBe(3);
      const file = trainSettings({ preset: 'my-spec.json' } as Values, preset);
      expect(file.spec.quant.weightBits).toBe(preset.quant.weightBits);
      expect(file.options.epochs).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
