/**
 * Component tests for the result views, mounted in a DOM: what each shows for given numbers
 * (confusion cells, chart points). The live panels are tested in live.test.ts.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import Confusion from './Confusion.svelte';
import LineChart from './LineChart.svelte';

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
});

/** Mounts a component with props into a fresh element (types come from the .svelte shim). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function show(component: any, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

describe('Confusion', () => {
  test('rows are true classes with recall, cells the counts', () => {
    const el = show(Confusion, {
      labels: ['a', 'b'],
      confusion: [
        [3, 1],
        [0, 4]
      ],
      perClass: [0.75, 1]
    });
    const cells = [...el.querySelectorAll('tbody td')].map((c) => c.textContent);
    expect(cells).toEqual(['75 % of 4', '3', '1', '100 % of 4', '0', '4']);
  });

  test('a class with no evaluated clip reads "—", not 0 %', () => {
    const el = show(Confusion, {
      labels: ['left', 'right'],
      confusion: [
        [3, 0],
        [0, 0]
      ],
      perClass: [1, null],
      classClips: [3, 0]
    });
    const recall = [...el.querySelectorAll('[data-testid="recall"]')].map((c) => c.textContent);
    expect(recall).toEqual(['100 % of 3', '—']);
  });
});

describe('LineChart', () => {
  test('one polyline per series with a point per value', () => {
    const el = show(LineChart, {
      title: 'loss',
      series: [
        { name: 'loss', values: [1, 0.5, 0.25], color: 'red' },
        { name: 'acc', values: [0.2], color: 'blue' }
      ]
    });
    const line = el.querySelector('polyline')!;
    expect(line.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(el.querySelectorAll('circle')).toHaveLength(1);
    expect(el.querySelector('svg')!.getAttribute('aria-label')).toBe('loss');
  });

  test('loss on its own scale, accuracy on a 0–100 % axis, epochs along the bottom (review #14)', () => {
    const el = show(LineChart, {
      title: 'Loss and accuracy',
      leftLabel: 'loss',
      rightLabel: 'accuracy',
      series: [
        { name: 'loss', values: [2, 1, 0.5], color: 'red' },
        { name: 'accuracy', values: [0.5, 0.75, 1], color: 'blue', axis: 'right' }
      ]
    });
    const ys = (i: number) =>
      el
        .querySelectorAll('polyline')
        [i].getAttribute('points')!
        .split(' ')
        .map((p) => Number(p.split(',')[1]));
    // Loss 2 (its largest) and accuracy 100 % both reach the top; loss 1 and 50 % meet half-way.
    expect(ys(0)[0]).toBeCloseTo(ys(1)[2], 6);
    expect(ys(0)[1]).toBeCloseTo(ys(1)[0], 6);
    const texts = [...el.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['epoch', 'loss', 'accuracy', '100 %', '2.0']));
    expect([...el.querySelectorAll('text.tick')].map((t) => t.textContent)).toEqual([
      '1',
      '2',
      '3'
    ]);
    expect(el.querySelector('figcaption')!.textContent).toMatch(
      /loss \(left\).*accuracy \(right\)/
    );
  });
});
