/**
 * quench stream: a long recording through exactly the live path (core/live: the same hop,
 * averaging, thresholds and suppression as the app's Live view) → one line per detection,
 * `seconds<TAB>class<TAB>probability`; with --labels, hits, misses and false alarms per hour;
 * with --calibrate, thresholds and averaging chosen on the recording (stream-calibrate.ts).
 */
import { resolve } from 'node:path';
import { AudioError } from '../../core/features/audio-error';
import { FeatureError } from '../../core/features/logmel';
import { type LiveSettings } from '../../core/live/detector';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples, replayRecording } from '../../core/live/replay';
import { announcedEvents, LabelsError, parseLabels, scoreDetections } from '../../core/live/score';
import {
  InputError,
  intModelOf,
  loadModel,
  readBytes,
  required,
  UsageError,
  type Io,
  type Values
} from '../common';
import { calibrateStream, calibrationFlags } from './stream-calibrate';

function fraction(v: Values, name: 'threshold' | 'overlap', lo: number, hi: number) {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(n >= lo && n <= hi) || raw.trim() === '')
    throw new UsageError(
      `--${name} must be a number from ${lo} to ${hi}, got ${JSON.stringify(raw)}`
    );
  return n;
}

/** The flags' settings on top of the live defaults (those of the app's Live view). */
function settingsFrom(v: Values, path: LivePath): LiveSettings {
  const s = { ...path.settings };
  const threshold = fraction(v, 'threshold', 0, 1);
  if (threshold !== undefined) s.thresholds = s.thresholds.map(() => threshold);
  const overlap = fraction(v, 'overlap', 0, 0.95);
  if (overlap !== undefined) s.overlap = overlap;
  if (v.suppression !== undefined) {
    const ms = Number(v.suppression);
    if (!(Number.isInteger(ms) && ms >= 0 && ms <= 60_000))
      throw new UsageError(
        `--suppression must be whole milliseconds from 0 to 60000, got ${JSON.stringify(v.suppression)}`
      );
    s.suppressionMs = ms;
  }
  if (v.average !== undefined) {
    const n = Number(v.average);
    if (!(Number.isInteger(n) && n >= 1 && n <= 20))
      throw new UsageError(
        `--average must be a whole number of windows from 1 to 20, got ${JSON.stringify(v.average)}`
      );
    s.average = n;
  }
  return s;
}

export async function cmdStream(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const audioPath = resolve(required(v, 'audio'));
  const calibrateRate = calibrationFlags(v);
  const contents = await loadModel(modelPath);
  const model = intModelOf(contents, modelPath);
  let path: LivePath;
  try {
    path = new LivePath(contents, undefined, model);
  } catch (e) {
    if (e instanceof FeatureError) throw new InputError(`${modelPath}: ${e.message}`);
    throw e;
  }
  if (path.kind !== 'audio') {
    throw new InputError(`${modelPath}: a picture model; quench stream replays sound recordings`);
  }
  path.settings = settingsFrom(v, path);
  const labelsPath = v.labels === undefined ? undefined : resolve(required(v, 'labels'));
  let events;
  if (labelsPath) {
    const text = new TextDecoder().decode(await readBytes(labelsPath, 'label file'));
    try {
      events = parseLabels(text, path.labels);
    } catch (e) {
      if (e instanceof LabelsError) throw new InputError(`${labelsPath}: ${e.message}`);
      throw e;
    }
  }
  const bytes = await readBytes(audioPath, 'recording');
  const rate = (path.features as { sampleRate: number }).sampleRate;
  /** Reading the recording, its failures named with the file. */
  const reading = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (e) {
      if (e instanceof AudioError || e instanceof FeatureError)
        throw new InputError(`${audioPath}: ${e.message}`);
      throw e;
    }
  };
  if (calibrateRate !== undefined) {
    // Calibration replays the recording many times: it is decoded once and kept.
    const r = await reading(() => recordingSamples(bytes, audioPath, rate));
    for (const w of r.warnings) io.err(`${audioPath}: ${w}`);
    return calibrateStream(v, io, {
      path,
      contents,
      modelPath,
      audioPath,
      samples: r.samples,
      events: events!,
      rate: calibrateRate
    });
  }
  const started = io.now();
  // Replayed as it is decoded: an hour-long recording is never whole in memory.
  const { timeline, warnings } = await reading(() =>
    replayRecording(path, bytes, audioPath, (done) => {
      if (io.isTTY) io.err(`\rreplaying ${Math.round(100 * done)} %`);
    })
  );
  if (io.isTTY) io.err('\n');
  for (const w of warnings) io.err(`${audioPath}: ${w}`);
  const settings = path.settings;
  const score = events
    ? scoreDetections(
        timeline.detections,
        announcedEvents(events, path.labels, settings.silent),
        timeline.seconds
      )
    : undefined;
  if (v.json) {
    io.out(
      JSON.stringify({
        audio: audioPath,
        seconds: timeline.seconds,
        windows: timeline.times.length,
        settings,
        detections: timeline.detections.map((d) => ({
          seconds: d.time,
          class: d.label,
          probability: d.probability
        })),
        ...(score && {
          hits: score.hits,
          misses: score.misses,
          falseAlarms: score.falseAlarms,
          falseAlarmsPerHour: score.falseAlarmsPerHour,
          hitRate: score.hitRate,
          events: score.heard.length
        }),
        milliseconds: io.now() - started
      })
    );
    return 0;
  }
  for (const d of timeline.detections)
    io.out(`${d.time.toFixed(3)}\t${d.label}\t${d.probability.toFixed(4)}`);
  if (score) {
    // One summary line after the detections, marked so a script can skip it.
    const rate = score.hitRate === null ? '—' : `${(100 * score.hitRate).toFixed(1)} %`;
    io.out(
      `# ${score.hits} of ${score.heard.length} events heard (${rate}), ${score.misses} missed, ` +
        `${score.falseAlarms} false alarms (${score.falseAlarmsPerHour.toFixed(1)} per hour) ` +
        `in ${timeline.seconds.toFixed(1)} s`
    );
  }
  return 0;
}
