/**
 * The API the views use, whichever transport carries it: the Electron preload's `window.quench`,
 * or in browser mode a WebSocket to the local server (the page's token cookie authenticates it).
 */
import type { ApiEvents, Method, QuenchApi, Req, Res } from '../../../electron/shared/api';
import { decodeWire, encodeWire } from '../../../electron/shared/wire';

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
        reject(new Error('cannot reach the Quench server: is `npm run web` still running?'));
      };
      ws.onclose = () => {
        socket = undefined;
        for (const p of pending.values())
          p.reject(new Error('the connection to the Quench server closed'));
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
      const ws = await open();
      const id = nextId++;
      return new Promise<Res<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(encodeWire({ id, method, payload: req }));
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
