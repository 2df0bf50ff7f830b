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
