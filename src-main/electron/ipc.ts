import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { isTrustedFrameUrl } from '../core/api/guards';
import { dispatch, type StudioService } from '../core/api/service';
import { API_CHANNEL, EVENT_CHANNEL, PICK_FILE_CHANNEL } from './channels';

export interface TrustedOrigins {
  devOrigin?: string;
  rendererFileUrl?: string;
}

function refuse(event: IpcMainInvokeEvent, trusted: TrustedOrigins): boolean {
  return !isTrustedFrameUrl(event.senderFrame?.url, trusted);
}

/** One handler for the whole API, plus the file dialog; both check who is asking. */
export function registerIpc(studio: StudioService, trusted: TrustedOrigins): () => void {
  ipcMain.handle(API_CHANNEL, (event, method: unknown, args: unknown) => {
    if (refuse(event, trusted)) {
      return { ok: false, error: { name: 'Forbidden', message: 'this page may not call the studio API' } };
    }
    return dispatch(studio.api, method, args);
  });

  ipcMain.handle(PICK_FILE_CHANNEL, async (event) => {
    if (refuse(event, trusted)) return null;
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = {
      title: 'Import a PRM corpus',
      properties: ['openFile' as const],
      filters: [
        { name: 'PRM corpora', extensions: ['json', 'jsonl'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });

  const unsubscribe = studio.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(API_CHANNEL);
    ipcMain.removeHandler(PICK_FILE_CHANNEL);
  };
}
