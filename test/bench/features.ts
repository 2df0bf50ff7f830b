/**
 * Feature extraction cost per second of audio: resampling 48 kHz → 16 kHz (Kaiser sinc) and the
 * log-mel front end (49 frames × 40 bands), batch and streaming — as multiples of real time.
 * Usage: tsx test/bench/features.ts [--seconds N]
 */
import { LogMelFrontEnd, LogMelStream, SPEECH_LOGMEL } from '../../core/features/logmel';
import { resample, Resampler } from '../../core/features/resample';
import { argValue, machineLine, table, writeResult } from './bench-util';

const seconds = Number(argValue('--seconds') ?? 60);
const settings = SPEECH_LOGMEL;
const at48 = Float32Array.from(
  { length: 48000 * seconds },
  (_, i) => 0.3 * Math.sin(i / 11) + 0.1 * Math.sin(i / 3.7)
);

function time(fn: () => void): number {
  fn(); // warm-up
  const t = performance.now();
  fn();
  return (performance.now() - t) / seconds; // ms per second of audio
}

let at16: Float32Array = new Float32Array(0);
const resampleMs = time(() => (at16 = resample(at48, 48000, 16000)));
const front = new LogMelFrontEnd(settings);
const logmelMs = time(() => front.frames(at16));
const streamMs = time(() => {
  const r = new Resampler(48000, 16000);
  const s = new LogMelStream(settings);
  for (let i = 0; i < at48.length; i += 128) s.push(r.push(at48.subarray(i, i + 128)));
});
const rows = [
  ['resample 48 → 16 kHz (batch)', resampleMs],
  ['log-mel 49 × 40 (batch, 16 kHz)', logmelMs],
  ['live path: 128-sample blocks through resampler + log-mel stream', streamMs]
] as const;
for (const [name, ms] of rows)
  console.log(
    `${name}: ${ms.toFixed(2)} ms per second of audio (${(1000 / ms).toFixed(0)}× real time)`
  );
console.log(machineLine());
writeResult(
  'features',
  { seconds, rows: rows.map(([name, ms]) => ({ name, msPerSecond: ms })), machine: machineLine() },
  [
    '## Feature extraction per second of audio',
    '',
    `${seconds} s of 48 kHz audio, one thread.`,
    '',
    table(
      ['step', 'ms per second of audio', 'speed vs real time'],
      rows.map(([name, ms]) => [name, ms.toFixed(2), `${(1000 / ms).toFixed(0)}×`])
    )
  ].join('\n')
);
