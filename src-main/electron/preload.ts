/**
 * The only bridge between the page and the app. Sandboxed preloads are CommonJS (built as
 * preload.cjs); they expose narrow functions, never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { DreamprmBridge, StudioEvent } from '../core/api/types';
import { API_CHANNEL, EVENT_CHANNEL, PICK_FILE_CHANNEL } from './channels';

const bridge: DreamprmBridge = {
  invoke: (method, args) => ipcRenderer.invoke(API_CHANNEL, method, args),
  onEvent(listener) {
    const forward = (_e: IpcRendererEvent, event: StudioEvent): void => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
  pickImportFile: () => ipcRenderer.invoke(PICK_FILE_CHANNEL) as Promise<string | null>,
  pathForFile: (file) => webUtils.getPathForFile(file as File),
};

contextBridge.exposeInMainWorld('dreamprm', bridge);
