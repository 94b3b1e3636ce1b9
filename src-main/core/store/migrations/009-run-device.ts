import type { Migration } from './migration';

/**
 * What a run computed on: the device (CUDA GPU name, WebGPU adapter, or CPU), the largest
 * difference of the start-up parity check against the cpu backend, and why the backend asked
 * for is not the one used. Numbered 9, not 7: a database already at version 8 skips any number
 * below it, and 7 stays free for whatever branch holds it.
 */
export const m009RunDevice: Migration = {
  version: 9,
  name: 'run-device',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN device TEXT;
      ALTER TABLE runs ADD COLUMN parity_max_abs_diff REAL;
      ALTER TABLE runs ADD COLUMN backend_fallback TEXT;
    `);
  },
};
