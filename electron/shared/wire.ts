/**
 * JSON for the browser mode's WebSocket, with bytes: a Uint8Array travels as {"$bytes": base64}.
 * Decoding refuses anything that isn't JSON; a "$bytes" value must be valid base64.
 */

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Uint8Array ? { $bytes: toBase64(v) } : v
  );
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$bytes') {
        const b = (v as { $bytes: unknown }).$bytes;
        if (typeof b !== 'string') throw new Error('$bytes must be base64 text');
        return fromBase64(b);
      }
    }
    return v;
  });
}
