import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonArrayScanner, type RawRecord } from '../../src-main/core/data/json-array-scanner';
import { locateJsonError } from '../../src-main/core/data/json-text';
import { RecordReader } from '../../src-main/core/data/record-reader';
import { scratchDir } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
beforeEach(() => {
  tmp = scratchDir();
});
afterEach(() => tmp.cleanup());

async function readAll(path: string): Promise<{ records: RawRecord[]; reader: RecordReader }> {
  const reader = new RecordReader(path);
  const records: RawRecord[] = [];
  for await (const batch of reader.batches()) records.push(...batch);
  return { records, reader };
}

describe('JsonArrayScanner', () => {
  const tricky = [
    { s: 'brackets ] } [ { inside', q: 'a "quoted" \\ backslash', u: 'é 漢 🙂' },
    [1, [2, [3]]],
    'a string element',
    -1.5e3,
    null,
    { nested: { deep: [{ x: '}' }] } },
  ];

  it('finds the same elements whatever the chunk boundaries', () => {
    const text = ` \n[${tricky.map((t) => JSON.stringify(t)).join(' ,\n ')}]\n`;
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const scanner = new JsonArrayScanner('t.json');
      const out: RawRecord[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...scanner.push(text.slice(i, i + size)));
      out.push(...scanner.end());
      expect(out.map((r) => r.value)).toEqual(tricky);
      expect(out.map((r) => [r.index, r.line])).toEqual([
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 6],
        [6, 7],
      ]);
    }
  });

  it('reports a mismatched bracket where it is', () => {
    const scanner = new JsonArrayScanner('t.json');
    expect(() => scanner.push('[{"a": [1, 2}]')).toThrow("t.json:1:13: in record 1: '}' does not match the open '['");
  });

  it('an empty array has no records', () => {
    const scanner = new JsonArrayScanner('t.json');
    expect([...scanner.push('[ ]'), ...scanner.end()]).toEqual([]);
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a": 1,}', 8, "expected a double-quoted property name, found '}'"],
    ['{"a" 1}', 5, "expected ':' after a property name, found '1'"],
    ['{"a": tru}', 6, "expected a value, found 't'"],
    ['{"a": "x\ny"}', 8, 'control character in a string (write it as an escape, e.g. \\n)'],
    ['{"a": "\\q"}', 7, 'bad escape \\q in a string'],
    ['[1 2]', 3, "expected ',' or ']' after an array element, found '2'"],
    ['{"a": 1} x', 9, "unexpected 'x' after the end of the value"],
    ['{"a": "abc', 10, 'unterminated string (truncated?)'],
    ['{"a": 01}', 7, "expected ',' or '}' after a property value, found '1'"],
  ])('%j fails at %i: %s', (text, offset, reason) => {
    expect(locateJsonError(text)).toEqual({ offset, reason });
  });

  it('accepts what JSON.parse accepts', () => {
    expect(locateJsonError('{"a": [1, -2.5e-3, true, false, null, "\\u00e9\\n"], "b": {}}')).toBeUndefined();
  });
});

describe('RecordReader', () => {
  it('reads a JSON array bigger than one read chunk, with multi-byte characters across chunk edges, and hashes it', async () => {
    const records = Array.from({ length: 4000 }, (_, i) => ({ i, text: `é漢🙂 ${'x'.repeat(i % 500)}` }));
    const path = tmp.file('big.json', JSON.stringify(records));
    const { records: got, reader } = await readAll(path);
    expect(got.map((r) => r.value)).toEqual(records);
    expect(reader.container).toBe('array');
    expect(reader.bytesRead).toBe(readFileSync(path).length);
    expect(reader.bytesRead).toBeGreaterThan(1 << 20);
    expect(reader.sha256()).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
  });

  it('reads JSONL with a BOM, CRLF line ends, blank lines and no final newline', async () => {
    const path = tmp.file('a.jsonl', '\ufeff{"a": 1}\r\n\r\n  \n{"a": 2}\r\n{"a": 3}');
    const { records, reader } = await readAll(path);
    expect(records.map((r) => [r.index, r.line, r.value])).toEqual([
      [1, 1, { a: 1 }],
      [2, 4, { a: 2 }],
      [3, 5, { a: 3 }],
    ]);
    expect(reader.container).toBe('jsonl');
  });

  it('a JSONL line cut short is reported as such', async () => {
    const path = tmp.file('a.jsonl', '{"a": 1}\n{"a": "cut');
    await expect(readAll(path)).rejects.toThrow(/a\.jsonl:2:11: line 2: unterminated string \(truncated\?\)$/);
    const one = tmp.file('one.jsonl', '{"a": "cut');
    await expect(readAll(one)).rejects.toThrow(/one\.jsonl:1:11: line 1: unterminated string \(truncated\?\)$/);
  });
});
