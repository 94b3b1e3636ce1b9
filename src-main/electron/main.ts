/**
 * The desktop shell: thin glue between Electron and the studio core. Everything it does is
 * either security (sandboxed window, CSP, denied navigation, checked IPC, images by id) or
 * wiring (the database at the CLI's path, the training worker, events to the window).
 */
import { app, BrowserWindow, dialog, session } from 'electron';
import { contentSecurityPolicy } from '../core/api/guards';
import type { StudioService } from '../core/api/service';
import { openStudio } from '../worker/open-studio';
import { IMAGE_SCHEME } from '../core/api/types';
import { errorMessage } from '../core/errors';
import { defaultDbPath } from '../core/paths';
import { handleImageScheme, registerImageScheme } from './image-protocol';
import { registerIpc } from './ipc';
import { createMainWindow, rendererFileUrl, rendererPaths } from './window';

const paths = rendererPaths(import.meta.dirname);
let studio: StudioService | undefined;
let mainWindow: BrowserWindow | undefined;

// Privileged schemes must be declared before the app is ready.
registerImageScheme();

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the database and the training worker; it shows its window instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      // e.g. a database written by a newer version: say so in a window, not only on a console.
      dialog.showErrorBox('DreamPRM Studio could not start', errorMessage(e));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const csp = contentSecurityPolicy({
    imageSources: [`${IMAGE_SCHEME}:`, 'blob:'],
    dev: Boolean(paths.devUrl),
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // The app needs no camera, notifications, geolocation or the like.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  // The same file as the CLI's default (DREAMPRM_HOME moves both).
  const opened = openStudio({ dbPath: defaultDbPath(), version: app.getVersion() });
  studio = opened;
  handleImageScheme(opened);
  registerIpc(opened, {
    devOrigin: paths.devUrl,
    rendererFileUrl: rendererFileUrl(paths),
  });
  mainWindow = createMainWindow(paths);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(paths);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !studio) return;
  // Let a running training checkpoint and the database close before the process ends.
  event.preventDefault();
  quitting = true;
  studio.close().finally(() => app.quit());
});
