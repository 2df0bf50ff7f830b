/** The open project and view kept in the address (review #12), read back after a reload. */
import { describe, expect, test } from 'vitest';
import { parseRoute, routeHash } from './route';

describe('the route in the address', () => {
  test('project and view round-trip; the Projects page has no hash', () => {
    for (const view of ['collect', 'train', 'live'] as const) {
      const hash = routeHash({ project: '3cb5e7849129b2b7', view });
      expect(hash).toBe(`#/project/3cb5e7849129b2b7/${view}`);
      expect(parseRoute(hash)).toEqual({ project: '3cb5e7849129b2b7', view });
    }
    expect(routeHash({ view: 'projects' })).toBe('');
    expect(routeHash({ project: '3cb5e7849129b2b7', view: 'projects' })).toBe('');
  });

  test('anything else is the Projects page, or the project’s Collect view', () => {
    expect(parseRoute('')).toEqual({ view: 'projects' });
    expect(parseRoute('#/project/../../etc')).toEqual({ view: 'projects' });
    expect(parseRoute('#token=abc')).toEqual({ view: 'projects' });
    expect(parseRoute('#/project/3cb5e7849129b2b7')).toEqual({
      project: '3cb5e7849129b2b7',
      view: 'collect'
    });
    expect(parseRoute('#/project/3cb5e7849129b2b7/settings')).toEqual({
      project: '3cb5e7849129b2b7',
      view: 'collect'
    });
  });
});
