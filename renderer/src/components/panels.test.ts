/**
 * Component tests for the live panels and result views, mounted in a DOM: what each shows for
 * given numbers (winner threshold, energy and battery arithmetic, sparsity rows, confusion cells,
 * chart points).
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import Confusion from './Confusion.svelte';
import EnergyMeter from './EnergyMeter.svelte';
import LineChart from './LineChart.svelte';
import ProbBars from './ProbBars.svelte';
import SparsityPanel from './SparsityPanel.svelte';

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

describe('ProbBars', () => {
  test('names the winner only above the threshold; meters carry the percentages', () => {
    const el = show(ProbBars, { labels: ['yes', 'no'], probabilities: [0.7, 0.3], threshold: 0.6 });
    expect(el.querySelector('[data-testid="winner"]')!.textContent).toBe('yes');
    const meters = [...el.querySelectorAll('[role="meter"]')].map((m) =>
      m.getAttribute('aria-valuenow')
    );
    expect(meters).toEqual(['70', '30']);
    const low = show(ProbBars, {
      labels: ['yes', 'no'],
      probabilities: [0.55, 0.45],
      threshold: 0.6
    });
    expect(low.querySelector('[data-testid="winner"]')!.textContent).toBe('…');
  });
});

describe('EnergyMeter', () => {
  test('nJ per inference, ratio to float, µW at the rate and coin-cell years', () => {
    // 2,000 pJ at 10/s = 20 nW; 2,430 J / 2e-8 W = 1.215e11 s ≈ 3,850 years.
    const el = show(EnergyMeter, {
      totalPj: 2000,
      floatDensePj: 30000,
      computePj: 500,
      memoryPj: 1500,
      rate: 10
    });
    const text = el.textContent!;
    expect(el.querySelector('[data-testid="energy"]')!.textContent).toBe('2.0 nJ');
    expect(text).toContain('15.0× more');
    expect(text).toContain('0.02 µW');
    expect(text).toContain(`${(2430 / 2e-8 / 3600 / 24 / 365).toFixed(1)} years`);
    expect(text).toContain('25 % compute');
  });
});

describe('SparsityPanel', () => {
  test('one row per layer with density and executed share of MACs', () => {
    const el = show(SparsityPanel, {
      layers: [
        {
          name: 'conv0',
          op: 'conv',
          bits: 4,
          density: 0.25,
          macs: 1000,
          executedMacs: 400,
          energyPj: 1,
          deadFilters: 2
        },
        {
          name: 'kwta1',
          op: 'kwta',
          bits: 8,
          density: 0.5,
          macs: 0,
          executedMacs: 0,
          energyPj: 1,
          winners: 4,
          channels: 8
        }
      ]
    });
    const rows = [...el.querySelectorAll('tbody tr')].map((r) =>
      r.textContent!.replace(/\s+/g, ' ').trim()
    );
    expect(rows[0]).toContain('conv0');
    expect(rows[0]).toContain('25 %');
    expect(rows[0]).toContain('40 % of 1,000');
    const cells = [...el.querySelectorAll('tbody tr')[0].querySelectorAll('td')].map((c) =>
      c.textContent!.trim()
    );
    expect(cells).toEqual(['4', '25 %', '—', '2', '40 % of 1,000']);
    expect(rows[1]).toContain('50 %');
    expect(rows[1]).toContain('4.0 of 8');
    expect(rows[1]).toContain('—');
  });
});

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
});
