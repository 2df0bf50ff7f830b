/**
 * A burst of camera frames: how many, how far apart, and how long that takes. The frames are
 * grabbed on a fixed schedule first and encoded and saved only after the last one, so a burst
 * lasts (frames − 1) × interval whatever saving costs (before, saving each frame between grabs
 * stretched 10 frames to about 3 s, long enough for the scene to change halfway).
 */

export interface BurstSettings {
  /** Frames per burst, 1 to {@link MAX_FRAMES}. */
  frames: number;
  /** Time between frames, ms, {@link MIN_INTERVAL_MS} to {@link MAX_INTERVAL_MS}. */
  intervalMs: number;
}

export const DEFAULT_BURST: BurstSettings = { frames: 10, intervalMs: 100 };
export const MAX_FRAMES = 50;
export const MIN_INTERVAL_MS = 50;
export const MAX_INTERVAL_MS = 2000;

/** `s` with each value made whole and brought into its range (defaults for what is not a number). */
export function clampBurst(s: Partial<BurstSettings>): BurstSettings {
  const fit = (v: unknown, lo: number, hi: number, fallback: number) =>
    typeof v === 'number' && Number.isFinite(v)
      ? Math.min(hi, Math.max(lo, Math.round(v)))
      : fallback;
  return {
    frames: fit(s.frames, 1, MAX_FRAMES, DEFAULT_BURST.frames),
    intervalMs: fit(s.intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS, DEFAULT_BURST.intervalMs)
  };
}

/** Seconds from the first frame to the last. */
export function burstSeconds(s: BurstSettings): number {
  return ((s.frames - 1) * s.intervalMs) / 1000;
}

/** "10 frames, one every 100 ms: 0.9 s". */
export function burstText(s: BurstSettings): string {
  if (s.frames === 1) return '1 frame';
  return `${s.frames} frames, one every ${s.intervalMs} ms: ${burstSeconds(s).toFixed(1)} s`;
}

/** The clock and timer a burst runs on (performance.now and setTimeout in the page). */
export interface BurstClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const pageClock: BurstClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms))
};

/**
 * Grabs `s.frames` frames, frame k at k × interval after the first (on schedule: a late grab does
 * not push the later ones back), calling `onFrame(k + 1)` after each. Frames `grab` could not give
 * (the camera not ready) are skipped. Returns the frames in order.
 */
export async function grabBurst<T>(
  grab: () => T | undefined,
  s: BurstSettings,
  onFrame: (done: number) => void = () => {},
  clock: BurstClock = pageClock
): Promise<T[]> {
  const out: T[] = [];
  const began = clock.now();
  for (let k = 0; k < s.frames; k++) {
    const wait = began + k * s.intervalMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const frame = grab();
    if (frame !== undefined) out.push(frame);
    onFrame(k + 1);
  }
  return out;
}
