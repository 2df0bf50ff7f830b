/**
 * Detections against a label file: hits, misses and false alarms per hour (DESIGN.md, `quench
 * stream`). A label file has one event per line, `start_s<TAB>end_s<TAB>class` — the format of an
 * Audacity label track export, whose spectral-selection lines (starting with a backslash) are
 * skipped, as are blank lines and lines starting with #.
 */
import type { Detection } from './detector';

export interface LabelledEvent {
  start: number;
  end: number;
  label: string;
  /** 1-based line in the file. */
  line: number;
}

export class LabelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelsError';
  }
}

/** Seconds after an event's end within which a detection still counts as hearing it. */
export const HIT_TOLERANCE_S = 0.5;

/**
 * Parses a label file. `labels` are the model's classes; an event naming another class is an
 * error naming the line. Fields are tab-separated (or, without tabs, two numbers then the class).
 */
export function parseLabels(text: string, labels: string[]): LabelledEvent[] {
  const events: LabelledEvent[] = [];
  const known = new Map(labels.map((l) => [l.normalize('NFC'), l]));
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith('#') || raw.startsWith('\\')) return;
    const parts = raw.includes('\t')
      ? raw.split('\t').map((p) => p.trim())
      : (/^(\S+)\s+(\S+)\s+(.+)$/.exec(s)?.slice(1) ?? [s]);
    if (parts.length < 3 || parts[2] === '') {
      throw new LabelsError(
        `line ${line}: expected start, end and class, got ${JSON.stringify(s)}`
      );
    }
    const [start, end] = [Number(parts[0]), Number(parts[1])];
    if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
      throw new LabelsError(
        `line ${line}: start and end must be seconds with start ≤ end, got ${JSON.stringify(parts[0])} and ${JSON.stringify(parts[1])}`
      );
    }
    const label = known.get(parts[2].normalize('NFC'));
    if (label === undefined) {
      throw new LabelsError(
        `line ${line}: class ${JSON.stringify(parts[2])} is not one the model knows (${labels.join(', ')})`
      );
    }
    events.push({ start, end, label, line });
  });
  return events.sort((a, b) => a.start - b.start);
}

export interface DetectionScore {
  /** Events heard: a detection naming the event's class within it or up to 0.5 s after its end. */
  hits: number;
  /** Events no detection matched. */
  misses: number;
  /** Detections that matched no event (a second detection of one event counts as one too). */
  falseAlarms: number;
  falseAlarmsPerHour: number;
  /** hits / events, null when there are no events. */
  hitRate: number | null;
  /** Per event, whether it was heard; per detection, the event it matched (index) or null. */
  heard: boolean[];
  matched: (number | null)[];
}

/**
 * Scores `detections` against `events` over a recording of `seconds`. Detections are taken in
 * time order; each matches the earliest event not yet heard whose class it names and whose span
 * [start, end + tolerance] holds it.
 */
export function scoreDetections(
  detections: Detection[],
  events: LabelledEvent[],
  seconds: number,
  tolerance = HIT_TOLERANCE_S
): DetectionScore {
  const heard = events.map(() => false);
  const order = detections.map((_, i) => i).sort((a, b) => detections[a].time - detections[b].time);
  const matched: (number | null)[] = detections.map(() => null);
  for (const i of order) {
    const d = detections[i];
    const e = events.findIndex(
      (ev, j) =>
        !heard[j] && ev.label === d.label && d.time >= ev.start && d.time <= ev.end + tolerance
    );
    if (e >= 0) {
      heard[e] = true;
      matched[i] = e;
    }
  }
  const hits = heard.filter(Boolean).length;
  const falseAlarms = matched.filter((m) => m === null).length;
  return {
    hits,
    misses: events.length - hits,
    falseAlarms,
    falseAlarmsPerHour: seconds > 0 ? falseAlarms / (seconds / 3600) : 0,
    hitRate: events.length ? hits / events.length : null,
    heard,
    matched
  };
}

/** The events a detector could announce: those of classes that are not `silent` (background). */
export function announcedEvents(
  events: LabelledEvent[],
  labels: string[],
  silent: boolean[]
): LabelledEvent[] {
  return events.filter((e) => !silent[labels.indexOf(e.label)]);
}
