import { contextBridge } from 'electron';

// One namespaced API object; the typed IPC contract fills it as the services land.
contextBridge.exposeInMainWorld('quench', { version: 1 });
