/**
 * The Train form (review #5, #15, #16, #19): a camera project starts on vision-small and only
 * offers picture presets; every field starts from the preset's training block as the CLI reads
 * it; each project keeps its own last settings, hidden Advanced ones included, and the collapsed
 * Advanced summary says what differs; float (32-bit) weights and activations are offered, and
 * float activations with k-WTA are explained in the form instead of failing at the API.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunInfo } from '../../../electron/shared/api';
import { getPreset } from '../../../core/spec/presets';
import { presetsFor } from '../lib/presets';
import { TrainForm as FormState } from '../state/train-form.svelte';
import TrainForm from './TrainForm.svelte';

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
});

function show(form: FormState, kind: 'audio' | 'vision'): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(
    mount(TrainForm, {
      target,
      props: { form, kind, training: false, onstart: () => {}, oncancel: () => {} }
    })
  );
  flushSync();
  return target;
}

const field = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll('label')]
    .find((l) => l.textContent!.trim().startsWith(label))!
    .querySelector('input, select') as HTMLInputElement & HTMLSelectElement;

function change(input: HTMLInputElement | HTMLSelectElement, value: string): void {
  input.value = value;
  input.dispatchEvent(
    new Event(input.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true })
  );
  flushSync();
}

const run = (settings: RunInfo['settings'], over: Partial<RunInfo> = {}): RunInfo => ({
  id: 'r1',
  project: 'p',
  status: 'done',
  startedAt: '2026-11-30T10:00:00Z',
  settings,
  ...over
});

describe('presets of the kind, the kind default first', () => {
  test('a camera project starts on vision-small (32×32 colour), offered beside digits only', () => {
    const form = new FormState();
    form.open({ id: 'cam', kind: 'vision' }, []);
    const el = show(form, 'vision');
    const preset = field(el, 'Preset');
    expect(preset.value).toBe('vision-small');
    expect([...preset.options].map((o) => o.value)).toEqual(['vision-small', 'digits']);
    expect(form.settings().preset).toBe('vision-small');
    expect(presetsFor('audio').map((p) => p.name)).toEqual(['audio-small']);
    // Every preset offered to a camera project reads pixels, never log-mel features.
    for (const p of presetsFor('vision')) expect(getPreset(p.name).features?.kind).toBe('image');
  });

  test('a run of the other kind (an imported record) never sets the preset', () => {
    const form = new FormState();
    form.open({ id: 'cam', kind: 'vision' }, [run({ preset: 'audio-small', epochs: 7 })]);
    expect(form.preset).toBe('vision-small');
    expect(form.epochs).toBe(7);
  });
});

describe('defaults from the preset, as the CLI reads them', () => {
  test('audio-small trains 20 epochs, digits 10, vision-small 15; untouched fields follow the preset', () => {
    const sound = new FormState();
    sound.open({ id: 's', kind: 'audio' }, []);
    expect(field(show(sound, 'audio'), 'Epochs').value).toBe('20');
    const cam = new FormState();
    cam.open({ id: 'c', kind: 'vision' }, []);
    const el = show(cam, 'vision');
    expect(field(el, 'Epochs').value).toBe('15');
    change(field(el, 'Preset'), 'digits');
    expect(field(el, 'Epochs').value).toBe('10');
    expect(cam.settings()).toMatchObject({ preset: 'digits', epochs: 10, learningRate: 0.003 });
    // A number the person typed stays when the preset changes.
    change(field(el, 'Epochs'), '3');
    change(field(el, 'Preset'), 'vision-small');
    expect(cam.epochs).toBe(3);
  });
});

describe('each project keeps its own settings', () => {
  test('3-bit k-means with probabilistic rounding and 2 rounds in one project never reach another', () => {
    const form = new FormState();
    form.open({ id: 'keys', kind: 'audio' }, []);
    const el = show(form, 'audio');
    change(field(el, 'Weight bits'), '3');
    change(field(el, 'Weight scheme'), 'kmeans');
    (field(el, 'Probabilistic') as HTMLInputElement).click();
    change(field(el, 'Iterative k-means rounds'), '2');
    flushSync();
    expect(el.querySelector('summary')!.textContent).toMatch(
      /Advanced\s*· changed: probabilistic rounding, 2 k-means rounds/
    );
    // Another project: its kind's preset and its defaults, nothing from "keys".
    form.open({ id: 'desk', kind: 'vision' }, []);
    flushSync();
    expect(form.settings()).toEqual({
      preset: 'vision-small',
      weightBits: 4,
      weightScheme: 'linear',
      actBits: 8,
      kwta: 0.5,
      epochs: 15,
      learningRate: 0.003,
      l2: 0.0001,
      optimizer: 'adam',
      probabilistic: false,
      iterativeRounds: 0
    });
    expect(el.querySelector('[data-testid="advanced-changed"]')).toBeNull();
    // Back to "keys": its own last settings.
    form.open({ id: 'keys', kind: 'audio' }, []);
    expect(form.settings()).toMatchObject({
      weightBits: 3,
      weightScheme: 'kmeans',
      probabilistic: true,
      iterativeRounds: 2
    });
  });

  test('after a reload a project starts from its newest trained run, not a what-if', () => {
    const form = new FormState();
    form.open({ id: 'p', kind: 'audio' }, [
      run({ weightBits: 2, weightScheme: 'exponential' }, { id: 'w', quantizedFrom: 'a' }),
      run({ weightBits: 6, epochs: 9, seed: 4 }, { id: 'a', startedAt: '2026-11-30T09:00:00Z' })
    ]);
    expect(form.settings()).toMatchObject({ weightBits: 6, epochs: 9, preset: 'audio-small' });
    expect(form.settings()).not.toHaveProperty('seed');
  });
});

describe('float (32-bit) weights and activations', () => {
  test('offered as "float (32)"; float activations with k-WTA are explained, Train waits', () => {
    const form = new FormState();
    form.open({ id: 'f', kind: 'audio' }, []);
    const el = show(form, 'audio');
    const acts = field(el, 'Activation bits');
    expect([...acts.options].at(-1)!.textContent).toBe('float (32)');
    change(field(el, 'Weight bits'), '32');
    expect(form.weightBits).toBe(32);
    expect(field(el, 'Weight scheme').disabled).toBe(true);
    change(acts, '32');
    const problem = el.querySelector('[data-testid="form-problem"]')!;
    expect(problem.textContent).toMatch(/Float activations need k-WTA off/);
    const train = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Train')!;
    expect(train.disabled).toBe(true);
    [...problem.querySelectorAll('button')][0].click();
    flushSync();
    expect(form.kwta).toBe(1);
    expect(el.querySelector('[data-testid="form-problem"]')).toBeNull();
    expect(train.disabled).toBe(false);
    expect(form.settings()).toMatchObject({ weightBits: 32, actBits: 32, kwta: 1 });
  });
});
