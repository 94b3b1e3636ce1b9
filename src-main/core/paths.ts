import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/** The data folder shared by the CLI and the desktop app. */
export function dreamprmHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DREAMPRM_HOME) return env.DREAMPRM_HOME;
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'dreamprm-studio');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'dreamprm-studio');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'dreamprm-studio');
  }
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dreamprmHome(env), 'studio.db');
}
