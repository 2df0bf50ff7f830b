/**
 * The one API object the renderer sees (window.quench): typed calls and event subscriptions over
 * IPC. No ipcRenderer, no Node, nothing else crosses the bridge.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvents, Method, QuenchApi, Req, Res } from '../shared/api';

const EVENTS: (keyof ApiEvents)[] = ['train:progress', 'run:updated', 'train:finished'];

const api: QuenchApi = {
  call<M extends Method>(method: M, req: Req<M>): Promise<Res<M>> {
    return ipcRenderer.invoke(method, req) as Promise<Res<M>>;
  },
  on(event, listener) {
    if (!EVENTS.includes(event)) throw new Error(`unknown event ${String(event)}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown): void => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => ipcRenderer.off(event, wrapped);
  }
};

contextBridge.exposeInMainWorld('quench', api);
