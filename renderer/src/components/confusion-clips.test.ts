/**
 * The clips behind a confusion cell after the project changed (review #6): a clip whose class was
 * deleted, or that was deleted itself, can't be moved or deleted and says why; a clip whose class
 * was renamed is found in its new class and acted on there — never a raw error with an id.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { placeClip } from '../lib/clip-place';
import { sampleAt } from '../lib/runs';

const calls: { method: string; req: Record<string, unknown> }[] = [];
/** The project now: "stop" was renamed "halt" (its files went with it), "lights" deleted. */
const NOW: Record<string, string[]> = {
  halt: ['stop 1.wav', 'stop 2.wav'],
  music: ['music 1.wav', 'music 3.wav']
};
vi.mock('../api/client', () => ({
  api: {
    call: async (method: string, req: Record<string, unknown>) => {
      calls.push({ method, req });
      if (method === 'sample:list')
        return NOW[req.className as string].map((file) => ({
          className: req.className,
          file,
          bytes: 1,
          name: file
        }));
      if (method === 'sample:move')
        return { className: req.to, file: req.file, bytes: 1, name: req.file };
      if (method === 'sample:read') throw new Error('not needed here');
      return null;
    },
    on: () => () => {}
  }
}));

const { default: ConfusionClips } = await import('./ConfusionClips.svelte');

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
  calls.length = 0;
});

const files = new Map(Object.entries(NOW).map(([c, f]) => [c, new Set(f)]));

describe('where a clip is now', () => {
  test('here, moved with its renamed class, or gone (class deleted; clip deleted)', () => {
    expect(placeClip(sampleAt('music/music 3.wav'), files).state).toBe('here');
    expect(placeClip(sampleAt('stop/stop 2.wav'), files)).toMatchObject({
      state: 'moved',
      from: 'stop',
      sample: { className: 'halt', file: 'stop 2.wav' }
    });
    expect(placeClip(sampleAt('lights/lights 1.wav'), files)).toMatchObject({
      state: 'gone',
      reason: 'its class “lights” is no longer in the project (renamed or deleted)'
    });
    expect(placeClip(sampleAt('music/music 9.wav'), files)).toMatchObject({
      state: 'gone',
      reason: 'no longer in “music” (deleted or moved since this run)'
    });
  });
});

describe('ConfusionClips', () => {
  test('gone clips: move and delete disabled, with the reason; a renamed class: acted on there', async () => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    let changed = 0;
    mounted.push(
      mount(ConfusionClips, {
        target,
        props: {
          project: '3cb5e7849129b2b7',
          audio: true,
          labels: ['lights', 'music', 'stop'],
          classes: [
            { name: 'halt', samples: 2 },
            { name: 'music', samples: 2 }
          ],
          clips: ['lights/lights 1.wav', 'stop/stop 2.wav', 'music/music 9.wav'].map((file) => ({
            file,
            label: 0,
            predicted: 2,
            confidence: 0.9
          })),
          row: 0,
          col: 2,
          onclose: () => {},
          onchange: () => changed++
        }
      })
    );
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelectorAll('[data-testid="gone-clip"]')).toHaveLength(2);
    });
    const gone = [...target.querySelectorAll('[data-testid="gone-clip"]')];
    expect(gone[0].textContent).toMatch(
      /lights 1.*its class “lights” is no longer in the project/s
    );
    expect(gone[1].textContent).toMatch(/music 9.*no longer in “music”/s);
    for (const g of gone) {
      expect((g.querySelector('select') as HTMLSelectElement).disabled).toBe(true);
      expect((g.querySelector('button') as HTMLButtonElement).disabled).toBe(true);
    }
    expect(target.textContent).toMatch(/stop 2: now in “halt” \(was “stop”\)/);
    const move = target.querySelector(
      'select[aria-label="Move stop 2 to another class"]'
    ) as HTMLSelectElement;
    expect(move.disabled).toBe(false);
    expect([...move.options].map((o) => o.value)).toEqual(['', 'music']);
    move.value = 'music';
    move.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(changed).toBe(1));
    expect(calls.find((c) => c.method === 'sample:move')!.req).toMatchObject({
      className: 'halt',
      file: 'stop 2.wav',
      to: 'music'
    });
    flushSync();
    expect(target.textContent).not.toContain('3cb5e7849129b2b7');
  });
});

describe('a clip padded before its file starts', () => {
  test('its start reads "at 0.0 s" (never "-0.0 s"), one tenth below zero "at -0.1 s"', async () => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    mounted.push(
      mount(ConfusionClips, {
        target,
        props: {
          project: 'p',
          audio: true,
          labels: ['music', 'stop'],
          classes: [
            { name: 'halt', samples: 2 },
            { name: 'music', samples: 2 }
          ],
          // A short file centred in a 1 s window starts a little before its first sample.
          clips: [-0.04, -0.12].map((at) => ({
            file: 'music/music 3.wav',
            at,
            label: 0,
            predicted: 1,
            confidence: 0.6
          })),
          row: 0,
          col: 1,
          onclose: () => {},
          onchange: () => {}
        }
      })
    );
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelectorAll('[data-testid="tile"]')).toHaveLength(2);
    });
    const names = [...target.querySelectorAll('[data-testid="tile"] .name')].map((n) =>
      n.getAttribute('title')
    );
    expect(names).toEqual(['music 3 at 0.0 s', 'music 3 at -0.1 s']);
    expect(target.textContent).not.toContain('-0.0');
  });
});
