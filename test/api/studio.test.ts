import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrmJobs } from '../../src-main/core/api/eval-api';
import type { RunTrainer } from '../../src-main/core/api/runs-api';
import { histogram } from '../../src-main/core/api/runs-api';
import { dispatch, type StudioService } from '../../src-main/core/api/service';
import { createStudio } from '../../src-main/core/api/studio';
import type { RunProgress, RunStatus, StudioEvent } from '../../src-main/core/api/types';
import { defaultConfig, type TrainConfig } from '../../src-main/core/engine/config';
import { openDb, type Db } from '../../src-main/core/store/db';
import * as runs from '../../src-main/core/store/runs-store';
import type { CanonicalCotRecord } from '../../src-main/core/types';

/**
 * Stands in for the training worker: it records runs the way the engine does (through the
 * runs store) and lets the test push progress and status, so the API's side is tested alone.
 */
class RecordingTrainer implements RunTrainer {
  started: { config: TrainConfig; name: string | null }[] = [];
  resumed: number[] = [];
  closed = false;
  private progress = new Set<(p: RunProgress) => void>();
  private status = new Set<(runId: number, s: RunStatus, e: string | null) => void>();

  constructor(private readonly db: Db) {}

  async start(config: TrainConfig, name: string | null): Promise<number> {
    this.started.push({ config, name });
    return runs.createRun(this.db, { method: config.method, config, totalSteps: config.steps, backend: 'cpu', name });
  }
  async resume(runId: number): Promise<void> {
    this.resumed.push(runId);
  }
  async cancel(runId: number): Promise<void> {
    runs.requestCancel(this.db, runId);
  }
  async backend() {
    return { name: 'cpu', note: 'a test backend' };
  }
  onProgress(l: (p: RunProgress) => void) {
    this.progress.add(l);
    return () => this.progress.delete(l);
  }
  onStatus(l: (runId: number, s: RunStatus, e: string | null) => void) {
    this.status.add(l);
    return () => this.status.delete(l);
  }
  pushProgress(p: RunProgress): void {
    for (const l of this.progress) l(p);
  }
  pushStatus(runId: number, s: RunStatus): void {
    for (const l of this.status) l(runId, s, null);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Evaluation and scoring are tested in studio-explore.test.ts; here they are not used. */
const noJobs: PrmJobs = {
  evaluate: () => Promise.reject(new Error('no PRM jobs in this test')),
  score: () => Promise.reject(new Error('no PRM jobs in this test')),
};

function png(rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

function record(domain: string, qid: string, image: string | null, extra: Partial<CanonicalCotRecord> = {}): CanonicalCotRecord {
  return {
    qid,
    question: `How many red squares? (${qid})`,
    domain,
    images: image ? [image] : undefined,
    steps: [
      { text: 'I count the squares.', m: 0.5, k: 4 },
      { text: 'Answer: 3', m: 1, k: 4 },
    ],
    answer: '3',
    correct: true,
    ...extra,
  };
}

describe('the studio API over a real database', () => {
  let dir: string;
  let db: Db;
  let trainer: RecordingTrainer;
  let studio: StudioService;
  const events: StudioEvent[] = [];
  let corpus: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dreamprm-studio-'));
    mkdirSync(join(dir, 'img'));
    writeFileSync(join(dir, 'img', 'a.png'), await png([200, 30, 30]));
    writeFileSync(join(dir, 'img', 'b.png'), await png([30, 30, 200]));
    const records = [
      record('charts', 'c1', 'img/a.png'),
      record('charts', 'c2', 'img/b.png'),
      record('clocks', 'k1', 'img/b.png'),
      record('clocks', 'k2', 'img/missing.png'),
      record('mix', 'm1', null, { pool: 'meta', steps: [{ text: 'Answer: 3' }] }),
    ];
    corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    db = openDb(join(dir, 'studio.db'));
    trainer = new RecordingTrainer(db);
    studio = createStudio({ dbPath: join(dir, 'studio.db'), db, trainer, jobs: noJobs, closeDb: false, version: '9.9.9' });
    studio.subscribe((e) => events.push(e));
  });

  afterAll(async () => {
    await studio.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = () => studio.api;
  const domainId = async (name: string) => (await api().listDomains()).find((d) => d.name === name)!.id;

  it('reports an empty database in info', async () => {
    const info = await api().info();
    expect(info).toMatchObject({ version: '9.9.9', backend: { name: 'cpu' }, counts: { sources: 0, cots: 0, runs: 0 } });
    expect(info.dbPath).toBe(join(dir, 'studio.db'));
  });

  it('imports a file, with progress events carrying the caller’s job id', async () => {
    const summary = await api().importFile({ path: corpus, options: { format: 'jsonl' }, jobId: 'job-1' });
    expect(summary).toMatchObject({ format: 'jsonl', records: 5, imported: 5, rejected: 0, cots: 5, missingImages: 1 });
    const progress = events.filter((e) => e.type === 'import-progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.type === 'import-progress' && e.jobId === 'job-1' && e.phase === 'reading')).toBe(true);
    expect((await api().info()).counts).toMatchObject({ sources: 1, domains: 3, cots: 5 });
  });

  it('refuses bad import requests with a sentence naming the field', async () => {
    await expect(api().importFile({ path: '' })).rejects.toThrow(/importFile: path: give the path of a data file/);
    await expect(api().importFile({ path: join(dir, 'nope.jsonl') })).rejects.toThrow(/file not found/);
    await expect(
      api().importFile({ path: corpus, options: { format: 'csv' as 'jsonl' } }),
    ).rejects.toThrow(/unknown format "csv": use auto, /);
    await expect(
      api().importFile({ path: corpus, options: { evil: true } as unknown as { strict: boolean } }),
    ).rejects.toThrow(/importFile: options: Unrecognized key/i);
  });

  it('lists sources and domains with their statistics', async () => {
    const [source] = await api().listSources();
    expect(source).toMatchObject({ path: corpus, format: 'jsonl', pool: 'train', cots: 5, missingImages: 1 });
    const domains = await api().listDomains();
    expect(domains.map((d) => [d.name, d.pool])).toEqual([
      ['mix', 'meta'],
      ['charts', 'train'],
      ['clocks', 'train'],
    ]);
    const charts = domains.find((d) => d.name === 'charts')!;
    expect(charts).toMatchObject({ questions: 2, cots: 2, steps: 4, labelledSteps: 4, images: 2, excluded: false });
    expect(charts.meanLabel).toBeCloseTo(0.75);
  });

  it('serves a domain’s images by id, full size and thumbnail, and nothing for unknown ids', async () => {
    const ids = await api().sampleImageIds({ domainId: await domainId('charts') });
    expect(ids).toHaveLength(2);
    const full = studio.image(ids[0], false)!;
    expect(full.mime).toBe('image/png');
    expect((await sharp(full.bytes).metadata()).width).toBe(40);
    const thumb = studio.image(ids[0], true)!;
    expect(thumb.mime).toBe('image/webp');
    expect(studio.image(999_999, false)).toBeNull();
    expect(studio.image(999_999, true)).toBeNull();
  });

  it('curates domains: rename, exclude, move, merge', async () => {
    const clocks = await domainId('clocks');
    expect(await api().renameDomain({ domainId: clocks, name: '  gauges ' })).toMatchObject({ id: clocks, name: 'gauges' });
    expect(await api().setDomainExcluded({ domainId: clocks, excluded: true })).toMatchObject({ excluded: true });
    expect(await api().setDomainExcluded({ domainId: clocks, excluded: false })).toMatchObject({ excluded: false });
    expect(await api().moveDomainToPool({ domainId: clocks, pool: 'test' })).toMatchObject({ pool: 'test' });
    await expect(api().mergeDomains({ targetId: await domainId('charts'), sourceIds: [clocks] })).rejects.toThrow(
      /move it to the train pool first/,
    );
    await api().moveDomainToPool({ domainId: clocks, pool: 'train' });
    const merged = await api().mergeDomains({ targetId: await domainId('charts'), sourceIds: [clocks] });
    expect(merged).toMatchObject({ name: 'charts', cots: 4, questions: 4 });
    expect((await api().listDomains()).map((d) => d.name)).toEqual(['mix', 'charts']);
  });

  it('answers unknown domains with NotFound and malformed ids with a field error', async () => {
    await expect(api().renameDomain({ domainId: 4242, name: 'x' })).rejects.toMatchObject({ name: 'NotFound' });
    await expect(api().setDomainExcluded({ domainId: -1, excluded: true })).rejects.toThrow(/domainId/);
    await expect(api().moveDomainToPool({ domainId: 1, pool: 'holdout' as 'train' })).rejects.toThrow(/pool/);
    await expect(api().sampleImageIds({ domainId: 1.5 })).rejects.toThrow(/domainId/);
  });

  it('turns every failure into a value at the transport boundary', async () => {
    expect(await dispatch(api(), 'renameDomain', { domainId: 4242, name: 'x' })).toEqual({
      ok: false,
      error: { name: 'NotFound', message: 'no domain with id 4242' },
    });
    expect(await dispatch(api(), 'toString', undefined)).toMatchObject({ ok: false, error: { name: 'UnknownMethod' } });
    expect(await dispatch(api(), 'listSources', undefined)).toMatchObject({ ok: true });
  });

  it('offers the engine’s reference defaults for every method, CaR without a cold start chosen yet', async () => {
    const d = await api().runDefaults();
    expect(d.methods).toEqual(['uniform', 'domain', 'instance-table', 'instance-net', 's1', 'car']);
    expect(d.defaults.car['coldStart.fromRun']).toBeNull();
    expect(d.defaults.car['selection.keep']).toBe(defaultConfig('s1').selection.keep);
    for (const f of d.fields) for (const m of f.methods ?? d.methods) expect(d.defaults[m], `${m} ${f.key}`).toHaveProperty([f.key]);
    expect(d.defaults.domain['upper.metaLr']).toBe(defaultConfig('domain').upper.metaLr);
    expect(d.defaults['instance-table']['upper.unroll']).toBe(defaultConfig('instance-table').upper.unroll);
    expect(d.defaults.uniform.steps).toBe(defaultConfig('uniform').steps);
    expect(d.backend.name).toBe('cpu');
  });

  it('starts a run with the form’s overrides and refuses unknown settings', async () => {
    const run = await api().startRun({ method: 'domain', config: { steps: 40, 'upper.metaLr': 0.02 }, name: ' first ' });
    expect(run).toMatchObject({ method: 'domain', status: 'running', totalSteps: 40, name: 'first' });
    const { config } = trainer.started.at(-1)!;
    expect(config.upper.metaLr).toBe(0.02);
    expect(config.upper.unroll).toBe(defaultConfig('domain').upper.unroll);
    await expect(api().startRun({ method: 'domain', config: { 'upper.nope': 1 } })).rejects.toThrow(/unknown setting "upper.nope"/);
    await expect(api().startRun({ method: 'domain', config: { steps: -3 } })).rejects.toThrow(/steps/);
    await expect(api().startRun({ method: 'bayes' as 'domain' })).rejects.toThrow(/startRun: method/);
  });

  it('reads a run’s metrics, weights and instance-weight histogram as the trainer writes them', async () => {
    const runId = (await api().listRuns()).at(-1)!.runId;
    runs.appendMetrics(db, runId, [
      { step: 5, trainLoss: 0.3, weightedLoss: 0.28, metaLoss: 0.2, lr: 1e-3, throughput: 10 },
      { step: 10, trainLoss: 0.25, weightedLoss: 0.22, metaLoss: 0.19, lr: 1e-3, throughput: 11 },
    ]);
    runs.appendDomainWeights(db, runId, 10, { charts: 1.2, gauges: 0.8 });
    runs.saveRunInstances(db, runId, Int32Array.from([1, 2, 3, 4]), Int32Array.from([0, 0, 1, 1]), ['charts', 'gauges']);
    runs.saveInstanceSnapshot(db, runId, 10, Float32Array.from([0.5, 1, 1.5, 2]));

    expect((await api().getMetrics({ runId })).map((m) => m.step)).toEqual([5, 10]);
    expect((await api().getMetrics({ runId, sinceStep: 5 })).map((m) => m.step)).toEqual([10]);
    expect(await api().getDomainWeights({ runId })).toEqual([{ step: 10, weights: { charts: 1.2, gauges: 0.8 } }]);
    const detail = await api().getRun({ runId });
    expect(detail.domainWeights).toEqual({ charts: 1.2, gauges: 0.8 });
    expect(detail.config).toMatchObject({ method: 'domain', steps: 40 });
    const h = await api().getWeightHistogram({ runId, bins: 3 });
    expect(h).toMatchObject({ step: 10, instances: 4, counts: [1, 1, 2] });
    expect(h.edges[0]).toBeCloseTo(0.5);
    expect(h.edges[3]).toBeCloseTo(2);
  });

  it('answers unknown runs with NotFound', async () => {
    for (const call of [
      () => api().getRun({ runId: 777 }),
      () => api().getMetrics({ runId: 777 }),
      () => api().getWeightHistogram({ runId: 777 }),
      () => api().cancelRun({ runId: 777 }),
      () => api().resumeRun({ runId: 777 }),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: 'NotFound' });
    }
  });

  it('cancels through the database and resumes only runs that stopped', async () => {
    const runId = (await api().listRuns()).at(-1)!.runId;
    await expect(api().resumeRun({ runId })).rejects.toThrow(/already running/);
    await api().cancelRun({ runId });
    expect(runs.isCancelRequested(db, runId)).toBe(true);
    runs.finishRun(db, runId, 'cancelled');
    await expect(api().cancelRun({ runId })).rejects.toThrow(/nothing to cancel/);
    await api().resumeRun({ runId });
    expect(trainer.resumed).toEqual([runId]);
    runs.finishRun(db, runId, 'completed');
    await expect(api().resumeRun({ runId })).rejects.toThrow(/nothing to resume/);
  });

  it('forwards the trainer’s progress and status as events', () => {
    events.length = 0;
    const progress: RunProgress = {
      runId: 1,
      step: 7,
      totalSteps: 40,
      trainLoss: 0.3,
      weightedLoss: 0.3,
      metaLoss: null,
      domainWeights: null,
      stepsPerSecond: 3,
      etaSeconds: 11,
    };
    trainer.pushProgress(progress);
    trainer.pushStatus(1, 'completed');
    expect(events).toEqual([
      { type: 'run-progress', ...progress },
      { type: 'run-status', runId: 1, status: 'completed', error: null },
    ]);
  });
});

describe('histogram', () => {
  it('bins over the range, the maximum in the last bin', () => {
    expect(histogram(Float32Array.from([0, 0.1, 0.5, 1]), 2)).toEqual({ edges: [0, 0.5, 1], counts: [2, 2] });
  });

  it('handles empty and constant weights', () => {
    expect(histogram(new Float32Array(0), 5)).toEqual({ edges: [], counts: [] });
    expect(histogram(Float32Array.from([1, 1, 1]), 5).counts).toEqual([3]);
  });
});
