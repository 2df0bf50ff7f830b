/**
 * The Electron security checklist, item by item, against the real main-process wiring (Electron
 * itself mocked: its binary can't run here), and the electronegativity scan, which must find no
 * high-severity issue in our code — while it does find one in a deliberately insecure fixture.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';

const captured = vi.hoisted(() => ({
  windows: [] as {
    options: { webPreferences?: Record<string, unknown> };
    handlers: Record<string, (...a: unknown[]) => void>;
    openHandler?: (d: { url: string }) => { action: string };
    webContents: object;
  }[],
  ipc: new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>(),
  permission: undefined as
    | undefined
    | ((
        wc: unknown,
        permission: string,
        grant: (ok: boolean) => void,
        details: { requestingUrl: string }
      ) => void),
  headers: undefined as
    | undefined
    | ((
        details: { responseHeaders: Record<string, string[]> },
        done: (r: { responseHeaders: Record<string, string[]> }) => void
      ) => void),
  ready: undefined as undefined | (() => void)
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const entry = {
        options,
        handlers: {} as Record<string, (...a: unknown[]) => void>,
        webContents: {} as object,
        openHandler: undefined as never
      };
      this.webContents = {
        on: (name: string, fn: (...a: unknown[]) => void) => (entry.handlers[name] = fn),
        setWindowOpenHandler: (fn: never) => (entry.openHandler = fn),
        send: () => undefined
      };
      entry.webContents = this.webContents;
      captured.windows.push(entry);
    }
    once() {}
    loadFile() {
      return Promise.resolve();
    }
    loadURL() {
      return Promise.resolve();
    }
  }
  return {
    app: {
      whenReady: () => new Promise<void>((r) => (captured.ready = r)),
      on: () => undefined,
      getPath: () => mkdtempSync(join(tmpdir(), 'quench-electron-'))
    },
    BrowserWindow,
    ipcMain: { handle: (name: string, fn: never) => captured.ipc.set(name, fn) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: never) => (captured.permission = fn),
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: (fn: never) => (captured.headers = fn) }
      }
    },
    shell: { openExternal: vi.fn() }
  };
});

beforeAll(async () => {
  await import('../../electron/main/index');
  captured.ready!();
  await new Promise((r) => setTimeout(r, 50));
});

describe('Electron security checklist', () => {
  test('context isolation, sandbox, no node integration, web security, no auxclick', () => {
    const prefs = captured.windows[0].options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick'
    });
  });

  test('a strict Content-Security-Policy on every response', () => {
    let headers: Record<string, string[]> = {};
    captured.headers!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    const csp = headers['Content-Security-Policy'][0];
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).not.toMatch(/'unsafe-eval'/); // 'wasm-unsafe-eval' (for WebAssembly) is allowed
  });

  test('no remote content: navigation away and new windows are refused', () => {
    const w = captured.windows[0];
    const prevent = vi.fn();
    w.handlers['will-navigate']({ preventDefault: prevent }, 'https://example.com/');
    expect(prevent).toHaveBeenCalled();
    expect(w.openHandler!({ url: 'https://example.com/' }).action).toBe('deny');
    expect(w.openHandler!({ url: 'file:///etc/passwd' }).action).toBe('deny');
  });

  test('camera and microphone only for the app page; other permissions never', () => {
    const wc = captured.windows[0].webContents;
    const ask = (permission: string, url: string, who: unknown = wc) => {
      let granted: boolean | undefined;
      captured.permission!(who, permission, (ok) => (granted = ok), { requestingUrl: url });
      return granted;
    };
    expect(ask('media', 'file:///app/index.html')).toBe(true);
    expect(ask('media', 'https://evil.example/')).toBe(false);
    expect(ask('geolocation', 'file:///app/index.html')).toBe(false);
    expect(ask('media', 'file:///app/index.html', {})).toBe(false);
  });

  test('IPC answers only the app window, and validates payloads', async () => {
    const handler = captured.ipc.get('project:list')!;
    const wc = captured.windows[0].webContents;
    await expect(
      handler({ sender: {}, senderFrame: { url: 'file:///app/index.html' } }, {})
    ).rejects.toThrow(/did not come from the Quench window/);
    await expect(
      handler({ sender: wc, senderFrame: { url: 'https://evil.example/' } }, {})
    ).rejects.toThrow(/did not come/);
    await expect(
      handler({ sender: wc, senderFrame: { url: 'file:///app/index.html' } }, {})
    ).resolves.toEqual([]);
    await expect(
      handler({ sender: wc, senderFrame: { url: 'file:///app/index.html' } }, { evil: true })
    ).rejects.toThrow(/unexpected field/);
    expect(captured.ipc.size).toBeGreaterThanOrEqual(19);
  });
});

/** Runs electronegativity on a folder; returns the findings of high or critical severity. */
function scan(dir: string): string[] {
  const out = join(mkdtempSync(join(tmpdir(), 'quench-eneg-')), 'out.csv');
  const bin = join(
    import.meta.dirname,
    '..',
    '..',
    'node_modules',
    '@doyensec',
    'electronegativity',
    'dist',
    'index.js'
  );
  const r = spawnSync(
    process.execPath,
    [bin, '-i', dir, '-o', out, '-r', '-v', 'false', '-e', '38.0.0'],
    { encoding: 'utf8', timeout: 120_000 }
  );
  expect(r.status, r.stderr).toBe(0);
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  rmSync(out, { force: true });
  return rows.filter((row) => /^[A-Z_]+,"(HIGH|CRITICAL)"/.test(row));
}

describe('electronegativity', () => {
  test('finds nothing of high severity in electron/', () => {
    expect(scan(join(import.meta.dirname, '..', '..', 'electron'))).toEqual([]);
  }, 150_000);

  test('does flag an insecure window (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quench-insecure-'));
    mkdirSync(join(dir, 'main'));
    writeFileSync(
      join(dir, 'main', 'index.js'),
      "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n"
    );
    expect(scan(dir).length).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  }, 150_000);
});
