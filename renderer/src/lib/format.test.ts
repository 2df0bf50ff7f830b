import { describe, expect, test } from 'vitest';
import { fixed, projectMeta } from './format';

describe('format', () => {
  test('a project line counts in the right number: "1 class", "1 picture"', () => {
    expect(projectMeta({ kind: 'vision', classes: [{ samples: 1 }] })).toBe(
      'images · 1 class · 1 picture'
    );
    expect(
      projectMeta({ demo: true, kind: 'audio', classes: [{ samples: 40 }, { samples: 40 }] })
    ).toBe('demo · sounds · 2 classes · 80 samples');
  });
  test('never "-0.0"', () => {
    expect(fixed(-0.04, 1)).toBe('0.0');
    expect(fixed(-0.12, 1)).toBe('-0.1');
  });
});
