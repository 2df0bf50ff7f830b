/**
 * Peak memory of a long recording — an hour of 44.1 kHz stereo MP3 at 64 kb/s (29 MB), as people
 * keep background noise or a day's test recording — through `quench predict`, `quench stream` and
 * a background class (`quench eval` on a dataset whose background folder holds it, which reads,
 * cuts and featurises it as training does). Each path runs in a process of its own, once on a
 * 10 s file of the same kind and once on the long one; the long one may take at most twice the
 * recording's size as 16 kHz mono float32 (an hour: 230 MB) more than the short one, plus
 * {@link SLACK_MB} for garbage the collector has not yet reclaimed. Decoding the whole file at its
 * own rate and channels took 5.1 GB for an hour.
 * Usage: tsx test/fuzz/long-audio.ts [--minutes N] (npm run fuzz runs it with --long-audio-minutes).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { argValue } from '../bench/bench-util';
import { ffmpeg, requireTools } from '../fixtures/media';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MODEL = join(ROOT, 'models', 'demo-words.qnm');
const CHILD = join(import.meta.dirname, 'long-audio-child.ts');
const MODES = ['predict', 'stream', 'background'] as const;
/** The long file's allowance over the short one, in multiples of its 16 kHz mono float32 size. */
export const MONO_SIZES_ALLOWED = 2;
/** Allowance for decoded pieces not yet collected (a 2-minute file's peak varies by ~40 MB). */
export const SLACK_MB = 100;

export interface LongAudioRow {
  mode: (typeof MODES)[number];
  shortMB: number;
  longMB: number;
  limitMB: number;
  ok: boolean;
}

export interface LongAudioReport {
  minutes: number;
  /** The long recording as 16 kHz mono float32, MB. */
  monoMB: number;
  rows: LongAudioRow[];
}

/** Stereo pink noise (the channels differ) as a 44.1 kHz, 64 kb/s MP3. */
function makeMp3(file: string, seconds: number): void {
  const noise = (seed: number) =>
    `anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=${seconds}:seed=${seed}`;
  ffmpeg(
    ...['-f', 'lavfi', '-i', noise(1), '-f', 'lavfi', '-i', noise(2)],
    ...['-filter_complex', '[0][1]amerge=inputs=2', '-ac', '2', '-b:a', '64k', file]
  );
}

/** Peak resident memory (MB) of `mode` on `input` in a fresh process. */
function peakMB(mode: string, input: string): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, mode, MODEL, input], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024
  });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  let result: { code: number; maxRssMB: number; out: string };
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`${mode} on ${input} failed (exit ${r.status}): ${r.stderr}`);
  }
  if (result.code !== 0)
    throw new Error(`${mode} on ${input} exited ${result.code}: ${result.out}`);
  return result.maxRssMB;
}

/** Runs every path on a 10 s and a `minutes`-long recording; see the file's comment. */
export function longAudioMemory(minutes: number): LongAudioReport {
  requireTools('ffmpeg');
  const dir = mkdtempSync(join(tmpdir(), 'quench-long-audio-'));
  try {
    const files = { short: join(dir, 'short.mp3'), long: join(dir, 'long.mp3') };
    makeMp3(files.short, 10);
    makeMp3(files.long, minutes * 60);
    const datasets = { short: join(dir, 'short-set'), long: join(dir, 'long-set') };
    for (const which of ['short', 'long'] as const) {
      mkdirSync(join(datasets[which], 'background'), { recursive: true });
      ffmpeg('-i', files[which], '-c', 'copy', join(datasets[which], 'background', 'room.mp3'));
    }
    const monoMB = (minutes * 60 * 16000 * 4) / 1e6;
    const rows = MODES.map((mode): LongAudioRow => {
      const input = (which: 'short' | 'long') =>
        mode === 'background' ? datasets[which] : files[which];
      const shortMB = peakMB(mode, input('short'));
      const longMB = peakMB(mode, input('long'));
      const limitMB = shortMB + MONO_SIZES_ALLOWED * monoMB + SLACK_MB;
      return { mode, shortMB, longMB, limitMB, ok: longMB <= limitMB };
    });
    return { minutes, monoMB, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as lines for the console; throws when a path went over its limit. */
export function checkLongAudio(report: LongAudioReport): string[] {
  const lines = report.rows.map(
    (r) =>
      `${`long audio ${r.mode}`.padEnd(22)} ${report.minutes} min MP3: peak ${r.longMB.toFixed(0)} MB (10 s: ${r.shortMB.toFixed(0)} MB; limit ${r.limitMB.toFixed(0)} MB)`
  );
  const over = report.rows.filter((r) => !r.ok);
  if (over.length) {
    throw new Error(
      `${lines.join('\n')}\n${over.map((r) => r.mode).join(', ')} took more than ${MONO_SIZES_ALLOWED} × the recording's 16 kHz mono size (${report.monoMB.toFixed(0)} MB) + ${SLACK_MB} MB over a 10 s file`
    );
  }
  return lines;
}

if (process.argv[1] === import.meta.filename) {
  const report = longAudioMemory(Number(argValue('--minutes') ?? 60));
  for (const line of checkLongAudio(report)) console.log(line);
}
