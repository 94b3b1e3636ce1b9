import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregate, aggregateTensor, AGGREGATIONS, isAggName } from '../../src-main/core/engine/aggregate';
import { useTestBackend } from './setup';

beforeAll(useTestBackend);

describe('aggregation functions', () => {
  const p = [0.9, 0.2, 0.6];

  it('compute each aggregation on plain arrays', () => {
    expect(aggregate('mean', p)).toBeCloseTo(0.5667, 4);
    expect(aggregate('min', p)).toBe(0.2);
    expect(aggregate('max', p)).toBe(0.9);
    expect(aggregate('prod', p)).toBeCloseTo(0.108, 6);
    expect(aggregate('last', p)).toBe(0.6);
    const z = (Math.log(0.9 / 0.1) + Math.log(0.2 / 0.8) + Math.log(0.6 / 0.4)) / 3;
    expect(aggregate('logodds', p)).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
  });

  it('stay finite at saturated probabilities and score an empty CoT 0', () => {
    for (const a of AGGREGATIONS) {
      expect(Number.isFinite(aggregate(a, [0, 1, 1]))).toBe(true);
      expect(aggregate(a, [])).toBe(0);
    }
    expect(isAggName('logodds')).toBe(true);
    expect(isAggName('median')).toBe(false);
  });

  it('tensor versions match the array versions and ignore padding', () => {
    const rows = [[0.9, 0.2, 0.6, 0.5], [0.3, 0.7, 0.5, 0.5]];
    const lens = [3, 2];
    const pt = tf.tensor2d(rows);
    const mask = tf.tensor2d(rows.map((r, i) => r.map((_, t) => (t < lens[i] ? 1 : 0))));
    for (const a of AGGREGATIONS) {
      const got = aggregateTensor(a, pt, mask).arraySync();
      rows.forEach((r, i) => expect(got[i]).toBeCloseTo(aggregate(a, r.slice(0, lens[i])), 5));
    }
    tf.dispose([pt, mask]);
  });

  it('tensor versions are differentiable', () => {
    const pt = tf.tensor2d([[0.9, 0.2, 0.6]]);
    const mask = tf.ones([1, 3]) as tf.Tensor2D;
    for (const a of AGGREGATIONS) {
      const g = tf.grad((x: tf.Tensor) => tf.sum(aggregateTensor(a, x as tf.Tensor2D, mask)))(pt);
      expect((g.arraySync() as number[][]).flat().every(Number.isFinite)).toBe(true);
      g.dispose();
    }
    tf.dispose([pt, mask]);
  });
});
