/**
 * Writes the files of issue 15 ("every file a person has") to a folder, made by the same tools and
 * helpers the tests use (test/fixtures/media.ts): datasets to train on with `quench train` and to
 * import in the app, with every audio format, WAV quirk, image orientation, transparency, PNG
 * variant, folder layout and stray file the tests check.
 *
 * Usage: tsx scripts/make-format-fixtures.ts --out DIR
 * Writes DIR/words/<class>/… (sound) and DIR/pictures/<class>/… (images).
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CONVERT,
  ffmpeg,
  longTake,
  read,
  requireTools,
  run,
  sox,
  speak
} from '../test/fixtures/media';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  console.error('usage: tsx scripts/make-format-fixtures.ts --out DIR');
  process.exit(2);
}
requireTools('sox', 'ffmpeg', 'espeak-ng', CONVERT, 'exiftool');
const out = values.out;
const words = join(out, 'words');
const tmp = join(out, '.work');
for (const d of ['yes', 'no', 'noise', 'no/phone/day 2'].map((c) => join(words, c))) {
  mkdirSync(d, { recursive: true });
}
mkdirSync(tmp, { recursive: true });
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// Long takes: 24 "yes" (WAV) and a phone memo of 8 "no" (M4A).
longTake(join(words, 'yes'), 'yes-take.wav', 'yes', 24);
longTake(tmp, 'no-take.wav', 'no', 8);
ffmpeg(
  '-i',
  join(tmp, 'no-take.wav'),
  '-c:a',
  'aac',
  '-ar',
  '44100',
  join(words, 'no', 'memo.m4a')
);

// Single words in every format people have, some in sub-folders.
const formats: [string, string[]][] = [
  ['mp3', ['-c:a', 'libmp3lame']],
  ['ogg', ['-c:a', 'libvorbis']],
  ['opus', ['-c:a', 'libopus']],
  ['flac', []],
  ['webm', ['-c:a', 'libopus']],
  ['aiff', []]
];
formats.forEach(([ext, args], i) => {
  const raw = speak(join(tmp, `no${i}.wav`), 'no', ['en-gb', 'en-us+f3', 'en+m3'][i % 3]);
  const where = i % 2 ? join(words, 'no', 'phone', 'day 2') : join(words, 'no');
  ffmpeg('-i', raw, ...args, join(where, `no ${i}.${ext}`));
});
// WAV as other tools write it: µ-law, a pipe (0xFFFFFFFF sizes), a recorder killed mid-write,
// and stereo whose channels cancel.
const one = speak(join(tmp, 'yes1.wav'), 'yes', 'en-us');
sox(one, '-e', 'u-law', join(words, 'yes', 'mulaw.wav'));
writeFileSync(join(words, 'yes', 'piped.wav'), ffmpeg('-i', one, '-f', 'wav', '-'));
ffmpeg('-i', one, join(tmp, 'whole.wav'));
const whole = read(join(tmp, 'whole.wav'));
writeFileSync(join(words, 'yes', 'killed.wav'), whole.subarray(0, Math.floor(whole.length * 0.7)));
sox(one, join(words, 'yes', 'cancelling stereo.wav'), 'remix', '1', '1i');
// Background noise, OS leftovers, a stray cover picture, a link to a file elsewhere.
sox(
  '-n',
  '-r',
  '16000',
  join(words, 'noise', 'room.wav'),
  'synth',
  '8',
  'pinknoise',
  'vol',
  '0.05'
);
for (const f of ['Thumbs.db', 'desktop.ini', '.DS_Store', '._yes-take.wav']) {
  writeFileSync(join(words, 'yes', f), 'leftover');
}
run(CONVERT, ['-size', '64x64', 'plasma:', join(words, 'yes', 'cover.jpg')]);
symlinkSync(join(words, 'yes', 'mulaw.wav'), join(words, 'no', 'linked (really yes).wav'));

// Pictures: a vertical bar upright, and as a phone stores it (rotated, EXIF Orientation 6);
// transparent drawings; interlaced low-bit PNGs.
const pictures = join(out, 'pictures');
for (const c of ['vertical', 'horizontal', 'drawings'])
  mkdirSync(join(pictures, c), { recursive: true });
for (let i = 0; i < 6; i++) {
  const x = 4 + i * 3;
  run(CONVERT, [
    '-size',
    '32x32',
    'xc:white',
    '-fill',
    'black',
    '-draw',
    `rectangle ${x},2 ${x + 3},29`,
    join(pictures, 'vertical', `v${i}.png`)
  ]);
  run(CONVERT, [
    '-size',
    '32x32',
    'xc:white',
    '-fill',
    'black',
    '-draw',
    `rectangle 2,${x} 29,${x + 3}`,
    '-interlace',
    'PNG',
    join(pictures, 'horizontal', `h${i}.png`)
  ]);
}
run(CONVERT, [
  join(pictures, 'vertical', 'v2.png'),
  '-rotate',
  '-90',
  join(pictures, 'vertical', 'phone.jpg')
]);
run('exiftool', [
  '-q',
  '-overwrite_original',
  '-Orientation=6',
  '-n',
  join(pictures, 'vertical', 'phone.jpg')
]);
for (const [name, draw] of [
  ['circle', 'circle 16,16 16,6'],
  ['cross', 'line 4,4 28,28']
]) {
  run(CONVERT, [
    '-size',
    '32x32',
    'xc:none',
    '-stroke',
    'black',
    '-strokewidth',
    '3',
    '-fill',
    'none',
    '-draw',
    draw,
    join(pictures, 'drawings', `${name}.png`)
  ]);
}
console.log(`wrote ${words} and ${pictures}`);
