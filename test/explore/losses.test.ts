import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExplorerTable } from '../../src-main/core/explore/instance-table';
import { computeLosses, instanceLoss } from '../../src-main/core/explore/losses';
import { explainPage, pageInstances } from '../../src-main/core/explore/query';
import type { Db } from '../../src-main/core/store/db';
import { corpusDb, fakeRun } from './helpers';

describe('the loss column', () => {
  it('is the mean step loss over labelled steps, as the trainer computes it', () => {
    expect(instanceLoss('mse', [0.5, 0.9, 0.2], [1, null, 0])).toBeCloseTo((0.25 + 0.04) / 2, 9);
    const bce = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
    expect(instanceLoss('bce', [0.8, 0.3], [1, 0])).toBeCloseTo(bce, 6);
    // Soft labels and saturated scores stay finite.
    expect(Number.isFinite(instanceLoss('bce', [1, 0], [0.25, 0.75])!)).toBe(true);
    expect(instanceLoss('mse', [0.5], [null])).toBeNull();
  });

  describe('over a run', () => {
    let dir: string;
    let db: Db;
    let runId: number;

    beforeAll(async () => {
      ({ dir, db } = await corpusDb());
      runId = fakeRun(db, { 0: () => 1, 10: (i) => 1 + i / 10 });
      await ensureExplorerTable(db, runId);
    });

    afterAll(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('scores every instance in chunks and stores its loss, then sorts by it from an index', async () => {
      const asked: number[][] = [];
      const progress: number[] = [];
      const info = await computeLosses(
        db,
        runId,
        async (ids) => {
          asked.push(ids);
          return { step: 10, scores: ids.map((id) => new Float32Array(3).fill(id % 2 ? 0.9 : 0.1)) };
        },
        { chunk: 5, onProgress: (done) => progress.push(done) },
      );
      expect(asked.map((a) => a.length)).toEqual([5, 5, 2]);
      expect(progress).toEqual([5, 10, 12]);
      expect(info.lossesStep).toBe(10);
      const rows = pageInstances(db, runId, { sort: 'loss', desc: true, limit: 20 }).rows;
      expect(rows.every((r) => r.loss !== null)).toBe(true);
      const losses = rows.map((r) => r.loss!);
      expect(losses).toEqual([...losses].sort((a, b) => b - a));
      // Labels (0.75, 1 or 0.25, 0.5) against 0.9 everywhere for odd CoT ids.
      const odd = rows.find((r) => r.cotId % 2 === 1 && r.meanLabel! > 0.74)!;
      expect(odd.loss).toBeCloseTo(((0.9 - 0.75) ** 2 + (0.9 - 1) ** 2 + (0.9 - 0.5) ** 2) / 3, 6);
      expect(explainPage(db, runId, { sort: 'loss', desc: true }).join()).toMatch(/USING COVERING INDEX/);
    });

    it('survives a rebuild of the table, and refuses a second computation at the same time', async () => {
      const before = pageInstances(db, runId, { sort: 'idx', desc: false, limit: 3 }).rows.map((r) => r.loss);
      const rebuilt = await ensureExplorerTable(db, runId, { rebuild: true });
      expect(rebuilt.lossesStep).toBe(10);
      expect(pageInstances(db, runId, { sort: 'idx', desc: false, limit: 3 }).rows.map((r) => r.loss)).toEqual(before);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const first = computeLosses(db, runId, async (ids) => {
        await gate;
        return { step: 10, scores: ids.map(() => new Float32Array(3).fill(0.5)) };
      });
      await expect(computeLosses(db, runId, async () => ({ step: 10, scores: [] }))).rejects.toThrow(/being computed already/);
      release();
      await first;
      await expect(computeLosses(db, 424242, async () => ({ step: 1, scores: [] }))).rejects.toThrow(/has no explorer table yet/);
    });

    it('stops when the PRM changes under it', async () => {
      let step = 10;
      await expect(
        computeLosses(db, runId, async (ids) => ({ step: step++, scores: ids.map(() => new Float32Array(3).fill(0.5)) }), { chunk: 4 }),
      ).rejects.toThrow(/wrote a new checkpoint while its losses were computed/);
    });
  });
});
