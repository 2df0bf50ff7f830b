import { describe, expect, test } from 'vitest';
import { takeMessage } from './takes';

describe('takeMessage', () => {
  test('a word cut by the start of the take, its window reaching before 0 s, reads "0.0–", never "-0.0–"', () => {
    const text = takeMessage('yes', 2, {
      saved: [],
      leftOut: [{ start: -0.04, end: 0.96, cut: 'start' }]
    });
    expect(text).toContain('(0.0–1.0 s)');
    expect(text).not.toContain('-0.0');
  });

  test('a take of digital silence says the microphone gave only silence, whatever the class', () => {
    const text = takeMessage('background', 10, { saved: [], leftOut: [], silentInput: true });
    expect(text).toMatch(
      /^The microphone gave only silence for the 10\.0 s take .*muted, unplugged/
    );
    expect(text).toContain('nothing was saved to “background”');
  });
});
