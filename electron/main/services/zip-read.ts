/**
 * A zip's entries as the tools people re-zip with write them, read only when its headers promise a
 * size a real project could have.
 *
 * Names: a zip flags names stored as UTF-8; without the flag the format (APPNOTE 4.4.4) says code
 * page 437, which Windows' "Send to compressed folder" writes, while Info-ZIP and macOS Finder
 * store their UTF-8 names unflagged. fflate reads unflagged names as Latin-1, so the names are
 * decoded here from the central directory's bytes: flagged or valid UTF-8 as UTF-8, anything else
 * as code page 437; backslashes (Windows PowerShell's Compress-Archive) are separators. Folders and
 * what operating systems leave behind (`__MACOSX/`, `._name`, `.DS_Store`, `Thumbs.db`, as folder
 * import skips them) are not entries.
 *
 * Sizes: a zip says in its central directory how large each entry unpacks; fflate's `unzipSync`
 * hands each entry's sizes to a filter before inflating it, so an archive that would unpack to more
 * than we accept (a zip bomb: gigabytes of silence in a megabyte) is refused before any memory is
 * spent. fflate inflates an entry into a buffer of its declared size, so a header that lies about
 * the size can't make it take more memory either (inflating it still takes the time its real size
 * would: about 4 s per GB).
 */
import { unzipSync } from 'fflate';
import { isOsLeftover } from '../../../core/data/files';
import { MAX_PROJECT_FILE_BYTES, sizeText } from '../../shared/sizes';
import { MAX_DATA_FILE_BYTES } from './fs-dataset';

/** What an archive may unpack to. Sizes in bytes, `ratio` unpacked : stored. */
export interface ZipLimits {
  /** The most one entry may unpack to. */
  entryBytes: number;
  /** The most all entries together may unpack to. */
  totalBytes: number;
  /** The most an entry larger than `ratioFreeBytes`, or the whole archive once larger, may
   * unpack to per byte stored. */
  ratio: number;
  /** Entries (and archives) up to this size may compress as well as they do. */
  ratioFreeBytes: number;
}

/**
 * The limits a `.quench` file is read within; a person's project stays far inside each:
 * - one entry: the largest file folder import copies into a project (256 MB, ~23 min of 48 kHz
 *   stereo WAV); clips, pictures and models are far smaller;
 * - in total 1 GB, what the largest project file the app takes (MAX_PROJECT_FILE_BYTES, 512 MB)
 *   holds of recordings, which deflate by 2 : 1 at most;
 * - 100 : 1 for anything over 16 MB: only silence compresses that well (a recording deflates by
 *   about 1.1–3 : 1, JSON by ~10 : 1, pictures and models are stored as they are), and a silent file that
 *   large is several minutes of nothing — the shape of a zip bomb, not of a project.
 */
export const ARCHIVE_LIMITS: ZipLimits = {
  entryBytes: MAX_DATA_FILE_BYTES,
  totalBytes: 2 * MAX_PROJECT_FILE_BYTES,
  ratio: 100,
  ratioFreeBytes: 16 * 1024 * 1024
};

/** A zip whose contents can't be accepted, for a reason that isn't damage (too large, …). */
export class ZipRefused extends Error {}

function tooCompressed(what: string, unpacked: number, stored: number, limits: ZipLimits): string {
  const times = Math.round(unpacked / Math.max(1, stored));
  return (
    `${what} would unpack to ${sizeText(unpacked)} from ${sizeText(stored)} (${times} times); ` +
    `nothing a project holds compresses like that (over ${sizeText(limits.ratioFreeBytes)}, ` +
    `at most ${limits.ratio} times): it looks like a zip bomb`
  );
}

/** Code page 437's characters for the bytes 0x80–0xFF (0x00–0x7F are ASCII). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** An entry name's bytes as the tool that wrote them meant them (see the module comment). */
export function entryName(raw: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return new TextDecoder().decode(raw);
  try {
    return strictUtf8.decode(raw);
  } catch {
    return Array.from(raw, (b) => (b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80])).join(
      ''
    );
  }
}

/**
 * Every entry's name bytes and UTF-8 flag, in central-directory order (the order fflate visits
 * them). Throws Error when the directory can't be walked.
 */
function centralNames(zip: Uint8Array): { raw: Uint8Array; utf8Flag: boolean }[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is the last thing in the file but for a comment of at most 65535 bytes.
  let end = zip.length - 22;
  while (end >= 0 && v.getUint32(end, true) !== 0x06054b50) {
    if (zip.length - end > 22 + 0xffff) end = -1;
    else end--;
  }
  if (end < 0) throw new Error('no zip directory');
  let count = v.getUint16(end + 8, true);
  let at = v.getUint32(end + 16, true);
  // ZIP64: a locator just before the end record points to the 64-bit one, which has the real
  // count and offset (read as fflate reads them, their low 32 bits).
  if (end >= 20 && v.getUint32(end - 20, true) === 0x07064b50) {
    const record = v.getUint32(end - 12, true);
    if (record + 56 <= zip.length && v.getUint32(record, true) === 0x06064b50) {
      count = v.getUint32(record + 32, true);
      at = v.getUint32(record + 48, true);
    }
  }
  const out: { raw: Uint8Array; utf8Flag: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || v.getUint32(at, true) !== 0x02014b50) {
      throw new Error('the zip directory is damaged');
    }
    const nameLength = v.getUint16(at + 28, true);
    if (at + 46 + nameLength > zip.length) throw new Error('the zip directory is damaged');
    out.push({
      raw: zip.subarray(at + 46, at + 46 + nameLength),
      utf8Flag: (v.getUint16(at + 8, true) & 0x800) !== 0
    });
    at += 46 + nameLength + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
  return out;
}

/** How fflate names an entry: UTF-8 when flagged, else each byte as a Latin-1 character. */
function fflateName(raw: Uint8Array, utf8Flag: boolean): string {
  return utf8Flag ? new TextDecoder().decode(raw) : String.fromCharCode(...raw);
}

/**
 * Whether a path (with '/' separators) is a folder or lies in or is something an OS left behind.
 * "." and ".." are neither: they stay in, for the caller to refuse as names leaving their folder.
 */
function notAnEntry(path: string): boolean {
  if (path.endsWith('/')) return true;
  return path.split('/').some((part) => part !== '.' && part !== '..' && isOsLeftover(part));
}

/**
 * The entries of the zip `bytes` (named `fileName` in messages) under their names as the tool
 * that wrote them meant them ('/' separators), folders and OS leftovers left out. Throws ZipRefused naming the entry (or the file) and the limit it passes, checked
 * from the headers before anything is inflated; anything else thrown (fflate's errors) means the
 * bytes are not a readable zip.
 */
export function readZipEntries(
  bytes: Uint8Array,
  fileName: string,
  limits: ZipLimits = ARCHIVE_LIMITS
): Map<string, Uint8Array> {
  const names = centralNames(bytes);
  /** fflate's name of each entry kept → its real name. */
  const kept = new Map<string, string>();
  const seen = new Set<string>();
  let index = 0;
  let unpacked = 0;
  let stored = 0;
  const entries = unzipSync(bytes, {
    filter: (f) => {
      const central = names[index++];
      if (!central || fflateName(central.raw, central.utf8Flag) !== f.name) {
        throw new Error('the zip directory could not be read');
      }
      const name = entryName(central.raw, central.utf8Flag).replace(/\\/g, '/');
      if (notAnEntry(name)) return false;
      if (seen.has(name.normalize('NFC'))) throw new ZipRefused(`${name} is in the archive twice`);
      seen.add(name.normalize('NFC'));
      if (f.originalSize > limits.entryBytes) {
        throw new ZipRefused(
          `${name} would unpack to ${sizeText(f.originalSize)}; a file in a project is at most ${sizeText(limits.entryBytes)}`
        );
      }
      unpacked += f.originalSize;
      stored += f.size;
      if (unpacked > limits.totalBytes) {
        throw new ZipRefused(
          `${fileName} would unpack to more than ${sizeText(limits.totalBytes)}, more than a project holds`
        );
      }
      if (f.originalSize > limits.ratioFreeBytes && f.originalSize > limits.ratio * f.size) {
        throw new ZipRefused(tooCompressed(name, f.originalSize, f.size, limits));
      }
      if (unpacked > limits.ratioFreeBytes && unpacked > limits.ratio * stored) {
        throw new ZipRefused(tooCompressed(fileName, unpacked, stored, limits));
      }
      kept.set(f.name, name);
      return true;
    }
  });
  return new Map(Object.entries(entries).map(([key, data]) => [kept.get(key)!, data]));
}
