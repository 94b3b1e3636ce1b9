import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { UserError } from '../../src-main/core/errors';
import type { Db } from '../../src-main/core/store/db';
import type { ImportOptions } from '../../src-main/core/types';
import { canonical, count, jsonl, memoryDb, scratchDir } from './helpers';

let db: Db;
let tmp: ReturnType<typeof scratchDir>;
beforeEach(() => {
  db = memoryDb();
  tmp = scratchDir();
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

/** Imports `content` and expects a UserError whose message matches, with nothing written. */
async function fatal(name: string, content: string, message: RegExp | string, options: ImportOptions = {}) {
  const path = tmp.file(name, content);
  const err = await importFile(db, path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  if (typeof message === 'string') expect((err as Error).message).toBe(message.replace('FILE', path));
  else expect((err as Error).message).toMatch(message);
  for (const table of ['sources', 'domains', 'questions', 'cots', 'steps', 'images']) expect(count(db, table)).toBe(0);
}

/** Imports one good record plus `bad` and expects exactly these listed errors. */
let goodId = 0;
async function rejects(bad: unknown, errors: { record?: number; field: string; message: string | RegExp }[], options: ImportOptions = {}) {
  const path = tmp.file('data.jsonl', jsonl([canonical({ qid: `good${++goodId}` }), bad]));
  const s = await importFile(db, path, { format: 'jsonl', ...options });
  expect(s.rejected).toBe(1);
  expect(s.imported).toBe(1);
  expect(s.cots).toBe(1);
  expect(s.errors).toHaveLength(errors.length);
  errors.forEach((e, i) => {
    expect(s.errors[i].record).toBe(e.record ?? 2);
    expect(s.errors[i].field).toBe(e.field);
    if (typeof e.message === 'string') expect(s.errors[i].message).toBe(e.message);
    else expect(s.errors[i].message).toMatch(e.message);
  });
}

describe('fatal input problems stop the import with file:line:column and write nothing', () => {
  it('1. file not found', async () => {
    await expect(importFile(db, join(tmp.dir, 'nope.json'))).rejects.toThrow(`file not found: ${join(tmp.dir, 'nope.json')}`);
  });

  it('2. a folder instead of a file', async () => {
    mkdirSync(join(tmp.dir, 'folder'));
    await expect(importFile(db, join(tmp.dir, 'folder'))).rejects.toThrow(/folder is a folder; give a data file \(\.json or \.jsonl\)$/);
  });

  it('3. an empty file', async () => {
    await fatal('empty.json', '  \n', 'FILE: the file is empty: expected a JSON array of records or JSONL');
  });

  it('4. not JSON at all', async () => {
    await fatal('notes.json', 'id,question\n1,what?\n', `FILE:1:1: not JSON: expected '[' (a JSON array of records) or '{' (JSONL, one record per line), found "i"`);
  });

  it('5. a truncated array', async () => {
    const text = `[\n  ${JSON.stringify(canonical())},\n  {"qid": "q2", "question": "cut`;
    await fatal('cut.json', text, /^.*cut\.json:3:\d+: unexpected end of file inside record 2 \(it starts at 3:3\): the file looks truncated$/);
  });

  it('6. an array missing its closing bracket', async () => {
    await fatal('open.json', `[${JSON.stringify(canonical())}\n`, /open\.json:2:1: unexpected end of file: the array is not closed with '\]' \(truncated file\?\)$/);
  });

  it('7. a top-level object instead of an array', async () => {
    await fatal('object.json', '{\n  "records": []\n}\n', /object\.json:1:1: the top-level value is a JSON object spread over several lines; expected a JSON array of records/);
  });

  it('8. a syntax error inside a record, with its exact line and column', async () => {
    const text = `[\n${JSON.stringify(canonical())},\n{"qid": "q2", "question": "x",}\n]`;
    await fatal('comma.json', text, /comma\.json:3:31: record 2: expected a double-quoted property name, found '\}'$/);
  });

  it('9. records not separated by commas', async () => {
    await fatal('nocomma.json', `[${JSON.stringify(canonical())}\n ${JSON.stringify(canonical())}]`, /nocomma\.json:2:2: expected ',' or '\]' after record 1, found '\{'$/);
  });

  it('10. a trailing comma and text after the array', async () => {
    await fatal('trail.json', `[${JSON.stringify(canonical())},\n]`, /trail\.json:2:1: trailing comma after record 1 before '\]'$/);
    await fatal('after.json', `[${JSON.stringify(canonical())}]\n]`, /after\.json:2:1: unexpected '\]' after the closing '\]' of the array$/);
  });

  it('11. a broken JSONL line after good ones: the whole import is rolled back', async () => {
    const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify(canonical({ qid: `q${i}` })));
    lines.push('{"qid": "q600", "question": "x", "steps": [}');
    await fatal('long.jsonl', lines.join('\n') + '\n', /long\.jsonl:601:44: line 601: expected a value, found '\}'$/);
  });

  it('12. unknown format and unknown pool options', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical()]));
    await expect(importFile(db, path, { format: 'xml' as never })).rejects.toThrow(
      'unknown format "xml": use auto, dreamprm-train, dreamprm-meta, visualprm, jsonl',
    );
    await expect(importFile(db, path, { pool: 'dev' as never })).rejects.toThrow('unknown pool "dev": use train, meta or test');
  });

  it('13. --format that does not match the content', async () => {
    await fatal(
      'c.jsonl',
      jsonl([canonical()]),
      /c\.jsonl:1:1: --format visualprm does not match the content: record 1 looks like jsonl \(fields qid, question, domain, steps, answer, correct\); use --format jsonl or --format auto$/,
      { format: 'visualprm' },
    );
  });

  it('14. a format that cannot be detected, and records that are not objects', async () => {
    await fatal('odd.json', '[{"foo": 1, "bar": 2}]', /odd\.json:1:2: cannot tell the format from record 1 \(fields foo, bar\); pass --format dreamprm-train\|dreamprm-meta\|visualprm\|jsonl/);
    await fatal('nums.json', '[42, 43]', /nums\.json:1:2: record 1 is 42, not a JSON object: expected one object per record$/);
  });

  it('15. --images that is not a folder, and an empty --domain', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical()]));
    await expect(importFile(db, path, { imagesDir: join(tmp.dir, 'missing') })).rejects.toThrow(/images folder not found: .*missing$/);
    await expect(importFile(db, path, { imagesDir: path })).rejects.toThrow(/--images .*a\.jsonl is a file; give the folder that holds the images$/);
    await expect(importFile(db, path, { domain: '  ' })).rejects.toThrow('--domain is empty: give a domain name');
  });
});

describe('invalid records are skipped and listed with record, field and reason', () => {
  it('missing question id', async () => {
    const { qid: _drop, ...bad } = canonical();
    await rejects(bad, [{ field: 'qid', message: 'is required' }]);
  });

  it('empty steps', async () => {
    await rejects(canonical({ steps: [] }), [{ field: 'steps', message: 'has no steps: a CoT needs at least one' }]);
  });

  it('m outside [0, 1]', async () => {
    await rejects(canonical({ steps: [{ text: 'a', m: 1.5, k: 4 }] }), [{ field: 'steps[0].m', message: 'm must be in [0, 1], got 1.5' }]);
  });

  it('k not a positive integer', async () => {
    await rejects(canonical({ steps: [{ text: 'a', m: 0.5, k: 4 }, { text: 'b', m: 0.5, k: 2.5 }] }), [
      { field: 'steps[1].k', message: 'k must be a positive integer, got 2.5' },
    ]);
    await rejects(canonical({ qid: 'x', steps: [{ text: 'a', k: 3 }] }), [{ field: 'steps[0].k', message: 'k is given without m' }]);
  });

  it('non-string and empty step text', async () => {
    await rejects({ ...canonical(), steps: [{ text: 42 }] }, [{ field: 'steps[0].text', message: 'must be a string, got 42' }]);
    await rejects(canonical({ qid: 'y', steps: [{ text: '  ' }] }), [{ field: 'steps[0].text', message: 'step text is empty' }]);
  });

  it('unknown pool in a record, a label that is not 0/1, a misspelt field', async () => {
    await rejects({ ...canonical(), pool: 'dev' }, [{ field: 'pool', message: 'unknown pool "dev": use train, meta or test' }]);
    await rejects(canonical({ qid: 'z', steps: [{ text: 'a', label: 2 as never }] }), [{ field: 'steps[0].label', message: 'label must be 0 or 1, got 2' }]);
    await rejects({ ...canonical({ qid: 'w' }), ground_truth: 'B' }, [{ field: '(record)', message: 'unknown field "ground_truth"' }]);
  });

  it('a record that is not an object, and a repeated CoT id', async () => {
    await rejects([1, 2], [{ field: '(record)', message: 'is an array, not a JSON object' }]);
    const path = tmp.file('dup.jsonl', jsonl([canonical({ cotId: 'c1' }), canonical({ cotId: 'c1', steps: [{ text: 'other' }] })]));
    const s = await importFile(db, path);
    expect(s.errors).toEqual([{ record: 2, field: 'cotId', message: '"c1" repeats an earlier CoT id of question "q1"' }]);
    expect(s.rejected).toBe(1);
  });

  it('visualprm: no question turn, a step without +/-, a label that is not +/-', async () => {
    const system = { from: 'system', value: 'You judge steps.' };
    const rec = (id: string, conversations: unknown[]) => ({ id, image: 'x.png', true_false: true, conversations });
    const path = tmp.file(
      'vp.jsonl',
      jsonl([
        rec('test_Art_1', [system, { from: 'human', value: 'Q?' }, { from: 'human', value: 'step' }, { from: 'gpt', value: '+' }]),
        rec('test_Art_2', [system]),
        rec('test_Art_3', [system, { from: 'gpt', value: '+' }]),
        rec('test_Art_4', [system, { from: 'human', value: 'Q?' }, { from: 'human', value: 'a' }, { from: 'human', value: 'b' }, { from: 'gpt', value: '+' }]),
        rec('test_Art_5', [system, { from: 'human', value: 'Q?' }, { from: 'human', value: 'a' }, { from: 'gpt', value: 'maybe' }]),
        rec('test_Art_6', [system, { from: 'human', value: 'Q?' }]),
        rec('art', [system, { from: 'human', value: 'Q?' }, { from: 'human', value: 'a' }, { from: 'gpt', value: '+' }]),
      ]),
    );
    const s = await importFile(db, path);
    expect(s).toMatchObject({ format: 'visualprm', records: 7, imported: 1, rejected: 6 });
    expect(s.errors).toEqual([
      { record: 2, field: 'conversations[1]', message: "no question turn: expected a 'human' turn after the system prompt, found nothing" },
      { record: 3, field: 'conversations[1]', message: "no question turn: expected a 'human' turn after the system prompt, found a 'gpt' turn" },
      { record: 4, field: 'conversations[2]', message: "step turn is not followed by a '+' or '-' turn" },
      { record: 5, field: 'conversations[3].value', message: `expected '+' or '-', got "maybe"` },
      { record: 6, field: 'conversations', message: 'has no steps: only a question, no step turns with +/- labels' },
      { record: 7, field: 'id', message: 'cannot tell the domain from id "art" (expected a subject in it, e.g. test_Art_113); pass --domain NAME' },
    ]);
  });

  it('dreamprm-train: a bad row rejects its whole CoT, never half of it', async () => {
    const row = (id: number, sid: number, extra: Record<string, unknown> = {}) => ({
      id, sid, input: 'Question: q?', add: `step ${sid}`, image_path: 'x.png', dataset: 'chartqa', times: 4, accuracy: 0.5, ...extra,
    });
    const path = tmp.file(
      'train.json',
      JSON.stringify([row(1, 1), row(1, 2, { accuracy: 2 }), row(1, 3), row(2, 1), row(2, 1), row(3, 1, { times: 0 }), row(4, 1), row(4, 2)]),
    );
    const s = await importFile(db, path);
    expect(s).toMatchObject({ format: 'dreamprm-train', records: 8, imported: 2, rejected: 6, cots: 1, steps: 2 });
    expect(s.errors).toEqual([
      { record: 1, field: 'id', message: 'skipped with its CoT: record 2 of id "1" is invalid' },
      { record: 2, field: 'accuracy', message: 'accuracy (m) must be in [0, 1], got 2' },
      { record: 3, field: 'id', message: 'skipped with its CoT: record 2 of id "1" is invalid' },
      { record: 4, field: 'id', message: 'skipped with its CoT: record 5 of id "2" is invalid' },
      { record: 5, field: 'sid', message: 'sid 1 appears twice for id "2" (records 4 and 5)' },
      { record: 6, field: 'times', message: 'times (K) must be a positive integer, got 0' },
    ]);
  });
});
