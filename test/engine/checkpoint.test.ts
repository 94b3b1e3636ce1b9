import { describe, expect, it } from 'vitest';
import { packState, unpackState } from '../../src-main/core/engine/checkpoint';
import { Rng } from '../../src-main/core/engine/rng';
import { EpochSampler } from '../../src-main/core/engine/sampler';
import { tokenize, Vocabulary, NUM, UNK } from '../../src-main/core/engine/tokenizer';

describe('checkpoint blobs', () => {
  it('round-trip nested values with typed arrays exactly', () => {
    const v = { step: 7, a: new Float32Array([1.5, -2, Math.PI]), nested: { t: new Uint32Array([1, 2, 3]), i: new Int32Array([-4]) }, s: 'x' };
    const back = unpackState<typeof v>(packState(v));
    expect(back.step).toBe(7);
    expect(back.s).toBe('x');
    expect(Array.from(back.a)).toEqual(Array.from(v.a));
    expect(back.nested.t).toBeInstanceOf(Uint32Array);
    expect(Array.from(back.nested.i)).toEqual([-4]);
  });

  it('refuses something that is not a checkpoint, or a truncated one', () => {
    expect(() => unpackState(Buffer.from('hello world, not a checkpoint'))).toThrow(/not a DreamPRM checkpoint/);
    const blob = packState({ a: new Float32Array(100) });
    expect(() => unpackState(blob.subarray(0, blob.length - 8))).toThrow(/truncated/);
  });
});

describe('seeded batching', () => {
  it('restores the exact batch sequence from its state', () => {
    const s = new EpochSampler(10, 3, new Rng(5));
    s.next();
    s.next();
    s.next(); // crosses into a second epoch on the next call
    const state = s.getState();
    const expected = [s.next(), s.next(), s.next()].map((b) => Array.from(b));
    const r = new EpochSampler(10, 3, new Rng(999));
    r.setState(state);
    expect([r.next(), r.next(), r.next()].map((b) => Array.from(b))).toEqual(expected);
  });

  it('gives distinct instances within a batch', () => {
    const s = new EpochSampler(7, 3, new Rng(1));
    for (let i = 0; i < 20; i++) expect(new Set(s.next()).size).toBe(3);
  });
});

describe('word tokenizer', () => {
  it('splits words, numbers and punctuation', () => {
    expect(tokenize('Bar B has height 12. 5 + 3 = 8 ; x1.5')).toEqual(['bar', 'b', 'has', 'height', '12', '.', '5', '+', '3', '=', '8', ';', 'x', '1.5']);
  });

  it('maps unknown numbers to <num> and unknown words to <unk>', () => {
    const v = Vocabulary.build(['a b 1', 'a 2'], 100);
    expect(v.tokens.slice(0, 4)).toEqual(['<pad>', '<unk>', '<num>', 'a']);
    expect(v.id('77')).toBe(NUM);
    expect(v.id('zebra')).toBe(UNK);
    const out = new Int32Array(4);
    expect(v.encodeInto('a 2 zebra', out, 0, 4)).toBe(3);
    expect(Array.from(out)).toEqual([v.id('a'), v.id('2'), UNK, 0]);
  });
});
