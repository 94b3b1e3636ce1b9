import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src-main/core/store/db';
import { MIGRATIONS } from '../../src-main/core/store/migrations/index';
import { claimRun, createRun, getRun } from '../../src-main/core/store/runs-store';

describe('migration 009 (run device)', () => {
  it('upgrades a database at version 8, keeping its runs, and records the device with the backend', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 8));
    expect(schemaVersion(db)).toBe(8);
    const old = createRun(db, { method: 'uniform', config: {}, totalSteps: 3, backend: 'wasm' });
    migrate(db);
    expect(schemaVersion(db)).toBe(9);
    expect(getRun(db, old)).toMatchObject({ backend: 'wasm', device: null, parityMaxAbsDiff: null, backendFallback: null });
    claimRun(db, old, 'webgpu', { device: 'google swiftshader, software', parityMaxAbsDiff: 3e-7, fallback: null });
    expect(getRun(db, old)).toMatchObject({ backend: 'webgpu', device: 'google swiftshader, software', parityMaxAbsDiff: 3e-7 });
    claimRun(db, old, 'wasm', { device: 'CPU', parityMaxAbsDiff: 1e-7, fallback: 'webgpu failed the parity check' });
    expect(getRun(db, old).backendFallback).toBe('webgpu failed the parity check');
    db.close();
  });
});
