/**
 * Camera bursts: frames grabbed on a fixed schedule before anything is saved, so a burst of 10
 * frames at 100 ms lasts 0.9 s however long each grab takes; settings kept in range.
 */
import { describe, expect, test } from 'vitest';
import { burstSeconds, burstText, clampBurst, DEFAULT_BURST, grabBurst } from './burst';

/** A clock that only moves when slept on, or when a grab costs time. */
function fakeClock() {
  let t = 1000;
  return {
    clock: { now: () => t, sleep: async (ms: number) => void (t += ms) },
    advance: (ms: number) => (t += ms),
    get t() {
      return t;
    }
  };
}

describe('grabBurst', () => {
  test('10 frames every 100 ms: grabbed at 0, 100 … 900 ms even when each grab takes 30 ms', async () => {
    const c = fakeClock();
    const times: number[] = [];
    const counted: number[] = [];
    const frames = await grabBurst(
      () => {
        times.push(c.t - 1000);
        c.advance(30);
        return times.length;
      },
      DEFAULT_BURST,
      (n) => counted.push(n),
      c.clock
    );
    expect(times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(frames).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(counted).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(burstSeconds(DEFAULT_BURST)).toBeCloseTo(0.9, 9);
  });

  test('frames the camera could not give are skipped, not saved as empty', async () => {
    const c = fakeClock();
    let k = 0;
    const frames = await grabBurst(
      () => (k++ % 2 ? 'frame' : undefined),
      { frames: 4, intervalMs: 50 },
      undefined,
      c.clock
    );
    expect(frames).toEqual(['frame', 'frame']);
  });
});

describe('burst settings', () => {
  test('kept whole and in range; said in words with their length', () => {
    expect(clampBurst({ frames: 0, intervalMs: 10 })).toEqual({ frames: 1, intervalMs: 50 });
    expect(clampBurst({ frames: 80.4, intervalMs: 99_999 })).toEqual({
      frames: 50,
      intervalMs: 2000
    });
    expect(clampBurst({ frames: Number.NaN })).toEqual(DEFAULT_BURST);
    expect(burstText({ frames: 5, intervalMs: 250 })).toBe('5 frames, one every 250 ms: 1.0 s');
    expect(burstText({ frames: 1, intervalMs: 250 })).toBe('1 frame');
  });
});
