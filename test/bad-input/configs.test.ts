/**
 * Bad training configs and cold starts, through `dreamprm train`: refused before a run row is
 * written (no failed run left behind), with the file or setting named and what to do.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { scratchDir } from '../data/helpers';
import { count, dreamprm, fingerprint, uniformRun } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
let db: string;
const runs = { uniform: 0, failed: 0, domain: 0 };
beforeEach(() => {
  tmp = scratchDir();
  db = join(tmp.dir, 'studio.db');
  const store = openDb(db);
  runs.uniform = uniformRun(store);
  runs.failed = uniformRun(store, 'failed');
  runs.domain = uniformRun(store, 'completed', 'domain');
  store.close();
});
afterEach(() => tmp.cleanup());

/** `dreamprm train` fails with this message and no run row (or anything else) is written. */
async function refused(args: string[], message: string | RegExp) {
  const before = fingerprint(db);
  const r = await dreamprm('train', ...args, '--db', db);
  expect(r.code).toBe(1);
  if (typeof message === 'string') expect(r.stderr).toBe(`dreamprm: ${message}\n`);
  else expect(r.stderr).toMatch(message);
  expect(count(db, 'runs')).toBe(3);
  expect(fingerprint(db)).toBe(before);
}

const CHOOSE = 'choose a completed uniform run (dreamprm runs list), or start without a cold start';

describe('configs and cold starts refused before a run is written', () => {
  it('32. a config file whose top level is a JSON array', async () => {
    const f = tmp.file('c.json', '[{"steps": 3}]');
    await refused(
      ['--method', 'uniform', '--config', f],
      `--config ${f}: the top level is a JSON array; expected one JSON object of settings, such as {"steps": 400, "upper": {"metaLr": 0.01}} (README "Training", Config)`,
    );
  });

  it('33. a config file that is not JSON', async () => {
    const f = tmp.file('c.json', '{steps: 3}');
    await refused(['--method', 'uniform', '--config', f], new RegExp(`^dreamprm: --config ${f} is not valid JSON: `));
  });

  it('34. --cold-start of a run that does not exist', () =>
    refused(['--method', 'domain', '--cold-start', '99'], `coldStart.fromRun 99: run 99 does not exist; ${CHOOSE}`));

  it('35. --cold-start of a run that did not complete', () =>
    refused(['--method', 'domain', '--cold-start', String(runs.failed)], `coldStart.fromRun ${runs.failed}: run ${runs.failed} is failed, not completed; let it finish (dreamprm resume ${runs.failed}) or ${CHOOSE}`));

  it('36. --cold-start of a run that is not uniform', () =>
    refused(['--method', 'domain', '--cold-start', String(runs.domain)], `coldStart.fromRun ${runs.domain}: run ${runs.domain} is a domain run; ${CHOOSE}`));

  it('37. --cold-start of a run with another model shape', async () => {
    const f = tmp.file('c.json', '{"model": {"image": false, "hidden": 32}}');
    await refused(
      ['--method', 'domain', '--cold-start', String(runs.uniform), '--config', f],
      `coldStart.fromRun ${runs.uniform}: run ${runs.uniform} trained a different model (model.image: run has true, this config false; ` +
        'model.hidden: run has 64, this config 32); use the same model settings, or another completed uniform run',
    );
  });

  it('38. --cold-start of a completed uniform run without a stored model', async () => {
    const store = new Database(db);
    store.prepare('UPDATE runs SET model_spec = NULL WHERE id = ?').run(runs.uniform);
    store.close();
    await refused(['--method', 'domain', '--cold-start', String(runs.uniform)], `coldStart.fromRun ${runs.uniform}: run ${runs.uniform} has no stored model to start from; ${CHOOSE}`);
  });

  it('39. a negative --steps', () => refused(['--method', 'uniform', '--steps', '-5'], '--steps must be a non-negative integer (got "-5")'));

  it('40. an unknown --method', () => refused(['--method', 'bayes'], /^dreamprm: training config: method must be one of uniform, domain, instance-table, instance-net, s1, car \(got "bayes"\)\n$/));
});
