/**
 * The Collect view's recording and class pieces in a DOM, with a fake microphone and API: a take
 * tells which words were left out for being cut by its start or end, that nothing was heard when
 * nobody spoke, and shows a sound longer than a word before saving it; recording background noise
 * lights its own button, not "Hold to record"; a class shows its own last take, never another
 * class's; renaming a word class to a background name asks first, in the page.
 */
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ProjectInfo, RecordedTake } from '../../../electron/shared/api';
import { takeMessage } from '../lib/takes';

const calls: { method: string; req: Record<string, unknown> }[] = [];
/** What sample:record answers next (`kept`: when given the clips kept of a preview). */
let recorded: RecordedTake = { saved: [], leftOut: [] };
let kept: RecordedTake = { saved: [], leftOut: [] };
vi.mock('../api/client', () => ({
  api: {
    call: async (method: string, req: Record<string, unknown>) => {
      calls.push({ method, req });
      if (method === 'sample:record') return req.keep ? kept : recorded;
      return project;
    },
    on: () => () => {}
  }
}));

/** Takes the fake microphone has begun, each ended by the test. */
const takes: { max: number; end: (x: Float32Array) => void }[] = [];
/** The shortest length asked of each take's stop(). */
const stops: (number | undefined)[] = [];
vi.mock('../audio/mic', () => ({
  MicSession: {
    open: async () => ({
      latest: new Float32Array(0),
      since: 1,
      close: async () => {},
      begin(max: number) {
        let end!: (x: Float32Array) => void;
        const finished = new Promise<Float32Array>((r) => (end = r));
        takes.push({ max, end });
        return {
          seconds: () => 0,
          finished,
          stop: (min?: number) => {
            stops.push(min);
            return finished;
          }
        };
      }
    })
  }
}));

const { default: Recorder } = await import('./Recorder.svelte');
const { default: ClassList } = await import('./ClassList.svelte');
const { default: CameraCapture } = await import('./CameraCapture.svelte');
const { default: SampleTile } = await import('./SampleTile.svelte');
const { app } = await import('../state/app.svelte');
const { dialogs } = await import('../state/dialogs.svelte');

const project: ProjectInfo = {
  id: 'p1',
  name: 'Words',
  kind: 'audio',
  createdAt: '',
  classes: [
    { name: 'background', samples: 0, background: true },
    { name: 'music', samples: 3 },
    { name: 'stop', samples: 2 }
  ]
};

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
  calls.length = 0;
  takes.length = 0;
  stops.length = 0;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown>) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const instance = mount(component, { target, props });
  mounted.push(instance);
  flushSync();
  return { el: target, instance };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};
const sample = (name: string) => ({ className: 'music', file: `${name}.wav`, bytes: 1, name });

describe('takeMessage', () => {
  test('clips saved, and the words cut by the start and end of the take left out with advice', () => {
    expect(
      takeMessage('music', 7, {
        saved: [sample('music 1'), sample('music 2')],
        leftOut: [
          { start: 0, end: 1, cut: 'start' },
          { start: 6, end: 7, cut: 'end' }
        ]
      })
    ).toBe(
      'Saved 2 clips (7.0 s) to “music”: music 1, music 2. Left out 2 words cut by the start and the end of the take (0.0–1.0 s, 6.0–7.0 s): start speaking after pressing, and let go after the last word has ended.'
    );
    expect(
      takeMessage('music', 2, { saved: [], leftOut: [{ start: 1, end: 2, cut: 'end' }] })
    ).toBe(
      'Nothing saved to “music” from the 2.0 s take. Left out 1 word cut by the end of the take (1.0–2.0 s): let go after the last word has ended.'
    );
    expect(takeMessage('music', 1, { saved: [sample('music 3')], leftOut: [] })).toBe(
      'Saved 1 clip (1.0 s) to “music”: music 3.'
    );
  });

  test('a take where nobody spoke: nothing heard, nothing saved, and what to do', () => {
    expect(takeMessage('yes', 2, { saved: [], leftOut: [], nothingHeard: true })).toBe(
      "Nothing heard in the 2.0 s take: no sound rose above the room's noise, so nothing was saved to “yes”. Say the word while holding the button (for a steady sound such as a fan, start the take before the sound)."
    );
  });
});

describe('Recorder', () => {
  test('a click records 2 s, room for a whole word said after it', async () => {
    const { el, instance } = show(Recorder, {
      project,
      selected: 'music',
      onselect: () => {},
      onsaved: () => {}
    });
    await settle();
    const rec = instance as unknown as { begin(): Promise<void>; end(): void };
    void rec.begin();
    await settle();
    rec.end();
    expect(stops).toEqual([2]);
    expect(el.textContent).toMatch(/a click records 2 s\); each whole word becomes a 1 s clip/);
  });

  test('a held take says what was left out; background lights its own button; each class shows its own last take', async () => {
    const props = $state({ project, selected: 'music', onselect: () => {}, onsaved: () => {} });
    const { el, instance } = show(Recorder, props);
    await settle();
    const hold = el.querySelector<HTMLButtonElement>('[data-testid="record"]')!;
    const background = el.querySelector<HTMLButtonElement>('[data-testid="record-background"]')!;

    // Hold to record "music": its button is pressed, the background button is not.
    void (instance as unknown as { begin(): Promise<void> }).begin();
    await settle();
    expect(hold.getAttribute('aria-pressed')).toBe('true');
    expect(background.getAttribute('aria-pressed')).toBe('false');
    recorded = { saved: [sample('music 4')], leftOut: [{ start: 6, end: 7, cut: 'end' }] };
    takes[0].end(new Float32Array(16000 * 7));
    await settle();
    expect(app.status).toMatch(
      /^Saved 1 clip \(7\.0 s\) to “music”: music 4\. Left out 1 word cut by the end/
    );
    expect(el.textContent).toContain('The last recording of “music”');

    // Another class has no take yet: no spectrogram of the music take under its name.
    props.selected = 'stop';
    flushSync();
    expect(el.textContent).not.toContain('The last recording');

    // Record 10 s of background noise: that button shows it, Hold to record stays unpressed.
    background.click();
    await settle();
    expect(takes[1].max).toBe(10);
    expect(background.getAttribute('aria-pressed')).toBe('true');
    expect(background.textContent).toMatch(/Recording background noise/);
    expect(
      el.querySelector('[data-testid="record"]')?.getAttribute('aria-pressed') ?? 'false'
    ).toBe('false');
    recorded = { saved: [], leftOut: [] };
    takes[1].end(new Float32Array(16000 * 10));
    await settle();
    expect(background.getAttribute('aria-pressed')).toBe('false');
    await tick();
  });
});

describe('Recorder: takes that are not one clip per word', () => {
  const holdTake = async (seconds: number) => {
    const { el, instance } = show(Recorder, {
      project,
      selected: 'music',
      onselect: () => {},
      onsaved: () => {}
    });
    await settle();
    void (instance as unknown as { begin(): Promise<void> }).begin();
    await settle();
    takes[0].end(new Float32Array(16000 * seconds));
    await settle();
    return el;
  };

  test('a take where nobody spoke says nothing was heard and nothing saved', async () => {
    recorded = { saved: [], leftOut: [], nothingHeard: true };
    await holdTake(2);
    expect(app.status).toMatch(
      /^Nothing heard in the 2\.0 s take: .* nothing was saved to “music”/
    );
  });

  test('a sound longer than a word is shown before anything is saved; the clips kept are saved', async () => {
    recorded = {
      saved: [],
      leftOut: [],
      preview: {
        name: 'The take',
        kind: 'audio',
        seconds: 6,
        background: false,
        warnings: [],
        envelope: [0.1, 0.5, 0.5, 0.1],
        clips: [
          { start: 0.5, end: 1.5 },
          { start: 2, end: 3, longSound: { start: 2, end: 4.6, clips: 3 } },
          { start: 3, end: 4, longSound: { start: 2, end: 4.6, clips: 3 } },
          { start: 4, end: 5, longSound: { start: 2, end: 4.6, clips: 3 } }
        ]
      }
    };
    kept = { saved: [sample('music 4'), sample('music 5')], leftOut: [] };
    app.status = '';
    const el = await holdTake(6);
    const preview = el.querySelector('[data-testid="cut-preview"]')!;
    expect(
      preview.querySelector('[data-testid="long-note"]')!.textContent!.replace(/\s+/g, ' ')
    ).toMatch(
      /^A sound of 2\.6 s \(2\.0–4\.6 s\) is longer than a word, so it was cut into consecutive clips/
    );
    expect(
      [...preview.querySelectorAll('.cuts li')].map((li) =>
        li.textContent!.replace(/\s+/g, ' ').trim()
      )
    ).toEqual([
      '0.50–1.50 s',
      '2.00–3.00 s piece 1 of 3 of the 2.6 s sound',
      '3.00–4.00 s piece 2 of 3 of the 2.6 s sound',
      '4.00–5.00 s piece 3 of 3 of the 2.6 s sound'
    ]);
    expect(calls.filter((c) => c.method === 'sample:record')).toHaveLength(1);
    expect(app.status).toBe('');
    // No other take starts while the preview waits.
    expect(el.querySelector<HTMLButtonElement>('[data-testid="record"]')!.disabled).toBe(true);
    const boxes = [...preview.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
    boxes[2].click();
    boxes[3].click();
    flushSync();
    const [save, skip] = [...preview.querySelectorAll('button')];
    expect(skip.textContent).toBe('Leave this take out');
    save.click();
    await settle();
    const records = calls.filter((c) => c.method === 'sample:record');
    expect(records.map((c) => c.req.keep)).toEqual([undefined, [0, 1]]);
    expect(app.status).toBe('Saved 2 clips (6.0 s) to “music”: music 4, music 5.');
    expect(el.querySelector('[data-testid="cut-preview"]')).toBeNull();
    expect(el.querySelector<HTMLButtonElement>('[data-testid="record"]')!.disabled).toBe(false);
  });

  test('a take left out after its preview saves nothing and says so', async () => {
    recorded = { saved: [], leftOut: [], preview: { ...emptyPreview } };
    const el = await holdTake(3);
    [...el.querySelectorAll<HTMLButtonElement>('[data-testid="cut-preview"] button')][1].click();
    await settle();
    expect(calls.filter((c) => c.method === 'sample:record')).toHaveLength(1);
    expect(app.status).toBe('Nothing saved to “music”: the 3.0 s take was left out.');
  });
});

const emptyPreview = {
  name: 'The take',
  kind: 'audio' as const,
  seconds: 3,
  background: false,
  warnings: [],
  envelope: [0.1],
  clips: [{ start: 0, end: 1, longSound: { start: 0, end: 2.5, clips: 3 } }]
};

describe('ClassList', () => {
  const renameTo = async (el: HTMLElement, from: string, to: string) => {
    el.querySelector<HTMLButtonElement>(`[aria-label="Rename class ${from}"]`)!.click();
    await settle();
    expect(dialogs.current?.kind).toBe('prompt');
    dialogs.current!.resolve(to);
    await settle();
  };

  test('renaming a word class to "Background" asks in the page, saying what it does; Cancel keeps it', async () => {
    const { el } = show(ClassList, {
      project: { ...project, classes: project.classes.filter((c) => !c.background) },
      selected: 'stop',
      onselect: () => {}
    });
    await renameTo(el, 'stop', 'Background');
    const ask = dialogs.current!;
    expect(ask.kind).toBe('confirm');
    expect(ask.title).toBe('Make “stop” the background class?');
    expect(ask.message).toMatch(
      /Its 2 samples would no longer be taught as the word “stop”: they would be cut into 1 s windows of noise, mixed quietly under the other classes' clips, and never announced in Live\./
    );
    ask.resolve(false);
    await settle();
    expect(calls.filter((c) => c.method === 'class:rename')).toEqual([]);

    await renameTo(el, 'stop', 'Background');
    dialogs.current!.resolve(true);
    await settle();
    expect(calls.filter((c) => c.method === 'class:rename').map((c) => c.req)).toEqual([
      { project: 'p1', from: 'stop', to: 'Background' }
    ]);
  });

  test('an ordinary rename, or an image project, asks nothing more', async () => {
    const { el } = show(ClassList, { project, selected: 'stop', onselect: () => {} });
    await renameTo(el, 'stop', 'halt');
    expect(dialogs.current).toBeUndefined();
    expect(calls.filter((c) => c.method === 'class:rename')).toHaveLength(1);
    unmount(mounted.pop()!);
    const pictures = show(ClassList, {
      project: { ...project, kind: 'vision', classes: [{ name: 'mug', samples: 3 }] },
      selected: 'mug',
      onselect: () => {}
    });
    await renameTo(pictures.el, 'mug', 'noise');
    expect(dialogs.current).toBeUndefined();
  });

  test('the background class renamed to a word: asked too', async () => {
    const { el } = show(ClassList, { project, selected: 'background', onselect: () => {} });
    await renameTo(el, 'background', 'hum');
    expect(dialogs.current?.title).toBe('“hum” would no longer be the background class');
    dialogs.current!.resolve(false);
    await settle();
  });
});

describe('CameraCapture', () => {
  test('says how many frames a burst takes and how long; both can be changed', () => {
    localStorage.removeItem('quench:burst');
    const { el } = show(CameraCapture, {
      project: { ...project, kind: 'vision', classes: [{ name: 'mug', samples: 0 }] },
      selected: 'mug',
      onsaved: () => {}
    });
    const length = () => el.querySelector('[data-testid="burst-length"]')!.textContent!.trim();
    expect(length()).toBe(
      '10 frames, one every 100 ms: 0.9 s. Keep the scene as it is until the burst ends.'
    );
    const [frames, every] = [...el.querySelectorAll<HTMLInputElement>('.burst input')];
    frames.value = '4';
    frames.dispatchEvent(new Event('change', { bubbles: true }));
    every.value = '300';
    every.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(length()).toMatch(/^4 frames, one every 300 ms: 0\.9 s\./);
    expect(el.querySelector('button.big')!.textContent).toMatch(/Capture 4 frames of "mug"/);
    expect(JSON.parse(localStorage.getItem('quench:burst')!)).toEqual({
      frames: 4,
      intervalMs: 300
    });
  });
});

describe('SampleTile', () => {
  test('a long name is cut before its number, so the clips of one take tell apart (newcomer review 9)', async () => {
    const { el } = show(SampleTile, {
      project: 'p1',
      audio: true,
      sample: {
        className: 'yes',
        file: 'yes-long-take 3.wav',
        bytes: 1,
        name: 'yes-long-take 3.wav'
      }
    });
    await settle();
    expect(el.querySelector('.name .head')!.textContent).toBe('yes-long-take');
    expect(el.querySelector('.name .tail')!.textContent).toBe(' 3.wav');
    expect(el.querySelector('.name')!.textContent).toBe('yes-long-take 3.wav');
  });
});
