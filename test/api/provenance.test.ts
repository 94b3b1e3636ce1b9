/**
 * Provenance: every run records the data it starts with when the training host creates it —
 * for the app, `dreamprm train` and `dreamprm demo` alike — and a sanity-check run records the
 * test pool it learns its weights on.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInputs } from '../../src-main/core/annotate/run-inputs';
import type { Db } from '../../src-main/core/store/db';
import { parseTrainConfig } from '../../src-main/core/engine/config';
import { TrainingHost } from '../../src-main/worker/training-host';
import { corpusDb } from '../explore/helpers';

const tiny = { steps: 2, batchSize: 4, metaBatchSize: 2, model: { embedDim: 8, hidden: 8, vocabSize: 64, bigramBuckets: 16 } };

describe('runs started through the training host', () => {
  let dir: string;
  let db: Db;
  let host: TrainingHost;

  beforeAll(async () => {
    ({ dir, db } = await corpusDb());
    host = new TrainingHost(`${dir}/studio.db`);
  });
  afterAll(async () => {
    await host?.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('record their train and meta inputs at creation', async () => {
    const { runId } = await host.start(parseTrainConfig({ method: 'domain', ...tiny }));
    expect(runInputs(db, runId)).toEqual([
      { pool: 'train', domain: 'alpha', cots: 6, humanSteps: 0 },
      { pool: 'train', domain: 'beta', cots: 6, humanSteps: 0 },
      { pool: 'meta', domain: 'dev', cots: 2, humanSteps: 0 },
    ]);
  });

  it('record the test pool as the meta set of a sanity-check run', async () => {
    const { runId } = await host.start(parseTrainConfig({ method: 'domain', metaSource: 'test', ...tiny }));
    expect(runInputs(db, runId).filter((r) => r.pool !== 'train')).toEqual([{ pool: 'test', domain: 'bench', cots: 9, humanSteps: 0 }]);
  });

  // The host takes a parsed config (parsed at the API boundary); what it still refuses before
  // creating a run is a cold start that the database does not allow.
  it('record nothing for a run refused before creation (no run is created)', async () => {
    const before = db.prepare('SELECT count(*) FROM run_inputs').pluck().get();
    await expect(host.start(parseTrainConfig({ method: 'domain', ...tiny, coldStart: { fromRun: 999 } }))).rejects.toThrow(/run 999 does not exist/);
    expect(db.prepare('SELECT count(*) FROM run_inputs').pluck().get()).toBe(before);
  });
});
