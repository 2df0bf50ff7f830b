/**
 * What Collect says after a microphone take was saved: the clips it gave, the words left out
 * because the take began or ended while they were being said (sample:record leaves those out so a
 * class never trains on half a word), or that nothing was heard, so nothing was saved.
 */
import type { LeftOutClip, RecordedTake } from '../../../electron/shared/api';
import { count, fixed } from './format';

/** A few names, the middle ones elided: "yes 1, yes 2 … yes 9". */
function names(list: string[]): string {
  return list.length > 4 ? `${list.slice(0, 3).join(', ')} … ${list.at(-1)}` : list.join(', ');
}

/** "cut by the start of the take", "… the end …", "… the start and the end …". */
function edges(left: LeftOutClip[]): string {
  const start = left.some((l) => l.cut !== 'end');
  const end = left.some((l) => l.cut !== 'start');
  return start && end ? 'the start and the end' : start ? 'the start' : 'the end';
}

/**
 * The status line for a take of `seconds` saved into `className`, e.g. “Saved 3 clips (7.0 s) to
 * “music”: music 1, music 2, music 3. Left out 2 words cut by the start and the end of the take …”.
 */
export function takeMessage(className: string, seconds: number, take: RecordedTake): string {
  const { saved, leftOut } = take;
  if (take.silentInput) {
    return `The microphone gave only silence for the ${seconds.toFixed(1)} s take (below −70 dBFS): it may be muted, unplugged or the wrong input, so nothing was saved to “${className}”. Check the input, then record again.`;
  }
  if (take.nothingHeard) {
    return `Nothing heard in the ${seconds.toFixed(1)} s take: no sound rose above the room's noise, so nothing was saved to “${className}”. Say the word while holding the button (for a steady sound such as a fan, start the take before the sound).`;
  }
  const head = saved.length
    ? `Saved ${count(saved.length, 'clip')} (${seconds.toFixed(1)} s) to “${className}”: ${names(saved.map((s) => s.name))}.`
    : `Nothing saved to “${className}” from the ${seconds.toFixed(1)} s take.`;
  if (!leftOut.length) return head;
  const when = leftOut.map((l) => `${fixed(l.start, 1)}–${fixed(l.end, 1)} s`).join(', ');
  const where = edges(leftOut);
  const advice =
    where === 'the start'
      ? 'start speaking after pressing'
      : where === 'the end'
        ? 'let go after the last word has ended'
        : 'start speaking after pressing, and let go after the last word has ended';
  return `${head} Left out ${count(leftOut.length, 'word')} cut by ${where} of the take (${when}): ${advice}.`;
}

/** The status line for a take the person left out after its preview. */
export function leftOutMessage(className: string, seconds: number): string {
  return `Nothing saved to “${className}”: the ${seconds.toFixed(1)} s take was left out.`;
}
