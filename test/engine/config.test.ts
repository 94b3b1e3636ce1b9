import { describe, expect, it } from 'vitest';
import { defaultConfig, flattenConfig, parseTrainConfig, unflattenConfig } from '../../src-main/core/engine/config';

describe('training config', () => {
  it('fills the reference defaults per method', () => {
    const d = defaultConfig('domain');
    expect(d.upper.metaLr).toBe(0.01);
    expect(d.upper.unroll).toBe(5);
    expect(d.upper.hypergradient).toBe('darts');
    expect(d.upper.aggregation).toBe('logodds');
    expect(d.lower.loss).toBe('mse');
    expect(d.lower.clip).toBe(1);
    expect(d.warmupFraction).toBe(0.05);
    const t = defaultConfig('instance-table');
    expect([t.upper.metaLr, t.upper.unroll, t.upper.lo, t.upper.hi]).toEqual([5e-3, 1, -1, 3]);
    const n = defaultConfig('instance-net');
    expect([n.upper.metaLr, n.upper.unroll]).toEqual([1e-4, 1]);
  });

  it('lets the input override the defaults', () => {
    const c = parseTrainConfig({ method: 'domain', steps: 10, upper: { metaLr: 0.5 }, model: { image: false } });
    expect(c.steps).toBe(10);
    expect(c.upper.metaLr).toBe(0.5);
    expect(c.upper.unroll).toBe(5);
    expect(c.model.image).toBe(false);
    expect(c.model.embedDim).toBeGreaterThan(0);
  });

  it('rejects bad configs naming the field', () => {
    expect(() => parseTrainConfig({ method: 'magic' })).toThrow(/method must be one of uniform, domain, instance-table, instance-net/);
    expect(() => parseTrainConfig({ method: 'domain', steps: -1 })).toThrow(/steps:/);
    expect(() => parseTrainConfig({ method: 'domain', lower: { loss: 'l1' } })).toThrow(/lower\.loss/);
    expect(() => parseTrainConfig({ method: 'domain', stpes: 3 })).toThrow(/stpes|Unrecognized/);
    expect(() => parseTrainConfig({ method: 'instance-table', upper: { lo: 2, hi: 1 } })).toThrow(/upper\.lo must be below upper\.hi/);
    expect(() => parseTrainConfig({ method: 'uniform', model: { patchSize: 5 } })).toThrow(/patchSize \(5\) must divide/);
    expect(() => parseTrainConfig('x', 'cfg.json')).toThrow(/cfg\.json: expected a JSON object/);
  });

  it('flattens to dotted keys and back', () => {
    const c = defaultConfig('uniform');
    const flat = flattenConfig(c);
    expect(flat['upper.metaLr']).toBe(c.upper.metaLr);
    expect(parseTrainConfig(unflattenConfig(flat))).toEqual(c);
  });
});
