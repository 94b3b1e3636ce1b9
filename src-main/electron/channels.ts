/** IPC channel names shared by main and preload. */
export const API_CHANNEL = 'dreamprm:api';
export const EVENT_CHANNEL = 'dreamprm:event';
export const PICK_FILE_CHANNEL = 'dreamprm:pick-import-file';
