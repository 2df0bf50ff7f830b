/**
 * Keyboard use of the app shell in a DOM: each set of radio buttons is one group (one Tab stop,
 * arrows move between them, as a native group sharing a name), and opening a project by keyboard
 * puts focus on the tab of the view it opened, so that view's controls are the next Tabs away.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ProjectInfo } from '../../../electron/shared/api';

const project: ProjectInfo = {
  id: 'p1',
  name: 'Words',
  kind: 'audio',
  createdAt: '',
  classes: [{ name: 'yes', samples: 0 }]
};
vi.mock('../api/client', () => ({
  api: {
    call: async (method: string) => {
      if (method === 'project:list') return [project];
      if (method === 'project:get') return project;
      if (method === 'base:info') return null;
      if (method === 'model:load') throw new Error('no model here');
      return [];
    },
    on: () => () => {}
  }
}));
vi.mock('../audio/mic', () => ({
  MicSession: {
    open: async () => ({ latest: new Float32Array(0), since: 1, close: async () => {} })
  }
}));

const { default: App } = await import('../App.svelte');
const { default: ExportDialog } = await import('./ExportDialog.svelte');

// The address the page keeps (state/route.ts) is not under test: happy-dom's history turns a
// replaced address into a late hashchange that would reopen the Projects view.
beforeAll(() => {
  vi.spyOn(history, 'replaceState').mockImplementation(() => {});
});

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown> = {}): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

/**
 * The app, once it has listed the projects and restored what its address named (nothing): the
 * page state is shared, so a restore still pending must not land in a later test.
 */
async function showApp(): Promise<{ el: HTMLElement; open: HTMLButtonElement }> {
  const el = show(App);
  const open = await vi.waitFor(() => {
    const b = el.querySelector<HTMLButtonElement>('button[aria-label="Open Words"]');
    expect(b).not.toBeNull();
    return b!;
  });
  await settle();
  return { el, open };
}

/** Per fieldset of radio buttons: the names its radios carry. */
function radioGroups(el: HTMLElement): { legend: string; names: string[] }[] {
  return [...el.querySelectorAll('fieldset')]
    .map((f) => ({
      legend: f.querySelector('legend')?.textContent?.trim() ?? '',
      names: [...f.querySelectorAll<HTMLInputElement>('input[type="radio"]')].map((r) => r.name)
    }))
    .filter((g) => g.names.length > 1);
}

/** One name per group, used by no other group: each group is one Tab stop. */
function expectOneStopEach(groups: { legend: string; names: string[] }[], count: number) {
  expect(groups).toHaveLength(count);
  for (const g of groups) {
    expect(g.names[0], g.legend).not.toBe('');
    expect(new Set(g.names).size, g.legend).toBe(1);
  }
  expect(new Set(groups.map((g) => g.names[0])).size).toBe(groups.length);
}

describe('opening a project by keyboard', () => {
  test('focus goes to the tab of the view it opened (Collect), not back to the page', async () => {
    const { open } = await showApp();
    open.focus();
    open.click();
    await vi.waitFor(() => {
      flushSync();
      expect(document.activeElement?.textContent).toBe('Collect');
    });
    expect(document.activeElement?.getAttribute('aria-current')).toBe('page');
    expect(document.activeElement?.closest('nav')).not.toBeNull();
  });
});

describe('radio buttons', () => {
  test('the new project’s Input (sounds or images) is one group', async () => {
    const { el } = await showApp();
    const groups = radioGroups(el);
    expectOneStopEach(groups, 1);
    expect(groups[0].legend).toBe('Input');
  });

  test('the export dialog’s Format and what the ONNX model takes are two groups', () => {
    const el = show(ExportDialog, {
      project,
      run: { id: 'r1', project: 'p1', status: 'done', startedAt: '', settings: {} },
      onclose: () => {}
    });
    expectOneStopEach(radioGroups(el), 2);
  });
});
