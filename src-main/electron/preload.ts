import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('dreamprm', {});
