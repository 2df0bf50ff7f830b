/**
 * Live settings remembered per project and model (thresholds are tuned for one model's classes),
 * in the browser's localStorage. A stored value that no longer fits the model is ignored.
 */
import { checkLiveSettings, type LiveSettings } from '../../../core/live/detector';

const key = (project: string, run: string) => `quench.live.${project}.${run}`;

export function loadLiveSettings(
  project: string,
  run: string,
  classes: number
): LiveSettings | undefined {
  try {
    const raw = localStorage.getItem(key(project, run));
    if (!raw) return undefined;
    const s = JSON.parse(raw) as LiveSettings;
    checkLiveSettings(s, classes);
    return s;
  } catch {
    // Unreadable or stale (another model's classes): start from the defaults.
    return undefined;
  }
}

export function saveLiveSettings(project: string, run: string, s: LiveSettings): void {
  try {
    localStorage.setItem(key(project, run), JSON.stringify(s));
  } catch {
    // Storage full or switched off: the settings are simply not remembered.
  }
}

/** Forgets the settings remembered for a model (it starts from its own again). */
export function forgetLiveSettings(project: string, run: string): void {
  try {
    localStorage.removeItem(key(project, run));
  } catch {
    // Storage switched off: nothing was remembered.
  }
}

/** m:ss.s for a time in seconds since the stream began. */
export function clock(seconds: number): string {
  // Rounded to tenths first, so 9.96 s reads 0:10.0 and 59.97 s reads 1:00.0.
  const tenths = Math.round(seconds * 10);
  const m = Math.floor(tenths / 600);
  const s = (tenths - 600 * m) / 10;
  return `${m}:${s < 10 ? '0' : ''}${s.toFixed(1)}`;
}
