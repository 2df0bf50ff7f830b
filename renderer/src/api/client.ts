/**
 * The API the views use, whichever transport carries it: the Electron preload's `window.quench`,
 * or in browser mode a WebSocket to the local server (the page's token cookie authenticates it),
 * with files over INLINE_BYTES sent ahead by HTTP upload and named in the request.
 */
import type { ApiEvents, Method, QuenchApi, Req, Res } from '../../../electron/shared/api';
import { decodeWire, encodeWire, INLINE_BYTES, uploadRef } from '../../../electron/shared/wire';

/** How far a file being sent to the browser-mode server is: bytes sent, bytes in all. */
export type SendingListener = (sending: { sent: number; total: number }) => void;

const sendingListeners = new Set<SendingListener>();

/**
 * Hears how far each large file sent to the browser-mode server is (for a progress line); the
 * desktop app hands files over at once and never calls it. Returns the unsubscribe.
 */
export function onSending(listener: SendingListener): () => void {
  sendingListeners.add(listener);
  return () => sendingListeners.delete(listener);
}

const UNREACHABLE = 'cannot reach the Quench server: is `npm run web` still running?';

/** Sends `bytes` by `POST /upload`; resolves with the id the server keeps them under. */
function upload(bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/upload');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      for (const l of sendingListeners) l({ sent: e.loaded, total: e.total || bytes.length });
    };
    xhr.onload = () => {
      let id: unknown;
      try {
        id = (JSON.parse(xhr.responseText) as { upload?: unknown }).upload;
      } catch {
        id = undefined; // the server's refusal, in words
      }
      if (xhr.status === 200 && typeof id === 'string') resolve(id);
      else reject(new Error(xhr.responseText.trim() || `the upload failed (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error(UNREACHABLE));
    xhr.send(bytes as Uint8Array<ArrayBuffer>);
  });
}

/** `req` with each field holding more than INLINE_BYTES uploaded and named by its upload id. */
async function uploadLarge(req: object): Promise<object> {
  const out: Record<string, unknown> = { ...req };
  for (const [key, value] of Object.entries(out)) {
    if (value instanceof Uint8Array && value.length > INLINE_BYTES)
      out[key] = uploadRef(await upload(value));
  }
  return out;
}

/** Why the connection closed, for the calls it leaves unanswered (WebSocket close codes). */
function closedText(code: number): string {
  if (code === 1009)
    return 'the Quench server refused a request too large for one message and closed the connection';
  return 'the connection to the Quench server closed';
}

declare global {
  interface Window {
    quench?: QuenchApi;
  }
}

function webSocketApi(): QuenchApi {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  let socket: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const open = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    opening ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        opening = undefined;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = undefined;
        reject(new Error(UNREACHABLE));
      };
      ws.onclose = (e) => {
        if (socket === ws) socket = undefined;
        for (const p of pending.values()) p.reject(new Error(closedText(e.code)));
        pending.clear();
      };
      ws.onmessage = (e) => {
        const msg = decodeWire(String(e.data)) as {
          id?: number;
          ok?: boolean;
          result?: unknown;
          error?: string;
          event?: string;
          payload?: unknown;
        };
        if (msg.event) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          return;
        }
        const p = pending.get(msg.id!);
        if (!p) return;
        pending.delete(msg.id!);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(msg.error ?? 'request failed'));
      };
    });
    return opening;
  };

  return {
    async call<M extends Method>(method: M, req: Req<M>): Promise<Res<M>> {
      const payload = await uploadLarge(req);
      const ws = await open();
      const id = nextId++;
      return new Promise<Res<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(encodeWire({ id, method, payload }));
      });
    },
    on<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (p: unknown) => void);
      void open();
      return () => set.delete(listener as (p: unknown) => void);
    }
  };
}

export const api: QuenchApi = window.quench ?? webSocketApi();
