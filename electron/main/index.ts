/**
 * Electron main: the window with secure defaults and the IPC wiring to the Node services. Kept
 * thin — everything it calls is tested without Electron (services, validation, web server).
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { ApiService } from './services/api-service';
import { ApiError, METHODS } from '../shared/api';

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let win: BrowserWindow | undefined;

function isAppUrl(url: string): boolean {
  const dev = process.env.ELECTRON_RENDERER_URL;
  return dev ? url.startsWith(dev) : url.startsWith('file://');
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1180,
    height: 800,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // A middle click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick'
    }
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(() => {
  const api = new ApiService(join(app.getPath('userData'), 'projects'));
  session.defaultSession.webRequest.onHeadersReceived((details, done) => {
    done({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // Camera and microphone for the app's own page only; nothing else, for no one else.
  session.defaultSession.setPermissionRequestHandler((wc, permission, grant, details) => {
    grant(permission === 'media' && isAppUrl(details.requestingUrl) && wc === win?.webContents);
  });
  session.defaultSession.setPermissionCheckHandler(
    (_wc, permission, origin) => permission === 'media' && isAppUrl(origin)
  );
  for (const method of METHODS) {
    ipcMain.handle(method, async (event, payload: unknown) => {
      if (event.sender !== win?.webContents || !isAppUrl(event.senderFrame?.url ?? '')) {
        throw new ApiError('refused: the request did not come from the Quench window');
      }
      return api.handle(method, payload);
    });
  }
  api.subscribe((event, payload) => win?.webContents.send(event, payload));
  app.on('before-quit', () => void api.close());
  createWindow();
});
app.on('window-all-closed', () => app.quit());
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});
