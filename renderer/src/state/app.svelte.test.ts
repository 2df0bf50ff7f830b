/**
 * The open project in the page's state: answers that arrive out of order (a loaded machine, many
 * saves in a row) never put back an older state over a newer one.
 */
import { expect, test, vi } from 'vitest';
import type { ProjectInfo } from '../../../electron/shared/api';

/** project:get answers, resolved by the test in any order. */
const pending: ((p: ProjectInfo) => void)[] = [];
vi.mock('../api/client', () => ({
  api: {
    call: (method: string) =>
      method === 'project:get'
        ? new Promise<ProjectInfo>((resolve) => pending.push(resolve))
        : Promise.resolve([]),
    on: () => () => {}
  }
}));

const { app } = await import('./app.svelte');

const state = (samples: number): ProjectInfo => ({
  id: 'p1',
  name: 'Shapes',
  kind: 'vision',
  createdAt: '',
  classes: [{ name: 'nothing', samples }]
});

test('an older refresh answering last does not undo a newer one, or a class just added', async () => {
  app.project = state(0);
  const older = app.refreshProject();
  const newer = app.refreshProject();
  pending[1](state(10));
  await newer;
  pending[0](state(3));
  await older;
  expect(app.project?.classes[0].samples).toBe(10);

  // A refresh in flight when an answer carrying the project (e.g. class:add) is set.
  const inFlight = app.refreshProject();
  app.project = { ...state(10), classes: [...state(10).classes, { name: 'square', samples: 0 }] };
  pending[2](state(10));
  await inFlight;
  expect(app.project?.classes.map((c) => c.name)).toEqual(['nothing', 'square']);
});
