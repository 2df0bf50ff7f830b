/**
 * quench stream --calibrate: per-class thresholds and averaging chosen on a labelled recording
 * (core/live/calibrate.ts) from one replay, printed with the score before and after; --write
 * stores them in the model file (atomically) so that a plain `quench stream` and Live use them.
 */
import { basename } from 'node:path';
import {
  calibrateOnRecording,
  recordingWindows,
  SAME_RECORDING_NOTE
} from '../../core/live/calibrate';
import type { LiveSettings } from '../../core/live/detector';
import type { LivePath } from '../../core/live/live-path';
import type { DetectionScore, LabelledEvent } from '../../core/live/score';
import { encodeModel, type ModelContents } from '../../core/model-file/model-file';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import { UsageError, type Io, type Values } from '../common';
import { thresholdText } from './train';

/** The default false-alarm rate --calibrate keeps to, per hour. */
export const DEFAULT_MAX_FALSE_ALARMS_PER_HOUR = 20;

/** Refuses calibration flags without --calibrate, and --calibrate without labels; the rate. */
export function calibrationFlags(v: Values): number | undefined {
  const rateFlag = v['max-false-alarms-per-hour'];
  if (!v.calibrate) {
    if (v.write) throw new UsageError('--write stores calibrated settings: add --calibrate');
    if (rateFlag !== undefined)
      throw new UsageError('--max-false-alarms-per-hour is for --calibrate');
    return undefined;
  }
  if (v.labels === undefined)
    throw new UsageError('--calibrate needs --labels FILE.tsv: the events it should hear');
  if (rateFlag === undefined) return DEFAULT_MAX_FALSE_ALARMS_PER_HOUR;
  const n = Number(rateFlag);
  if (rateFlag.trim() === '' || !(n >= 0 && n <= 3600))
    throw new UsageError(
      `--max-false-alarms-per-hour must be a number from 0 to 3600, got ${JSON.stringify(rateFlag)}`
    );
  return n;
}

function settingsText(s: LiveSettings, labels: string[]): string {
  const each = labels
    .map((l, c) => (s.silent[c] ? '' : `${l} ${thresholdText(s.thresholds[c])}`))
    .filter(Boolean)
    .join(', ');
  const avg = s.average === 1 ? 'no averaging' : `averaging ${s.average} windows`;
  return `thresholds ${each}; ${avg}`;
}

function scoreText(r: DetectionScore): string {
  const rate = r.hitRate === null ? '—' : `${(100 * r.hitRate).toFixed(1)} %`;
  return (
    `${r.hits} of ${r.heard.length} events heard (${rate}), ${r.misses} missed, ` +
    `${r.falseAlarms} false alarms (${r.falseAlarmsPerHour.toFixed(1)} per hour)`
  );
}

const scoreJson = (settings: LiveSettings, r: DetectionScore) => ({
  settings,
  hits: r.hits,
  misses: r.misses,
  falseAlarms: r.falseAlarms,
  falseAlarmsPerHour: r.falseAlarmsPerHour,
  hitRate: r.hitRate,
  events: r.heard.length
});

export async function calibrateStream(
  v: Values,
  io: Io,
  job: {
    path: LivePath;
    contents: ModelContents;
    modelPath: string;
    audioPath: string;
    samples: Float32Array;
    events: LabelledEvent[];
    rate: number;
  }
): Promise<number> {
  const { path, contents, modelPath, audioPath, samples, events, rate } = job;
  const started = io.now();
  const before = path.settings;
  const windows = recordingWindows(path, samples, (done, total) => {
    if (io.isTTY) io.err(`\rreplaying ${Math.round((100 * done) / total)} %`);
  });
  if (io.isTTY) io.err('\n');
  const c = calibrateOnRecording(windows, events, before, {
    maxFalseAlarmsPerHour: rate,
    name: basename(audioPath)
  });
  const overlap = `${Math.round(100 * before.overlap)} % overlap, ${before.suppressionMs} ms suppression`;
  const basis = `${c.basis} (${overlap})`;
  if (v.write) {
    const next: ModelContents = {
      ...contents,
      detection: { thresholds: c.settings.thresholds, average: c.settings.average, basis }
    };
    // An integer-only file stays one.
    await writeFileAtomic(
      modelPath,
      encodeModel(next, { includeFloat: contents.tensors.length > 0 })
    );
  }
  if (v.json) {
    io.out(
      JSON.stringify({
        audio: audioPath,
        seconds: windows.seconds,
        windows: windows.times.length,
        maxFalseAlarmsPerHour: rate,
        allowedFalseAlarms: c.allowedFalseAlarms,
        warnings: c.warnings,
        before: scoreJson(before, c.before),
        after: scoreJson(c.settings, c.after),
        basis,
        optimistic: SAME_RECORDING_NOTE,
        written: v.write ? modelPath : null,
        milliseconds: io.now() - started
      })
    );
    return 0;
  }
  const labels = path.labels;
  io.out(`before: ${settingsText(before, labels)}`);
  io.out(`  ${scoreText(c.before)}`);
  io.out(
    `chosen for at most ${rate} false alarms per hour (${c.allowedFalseAlarms} in ${windows.seconds.toFixed(1)} s, ${overlap}): ${settingsText(c.settings, labels)}`
  );
  io.out(`  ${scoreText(c.after)}`);
  if (c.after.hits === 0 && c.after.heard.length > 0)
    io.out(
      `no setting hears a labelled event with at most ${c.allowedFalseAlarms} false alarms here: allow more per hour`
    );
  for (const w of c.warnings) io.out(`warning: ${w}`);
  io.out(`note: ${SAME_RECORDING_NOTE}`);
  io.out(
    v.write
      ? `wrote them to ${modelPath}: quench stream and Live now start from them`
      : 'add --write to store them in the model file'
  );
  return 0;
}
