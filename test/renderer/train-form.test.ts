/** TrainForm: the recipe a method starts from, the fields shown, edits and overrides, and starting a run. */
import { describe, expect, it } from 'vitest';
import type { ConfigField, RunDefaults } from '../../src-main/core/api/types';
import { TrainForm } from '../../src-renderer/src/lib/train-form.svelte';
import { failing, fakeStudio, type FakeApi } from './fake-studio';
import { overview, runDefaults, runSummary } from './fixtures';

const field = (key: string, over: Partial<ConfigField> = {}): ConfigField => ({ key, label: key, kind: 'number', help: '', ...over });

const FIELDS: ConfigField[] = [
  field('steps', { kind: 'integer' }),
  field('upper.metaLr', { methods: ['domain', 'instance-table', 'instance-net'] }),
  field('model.kind', { kind: 'choice', choices: ['vision', 'features'], needs: 'step-vectors' }),
  field('model.image', { kind: 'boolean' }),
  field('metaSource', { kind: 'choice', choices: ['meta', 'test'] }),
];

const RUNS = [
  runSummary({ runId: 1, method: 'uniform', step: 100, seconds: 50 }),
  runSummary({ runId: 2, method: 'uniform', step: 100, seconds: 60 }),
  runSummary({ runId: 3, method: 'domain', step: 200, seconds: 400 }),
  runSummary({ runId: 4, method: 'uniform', status: 'running' }),
];

function trainApi(defaults: Partial<RunDefaults> = {}, extra: FakeApi = {}): FakeApi {
  return {
    runDefaults: async () => runDefaults({ fields: FIELDS, ...defaults }),
    listRuns: async () => RUNS,
    // Run 2 continued a cold start at equal compute: it is not a cold start itself.
    runsOverview: async () => [overview({ runId: 1, role: 'cold-start' }), overview({ runId: 2, role: 'vanilla-equal-compute' })],
    startRun: async (req) => runSummary({ runId: 12, method: req.method }),
    ...extra,
  };
}

async function loaded(defaults: Partial<RunDefaults> = {}, extra: FakeApi = {}) {
  const studio = fakeStudio(trainApi(defaults, extra));
  const form = new TrainForm(studio.app);
  await form.load();
  return { studio, form };
}

const withVectors: Partial<RunDefaults> = {
  stepVectors: {
    pools: [
      { pool: 'train', steps: 200, withVector: 200 },
      { pool: 'meta', steps: 50, withVector: 50 },
      { pool: 'test', steps: 100, withVector: 98 },
    ],
    dims: [768],
  },
};

describe('TrainForm', () => {
  it('offers completed uniform runs newest first and starts the recipe from the newest real cold start', async () => {
    const { form } = await loaded();
    expect(form.coldStarts.map((r) => r.runId)).toEqual([2, 1]);
    expect(form.recipeStart).toBe(1);
    expect(form.values).toEqual({ steps: 400, lr: 0.001, metaSource: 'meta', 'upper.metaLr': 0.01, 'coldStart.fromRun': 1 });
  });

  it('gives a uniform run the plain defaults, without a cold start', async () => {
    const { form } = await loaded();
    form.choose('uniform');
    expect(form.values).toEqual({ steps: 400, lr: 0.001, metaSource: 'meta' });
    expect(form.overrides).toEqual({});
  });

  it('counts edits against the recipe and sends only what differs from the engine’s defaults', async () => {
    const { form } = await loaded();
    expect(form.edits).toBe(0);
    expect(form.overrides).toEqual({ 'coldStart.fromRun': 1 });
    form.values.steps = 800;
    expect(form.edits).toBe(1);
    expect(form.overrides).toEqual({ 'coldStart.fromRun': 1, steps: 800 });
    form.reset();
    expect(form.values.steps).toBe(400);
  });

  it('shows the fields of the chosen method, and the PRM choice only when the train steps have vectors', async () => {
    const { form } = await loaded();
    expect(form.fields.map((f) => f.key)).toEqual(['steps', 'upper.metaLr', 'model.image', 'metaSource']);
    form.choose('uniform');
    expect(form.fields.map((f) => f.key)).toEqual(['steps', 'model.image', 'metaSource']);
    expect(form.vectorCoverage).toBeNull();
  });

  it('hides the image switch for the features PRM and says where the vectors are', async () => {
    const { form } = await loaded(withVectors);
    expect(form.hasVectors).toBe(true);
    expect(form.fields.map((f) => f.key)).toContain('model.kind');
    form.values['model.kind'] = 'features';
    expect(form.fields.map((f) => f.key)).not.toContain('model.image');
    expect(form.vectorCoverage).toBe('vectors on 100% of train, 100% of meta, 98% of test steps; length 768');
  });

  it('warns that vectors of different lengths come from mixed models', async () => {
    const { form } = await loaded({ stepVectors: { pools: [{ pool: 'train', steps: 4, withVector: 1 }], dims: [768, 1024] } });
    expect(form.vectorCoverage).toBe('vectors on 25% of train steps; lengths 768, 1024: mixed models, embed again');
  });

  it('marks a run whose meta set is the test pool as an upper bound', async () => {
    const { form } = await loaded();
    expect(form.upperBound).toBe(false);
    form.values.metaSource = 'test';
    expect(form.upperBound).toBe(true);
  });

  it('estimates the time from the newest finished run of the method', async () => {
    const { form } = await loaded();
    expect(form.estimate).toEqual({ seconds: 800, fromRun: 3, scaled: false });
  });

  it('starts the run with the overrides, the trimmed name and the backend, and returns its id', async () => {
    const { studio, form } = await loaded();
    form.name = '  first try ';
    form.backend = 'wasm';
    expect(await form.start()).toBe(12);
    expect(studio.argsOf('startRun')).toEqual([{ method: 'domain', config: { 'coldStart.fromRun': 1 }, name: 'first try', backend: 'wasm' }]);
    form.name = '   ';
    await form.start();
    expect(studio.argsOf('startRun')[1]).toMatchObject({ name: undefined });
    expect(form.starting).toBe(false);
  });

  it('returns no id and shows a notice when the run cannot start', async () => {
    const { studio, form } = await loaded({}, { startRun: failing('Busy', 'a run is already training') });
    expect(await form.start()).toBeNull();
    expect(form.starting).toBe(false);
    expect(studio.notices()).toEqual(['error: Starting the run: a run is already training']);
  });

  it('stays empty, with a notice, when the defaults cannot be loaded', async () => {
    const { studio, form } = await loaded({}, { runDefaults: failing('WorkerError', 'no backend') });
    expect(form.defaults).toBeNull();
    expect(form.values).toEqual({});
    expect(form.fields).toEqual([]);
    expect(studio.notices()).toEqual(['error: Loading the run defaults: no backend']);
  });
});
