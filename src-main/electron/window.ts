import { BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WindowPaths {
  preload: string;
  rendererFile: string;
  devUrl?: string;
}

export function rendererPaths(dirname: string): WindowPaths {
  return {
    preload: join(dirname, '../preload/preload.cjs'),
    rendererFile: join(dirname, '../renderer/index.html'),
    devUrl: process.env.ELECTRON_RENDERER_URL,
  };
}

export function rendererFileUrl(paths: WindowPaths): string {
  return pathToFileURL(paths.rendererFile).href;
}

/** A window that can reach nothing but the preload's bridge, and never leaves the app. */
export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'DreamPRM Studio',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());

  // Dropped files must not navigate the window away from the app.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });

  if (paths.devUrl) void win.loadURL(paths.devUrl);
  else void win.loadFile(paths.rendererFile);
  return win;
}
