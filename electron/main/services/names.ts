/**
 * Names from users become folder and file names, so they must stay inside their folder and be
 * valid on every desktop OS: no separators or characters Windows forbids, no control characters,
 * not "." or "..", no leading dot (hidden/temp files), no trailing dot or space, not a Windows
 * device name, at most 100 characters after Unicode NFC normalisation.
 */
import { ApiError } from '../../shared/api';

// Control characters are matched on purpose: they must never reach a file name.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
export const MAX_NAME_LENGTH = 100;

/** Returns the normalised name or throws ApiError saying what is wrong with it. */
export function checkName(raw: string, what: string): string {
  if (typeof raw !== 'string') throw new ApiError(`${what} must be text`);
  const name = raw.normalize('NFC').trim();
  if (name.length === 0) throw new ApiError(`${what} is empty`);
  if ([...name].length > MAX_NAME_LENGTH)
    throw new ApiError(`${what} is longer than ${MAX_NAME_LENGTH} characters`);
  if (name === '.' || name === '..') throw new ApiError(`${what} can't be "${name}"`);
  if (FORBIDDEN.test(name))
    throw new ApiError(`${what} can't contain / \\ : * ? " < > | or control characters`);
  if (name.startsWith('.')) throw new ApiError(`${what} can't start with a dot`);
  if (/[. ]$/.test(name)) throw new ApiError(`${what} can't end with a dot or a space`);
  if (RESERVED.test(name)) throw new ApiError(`${what} "${name}" is reserved on Windows`);
  return name;
}

// Characters some system forbids in file names, plus '%' itself so that encoding is reversible.
// eslint-disable-next-line no-control-regex
const ENCODE = /[<>:"/\\|?*%\u0000-\u001f\u007f]/g;
const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * A file name that is valid on every desktop OS and keeps the original recoverable: characters
 * Windows or macOS forbid (and '%') become %XX, as do a leading dot, a trailing dot or space, and
 * the first letter of a Windows device name; '/' in a relative path ("day 1/a.wav") is kept as
 * %2F so a folder import flattens into one class folder without losing where files came from.
 * The stem is shortened if the name would pass {@link MAX_NAME_LENGTH} characters.
 */
export function encodeFileName(original: string): string {
  let name = original.normalize('NFC').trim().replace(ENCODE, hex);
  if (name.startsWith('.')) name = `%2E${name.slice(1)}`;
  if (/[. ]$/.test(name)) name = name.slice(0, -1) + hex(name.slice(-1));
  if (RESERVED.test(name)) name = hex(name[0]) + name.slice(1);
  if (name.length === 0) name = 'unnamed';
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH) {
    const ext = /\.[^.]{1,10}$/.exec(name)?.[0] ?? '';
    name =
      chars
        .slice(0, MAX_NAME_LENGTH - [...ext].length)
        .join('')
        .replace(/%[0-9A-F]?$/, '') + ext;
  }
  return name;
}

/** The original name of a file written by {@link encodeFileName} (other names pass unchanged). */
export function decodeFileName(file: string): string {
  return file.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** `name` with " (2)", " (3)" … before the extension until `taken` doesn't have it (case-blind). */
export function uniqueName(name: string, taken: Set<string>): string {
  const has = (n: string) => taken.has(n.toLowerCase());
  if (!has(name)) return name;
  const m = /^(.*?)(\.[^.]*)?$/.exec(name)!;
  for (let k = 2; ; k++) {
    const candidate = `${m[1]} (${k})${m[2] ?? ''}`;
    if (!has(candidate)) return candidate;
  }
}

const NATURAL = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Names in the order people expect: numbers by value ("yes 2" before "yes 10"), case and accents
 * after the letters, then code points so that the order is total.
 */
export function naturalOrder(a: string, b: string): number {
  return NATURAL.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
