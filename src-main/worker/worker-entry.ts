import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * How to start the worker: from source (tsx), a tiny CommonJS bootstrap registers tsx's hooks
 * inside the new thread and then imports the .ts entry (Node 20 does not apply `--import` from
 * a worker's execArgv before its main module loads); from the electron-vite bundle, the
 * `training-worker.js` entry next to the main bundle.
 */
export function workerEntry(): { source: URL | string; eval: boolean; extra: Record<string, string> } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const boot =
      "const { workerData } = require('node:worker_threads');\n" +
      'import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });';
    return {
      source: boot,
      eval: true,
      extra: { tsxApi: import.meta.resolve('tsx/esm/api'), entry: new URL('./training-worker.ts', here).href },
    };
  }
  for (const rel of ['./training-worker.js', '../training-worker.js']) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) return { source: url, eval: false, extra: {} };
  }
  throw new Error(`cannot find the training worker bundle near ${here}`);
}
