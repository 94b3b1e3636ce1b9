import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, StrictImportError } from '../../src-main/core/data/import';
import { listSources } from '../../src-main/core/store/data-store';
import type { Db } from '../../src-main/core/store/db';
import { canonical, count, fixturesDir, jsonl, memoryDb, scratchDir } from './helpers';

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

const tables = ['sources', 'domains', 'questions', 'question_images', 'cots', 'steps', 'images'];
const snapshot = () => Object.fromEntries(tables.map((t) => [t, count(db, t)]));

describe('re-import', () => {
  it.each(['canonical.jsonl', 'dreamprm-train.json', 'dreamprm-meta.json', 'visualprm.jsonl'])(
    '%s a second time adds nothing and reports imported 0',
    async (name) => {
      const path = join(fixturesDir, name);
      const first = await importFile(db, path);
      const before = snapshot();
      const again = await importFile(db, path);
      expect(snapshot()).toEqual(before);
      expect(again).toMatchObject({ records: first.records, imported: 0, questions: 0, cots: 0, steps: 0, domains: {} });
      // invalid records stay invalid: the second call lists them again
      expect(again.rejected).toBe(first.rejected);
      expect(listSources(db)).toHaveLength(1);
    },
  );

  it('keeps identical CoTs of one file apart, and a copy of the file under another name adds nothing', async () => {
    const rec = canonical();
    const a = tmp.file('a.jsonl', jsonl([rec, rec, rec]));
    const s = await importFile(db, a);
    expect(s).toMatchObject({ imported: 3, cots: 3, questions: 1 });
    const b = tmp.file('b.jsonl', jsonl([rec, rec, rec]));
    expect(await importFile(db, b)).toMatchObject({ imported: 0, cots: 0 });
    expect(count(db, 'cots')).toBe(3);
  });

  it('the same file into another pool is a new source with its own domains', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical()]));
    await importFile(db, path, { pool: 'train' });
    const s = await importFile(db, path, { pool: 'test' });
    expect(s).toMatchObject({ imported: 1, cots: 1 });
    expect(listSources(db).map((x) => x.pool)).toEqual(['train', 'test']);
  });

  it('a grown file adds only its new records', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical({ qid: 'a' })]));
    await importFile(db, path);
    tmp.file('a.jsonl', jsonl([canonical({ qid: 'a' }), canonical({ qid: 'b' })]));
    const s = await importFile(db, path);
    expect(s).toMatchObject({ records: 2, imported: 1, questions: 1, cots: 1, steps: 2 });
  });
});

describe('--strict', () => {
  it('writes nothing when any record is invalid, and lists every problem', async () => {
    const path = tmp.file(
      'a.jsonl',
      jsonl([canonical({ qid: 'ok' }), canonical({ qid: 'bad', steps: [{ text: 'x', m: 3 }] }), canonical({ qid: 'ok2', domain: '' })]),
    );
    const err = await importFile(db, path, { strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrictImportError);
    const e = err as StrictImportError;
    expect(e.message).toBe(
      `--strict: 2 problems in ${path} (2 invalid of 3 records); nothing was imported. First: record 2, steps[0].m: m must be in [0, 1], got 3`,
    );
    expect(e.summary).toMatchObject({ records: 3, imported: 0, rejected: 2, cots: 0, steps: 0, domains: {} });
    expect(e.summary.errors).toEqual([
      { record: 2, field: 'steps[0].m', message: 'm must be in [0, 1], got 3' },
      { record: 3, field: 'domain', message: 'must not be empty' },
    ]);
    expect(snapshot()).toEqual(Object.fromEntries(tables.map((t) => [t, 0])));
  });

  it('an unreadable image also fails a strict import', async () => {
    tmp.file('bad.png', 'not an image');
    const path = tmp.file('a.jsonl', jsonl([canonical({ images: ['bad.png'] })]));
    await expect(importFile(db, path, { strict: true })).rejects.toThrow(/--strict: 1 problem in .*\(0 invalid of 1 records\).*images\[0\]: cannot decode image/);
    expect(count(db, 'cots')).toBe(0);
  });

  it('a missing image also fails a strict import: strict takes nothing that is not whole', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical({ images: ['nowhere.png'] })]));
    await expect(importFile(db, path, { strict: true })).rejects.toThrow(
      `--strict: 1 problem in ${path} (0 invalid of 1 records, 1 image missing); nothing was imported. First: record 1, images[0]: image file not found: nowhere.png`,
    );
    expect(snapshot()).toEqual(Object.fromEntries(tables.map((t) => [t, 0])));
  });

  it('imports normally when everything is valid', async () => {
    const path = tmp.file('a.jsonl', jsonl([canonical()]));
    expect(await importFile(db, path, { strict: true })).toMatchObject({ imported: 1, status: 'complete', errors: [] });
  });
});
