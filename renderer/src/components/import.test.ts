/**
 * The import pieces of the Collect view, in a DOM: the list of files not added (name and reason
 * for each), the cut-points preview of a long take, and the import flow that feeds them — nothing
 * a person drops vanishes without a line saying why.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type {
  FolderKeep,
  FolderTake,
  ImportReport,
  QuenchApi,
  SampleInspection
} from '../../../electron/shared/api';
import { FileImport, outcomeText, type PickedFile } from '../import/file-import.svelte';
import CutPreview from './CutPreview.svelte';
import RefusedFiles from './RefusedFiles.svelte';

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

const take: SampleInspection = {
  name: 'take.m4a',
  kind: 'audio',
  seconds: 27.5,
  clips: Array.from({ length: 24 }, (_, i) => ({ start: i * 1.1, end: i * 1.1 + 1 })),
  envelope: Array.from({ length: 600 }, (_, i) => (i % 25 < 10 ? 0.5 : 0.01)),
  background: false,
  warnings: ['the file ended early: the header promises 30.00 s, 27.50 s were read']
};

describe('RefusedFiles', () => {
  test('every refused file by name with its reason, notes on added ones, and a dismiss button', () => {
    let dismissed = 0;
    const el = show(RefusedFiles, {
      refused: [
        { name: 'song.wma', reason: 'Windows Media Audio (WMA) is not decoded by Quench; …' },
        { name: 'empty.wav', reason: 'the file is empty (0 bytes)' }
      ],
      notes: [{ name: 'take.m4a', note: '24 clips' }],
      ondismiss: () => dismissed++
    });
    expect(el.querySelector('h3')!.textContent!.trim()).toBe('2 files were not added');
    const items = [...el.querySelectorAll('.refused li')].map((li) => li.textContent);
    expect(items).toEqual([
      'song.wma: Windows Media Audio (WMA) is not decoded by Quench; …',
      'empty.wav: the file is empty (0 bytes)'
    ]);
    expect(el.querySelector('.notes li')!.textContent).toBe('take.m4a: 24 clips');
    el.querySelector('button')!.click();
    expect(dismissed).toBe(1);
  });

  test('a file read with a warning is listed as added with a warning, not under "not added"', () => {
    // The newcomer's drop: 4 files refused, a truncated WAV added (read up to where it ends).
    const el = show(RefusedFiles, {
      refused: ['empty.wav', 'notes.txt', 'red.gif', 'stop.wma'].map((name) => ({
        name,
        reason: 'cannot be read'
      })),
      warnings: [
        {
          name: 'truncated.wav',
          note: 'the file ended early: the header promises 1.45 s, 0.06 s were read'
        }
      ],
      added: '13 files (13 clips) to “stop”',
      ondismiss: () => {}
    });
    expect(el.querySelector('h3')!.textContent!.trim()).toBe(
      'Added 13 files (13 clips) to “stop” · 4 files were not added'
    );
    const notAdded = [...el.querySelectorAll('[data-testid="not-added"] li')];
    expect(notAdded).toHaveLength(4);
    expect(notAdded.map((li) => li.textContent).join()).not.toContain('truncated.wav');
    const warned = el.querySelector('[data-testid="added-with-warning"]')!;
    expect(warned.previousElementSibling!.textContent).toBe('1 file added with a warning');
    expect(warned.textContent).toMatch(/^truncated\.wav: the file ended early/);
  });

  test('an import with nothing to report still confirms what was added', () => {
    const el = show(RefusedFiles, {
      refused: [],
      added: '16 files (16 clips) to “stop”',
      ondismiss: () => {}
    });
    expect(el.querySelector('h3')!.textContent!.trim()).toBe('Added 16 files (16 clips) to “stop”');
  });

  test('shows nothing when there is nothing to say', () => {
    const el = show(RefusedFiles, { refused: [], ondismiss: () => {} });
    expect(el.querySelector('[data-testid="import-report"]')).toBeNull();
  });
});

describe('CutPreview', () => {
  test('24 cut points drawn and listed before saving; save and leave-out answer', () => {
    const answers: unknown[] = [];
    const el = show(CutPreview, {
      inspection: take,
      onsave: (keep: number[]) => answers.push(keep),
      onskip: () => answers.push('skip')
    });
    expect(el.querySelector('h3')!.textContent!.trim()).toBe('take.m4a: 24 clips in 27.5 s');
    expect(el.querySelectorAll('rect.clip')).toHaveLength(24);
    const cuts = [...el.querySelectorAll('.cuts li')].map((li) => li.textContent!.trim());
    expect(cuts.slice(0, 2)).toEqual(['0.00–1.00 s', '1.10–2.10 s']);
    expect(el.querySelector('.warning')!.textContent).toMatch(/ended early/);
    const [save, skip] = [...el.querySelectorAll('button')];
    expect(document.activeElement).toBe(save); // Enter saves straight away
    expect(save.textContent!.trim()).toBe('Save 24 clips');
    save.click();
    skip.click();
    expect(answers).toEqual([Array.from({ length: 24 }, (_, i) => i), 'skip']);
  });

  test('touching clips are drawn as separate blocks; each can be left out; a cut word starts out left out', () => {
    // The newcomer's 12.3 s take: clips 8 and 9 touch (10.18–11.18 and 11.18–12.18 s).
    const inspection: SampleInspection = {
      ...take,
      name: 'lights-long.m4a',
      seconds: 12.3,
      warnings: [],
      clips: [
        { start: 0, end: 1, cut: 'start' },
        { start: 1.19, end: 2.19 },
        { start: 10.18, end: 11.18 },
        { start: 11.18, end: 12.18 }
      ]
    };
    const answers: number[][] = [];
    const el = show(CutPreview, {
      inspection,
      onsave: (keep: number[]) => answers.push(keep),
      onskip: () => {}
    });
    const rects = [...el.querySelectorAll('rect.clip')];
    const right = (r: Element) => Number(r.getAttribute('x')) + Number(r.getAttribute('width'));
    expect(right(rects[2])).toBeLessThan(Number(rects[3].getAttribute('x')));
    expect(rects[2].classList.contains('odd')).not.toBe(rects[3].classList.contains('odd'));
    expect([...el.querySelectorAll('svg text')].map((t) => t.textContent)).toEqual([
      '1',
      '2',
      '3',
      '4'
    ]);
    const boxes = [...el.querySelectorAll<HTMLInputElement>('.cuts input[type=checkbox]')];
    expect(boxes.map((b) => b.checked)).toEqual([false, true, true, true]);
    expect(el.querySelector('.cuts li')!.textContent).toMatch(/word cut by the start of the file/);
    expect(el.querySelector('.cut-note')!.textContent).toMatch(/1 clip holds a word cut/);
    const save = () => [...el.querySelectorAll('button')][0];
    expect(save().textContent!.trim()).toBe('Save 3 clips');
    boxes[3].click(); // the fading tail: leave it out
    flushSync();
    expect(save().textContent!.trim()).toBe('Save 2 clips');
    expect(rects[3].classList.contains('dropped')).toBe(true);
    save().click();
    expect(answers).toEqual([[1, 2]]);
  });
});

describe('FileImport', () => {
  const file = (name: string, size = 10): PickedFile => ({
    name,
    size,
    arrayBuffer: async () => new ArrayBuffer(size)
  });

  function fakeApi(imported: { name: string; keep?: number[] }[]) {
    const api: QuenchApi = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      call: (async (method: string, req: any) => {
        if (req.name === 'notes.wav') throw new Error('not an audio file Quench reads (WAV, …)');
        if (method === 'sample:inspect') {
          return req.name === 'take.m4a'
            ? take
            : { ...take, name: req.name, clips: [take.clips[0]] };
        }
        imported.push(req.keep ? { name: req.name, keep: req.keep } : { name: req.name });
        const kept = req.keep?.length ?? 1;
        return {
          className: req.className,
          name: req.name,
          file: req.name,
          clips: kept,
          warnings: req.name === 'truncated.wav' ? ['the file ended early'] : [],
          ...(req.keep
            ? {
                savedAs: req.keep.map((k: number) => `take ${k + 1}.wav`),
                leftOut: 24 - kept
              }
            : {})
        };
      }) as QuenchApi['call'],
      on: () => () => {}
    };
    return api;
  }
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
  };

  test('empty and unreadable files are listed; a long take waits for its clips to be chosen; others are added', async () => {
    const imported: { name: string; keep?: number[] }[] = [];
    const flow = new FileImport(fakeApi(imported));
    const done = flow.add(
      [
        file('empty.wav', 0),
        file('notes.wav'),
        file('take.m4a'),
        file('a?.mp3'),
        file('truncated.wav')
      ],
      'p1',
      'yes'
    );
    await settle();
    expect(flow.preview?.name).toBe('take.m4a');
    expect(imported).toEqual([]); // nothing of the take is saved before the answer
    flow.answer([0, 1, 2]);
    const outcome = await done;
    expect(imported).toEqual([
      { name: 'take.m4a', keep: [0, 1, 2] },
      { name: 'a?.mp3' },
      { name: 'truncated.wav' }
    ]);
    expect(outcome).toEqual({ className: 'yes', added: 3, clips: 5, refused: 2 });
    expect(outcomeText(outcome)).toBe(
      'Added 3 files (5 clips) to “yes”; 2 files not added (listed below).'
    );
    expect(flow.addedText).toBe('3 files (5 clips) to “yes”');
    expect(flow.refused).toEqual([
      { name: 'empty.wav', reason: 'the file is empty (0 bytes)' },
      { name: 'notes.wav', reason: 'not an audio file Quench reads (WAV, …)' }
    ]);
    expect(flow.notes).toEqual([
      {
        name: 'take.m4a',
        note: '3 clips saved as “take 1.wav”, “take 2.wav”, “take 3.wav”; 21 left out'
      }
    ]);
    // Added, with a warning: not among the refused.
    expect(flow.warnings).toEqual([{ name: 'truncated.wav', note: 'the file ended early' }]);
    // Refusals stay listed across imports until dismissed.
    await flow.add([file('notes.wav')], 'p1', 'yes');
    expect(flow.refused).toHaveLength(3);
    flow.dismiss();
    expect(flow.refused).toEqual([]);
    expect(flow.addedText).toBe('');
  });

  test('pictures are counted as pictures, not clips', () => {
    expect(
      outcomeText({ className: 'mug', added: 10, clips: 10, refused: 0, pictures: true })
    ).toBe('Added 10 pictures to “mug”.');
  });

  test('a long take left out after the preview is listed as left out, not saved', async () => {
    const imported: { name: string }[] = [];
    const flow = new FileImport(fakeApi(imported));
    const done = flow.add([file('take.m4a')], 'p1', 'yes');
    await settle();
    flow.answer(undefined);
    const outcome = await done;
    expect(imported).toEqual([]);
    expect(flow.refused).toEqual([{ name: 'take.m4a', reason: 'left out after the preview' }]);
    expect(outcomeText(outcome)).toBe('Nothing added to “yes”; 1 file not added (listed below).');
  });
});

describe('FolderImport', () => {
  test('reports what was added and lists what was refused; an error (nothing imported) is shown', async () => {
    const FolderImport = (await import('./FolderImport.svelte')).default;
    const reports: unknown[] = [];
    let fail = false;
    const el = show(FolderImport, {
      inspectFolder: async () => [],
      importFolder: async (folder: string) => {
        if (fail)
          throw new Error(
            'nothing was imported: class folder "con": the name "con" is reserved on Windows'
          );
        return {
          project: { id: 'p', name: 'x', kind: 'audio', createdAt: '', classes: [] },
          imported: [
            { className: 'yes', name: 'take.m4a', file: 'take.m4a', clips: 24, warnings: [] },
            { className: 'no', name: `${folder}-n.wav`, file: 'n.wav', clips: 1, warnings: [] }
          ],
          refused: [{ name: 'no/notes.wav', reason: 'not an audio file Quench reads' }]
        };
      },
      onimported: (r: unknown) => reports.push(r)
    });
    const input = el.querySelector('input')!;
    input.value = '/data/words';
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(reports).toHaveLength(1);
    const text = el.textContent!;
    expect(text).toContain('1 file was not added');
    expect(text).toContain('no/notes.wav: not an audio file Quench reads');
    expect(text).toContain('/data/words: 2 files added');
    expect(text).toContain('yes/take.m4a: 24 clips');
    fail = true;
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(el.querySelector('.error')!.textContent).toMatch(/"con" is reserved on Windows/);
  });
});

describe('FolderImport with long takes', () => {
  const settle = async () => {
    for (let i = 0; i < 4; i++) await new Promise((r) => setTimeout(r, 0));
    flushSync();
  };
  const inFolder = (path: string, clips = take.clips): FolderTake => ({
    ...take,
    warnings: [],
    clips,
    name: path,
    path,
    className: path.split('/')[0]
  });
  /** The folder's three long takes: the second's first word cut by the file's start. */
  const takes = [
    inFolder('yes/take.m4a'),
    inFolder('no/n.m4a', [{ start: 0, end: 1, cut: 'start' }, ...take.clips.slice(0, 4)]),
    inFolder('no/m.m4a', take.clips.slice(0, 3))
  ];
  const report = (keep: FolderKeep[]): ImportReport => ({
    project: { id: 'p', name: 'x', kind: 'audio', createdAt: '', classes: [] },
    imported: [
      ...keep.map((k) => ({
        className: k.path.split('/')[0],
        name: k.path.split('/')[1],
        file: `${k.clips[0]}.wav`,
        clips: k.clips.length,
        warnings: [],
        savedAs: k.clips.map((c) => `${k.path.split('/')[1].slice(0, 1)} ${c + 1}.wav`),
        leftOut: 0
      })),
      { className: 'yes', name: 'one.wav', file: 'one.wav', clips: 1, warnings: [] }
    ],
    refused: []
  });

  async function open() {
    const FolderImport = (await import('./FolderImport.svelte')).default;
    const imports: FolderKeep[][] = [];
    const el = show(FolderImport, {
      inspectFolder: async () => takes,
      importFolder: async (_folder: string, keep: FolderKeep[]) => {
        imports.push(keep);
        return report(keep);
      },
      onimported: () => {}
    });
    const input = el.querySelector('input')!;
    input.value = '/data/words';
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    return { el, imports };
  }
  const button = (el: HTMLElement, text: RegExp) =>
    [...el.querySelectorAll('button')].find((b) => text.test(b.textContent!))!;

  test('each long take is previewed in turn, then the folder is imported with the clips kept; the report counts clips', async () => {
    const { el, imports } = await open();
    expect(
      el.querySelector('[data-testid="folder-take"]')!.textContent!.replace(/\s+/g, ' ')
    ).toMatch(
      /^ ?Long take 1 of 3 in the folder: choose its clips, each saved as a 1 s clip of “yes”/
    );
    expect(el.querySelector('h3')!.textContent!.trim()).toBe('yes/take.m4a: 24 clips in 27.5 s');
    expect(imports).toEqual([]); // nothing imported before every take is answered
    el.querySelector<HTMLInputElement>('.cuts input')!.click(); // leave out clip 1
    flushSync();
    button(el, /^Save 23 clips$/).click();
    await settle();
    expect(el.querySelector('[data-testid="folder-take"]')!.textContent).toMatch(
      /Long take 2 of 3/
    );
    // The whole words of this take and the next one: its cut first word stays out.
    button(el, /^Keep every whole word of this and the next 1 take$/).click();
    await settle();
    expect(el.querySelector('[data-testid="cut-preview"]')).toBeNull();
    expect(imports).toEqual([
      [
        { path: 'yes/take.m4a', clips: Array.from({ length: 23 }, (_, i) => i + 1) },
        { path: 'no/n.m4a', clips: [1, 2, 3, 4] },
        { path: 'no/m.m4a', clips: [0, 1, 2] }
      ]
    ]);
    const notes = [...el.querySelectorAll('.notes li')].map((li) => li.textContent);
    expect(notes).toEqual([
      '/data/words: 4 files added (31 clips)',
      'yes/take.m4a: 23 clips saved as “t 2.wav” … “t 24.wav”',
      'no/n.m4a: 4 clips saved as “n 2.wav” … “n 5.wav”',
      'no/m.m4a: 3 clips saved as “m 1.wav”, “m 2.wav”, “m 3.wav”'
    ]);
  });

  test('a take left out is sent with no clips; cancelling imports nothing', async () => {
    const first = await open();
    button(first.el, /^Leave this file out$/).click();
    await settle();
    button(first.el, /^Cancel the import$/).click();
    await settle();
    expect(first.imports).toEqual([]);
    expect(first.el.querySelector('[data-testid="cut-preview"]')).toBeNull();
    expect(first.el.querySelector<HTMLButtonElement>('form button')!.disabled).toBe(false);
    document.body.innerHTML = '';
    const second = await open();
    button(second.el, /^Leave this file out$/).click();
    await settle();
    button(second.el, /^Leave this file out$/).click();
    await settle();
    // The last take: no "this and the next" button.
    expect(button(second.el, /^Keep every whole word/)).toBeUndefined();
    button(second.el, /^Save 3 clips$/).click();
    await settle();
    expect(second.imports).toEqual([
      [
        { path: 'yes/take.m4a', clips: [] },
        { path: 'no/n.m4a', clips: [] },
        { path: 'no/m.m4a', clips: [0, 1, 2] }
      ]
    ]);
  });
});

describe('ScanReport (the training report)', () => {
  test('says which class was background and lists notes and files not used by class/file', async () => {
    const ScanReport = (await import('./ScanReport.svelte')).default;
    const el = show(ScanReport, {
      scan: {
        backgroundClass: 'noise',
        notes: [{ file: '/p/data/yes/take.m4a', reason: '24 clips' }],
        ignored: [
          { file: '/p/data/yes/cover.jpg', reason: 'a picture among sound files: not used' }
        ]
      }
    });
    expect(el.querySelector('p')!.textContent).toMatch(/“noise” was used as the background class/);
    expect(el.querySelector('summary')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      '1 note on files, 1 not used'
    );
    expect([...el.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'yes/take.m4a: 24 clips',
      'not used: yes/cover.jpg: a picture among sound files: not used'
    ]);
  });
});
