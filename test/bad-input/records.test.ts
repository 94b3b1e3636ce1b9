/**
 * Bad records, through `dreamprm import` as a user runs it: each case asserts the exit
 * status, that the output names the file, the record and the field with what is wrong and
 * what to do, and that the database is unchanged where nothing should have been written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonical, jsonl, png, scratchDir } from '../data/helpers';
import { count, dreamprm, fingerprint } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
let db: string;
beforeEach(async () => {
  tmp = scratchDir();
  db = join(tmp.dir, 'studio.db');
  // A store that already holds data: every case must leave it exactly as it was.
  const seed = tmp.file('seed.jsonl', jsonl([canonical({ qid: 'kept', cotId: 'a' })]));
  expect((await dreamprm('import', seed, '--db', db)).code).toBe(0);
});
afterEach(() => tmp.cleanup());

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every record of the file is bad: exit 1, the record and field named, nothing written. */
async function nothingTaken(name: string, content: string, field: string, message: string, record = 1) {
  const file = tmp.file(name, content);
  const before = fingerprint(db);
  const r = await dreamprm('import', file, '--db', db);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`${file} (`);
  expect(r.stdout).toMatch(new RegExp(`record ${record}, ${escape(field)}: ${escape(message)}`));
  expect(r.stdout).toContain('Nothing was imported (exit status 1): fix what is listed and import the file again.');
  expect(fingerprint(db)).toBe(before);
}

const step = (s: object) => jsonl([canonical({ qid: 'q', steps: [{ text: 'a step', ...s }] as never })]);

describe('records that must be rejected: exit 1, record and field named, store unchanged', () => {
  it('1. a Monte Carlo label out of range (m = 1.5)', () => nothingTaken('m.jsonl', step({ m: 1.5 }), 'steps[0].m', 'm must be in [0, 1], got 1.5'));
  it('2. an ill-typed label (m = "x")', () => nothingTaken('mx.jsonl', step({ m: 'x' }), 'steps[0].m', 'must be a number, got "x"'));
  it('3. a human label that is not 0 or 1 (label = 2)', () => nothingTaken('label.jsonl', step({ label: 2 }), 'steps[0].label', 'label must be 0 or 1, got 2'));
  it('4. k without m', () => nothingTaken('k.jsonl', step({ k: 4 }), 'steps[0].k', 'k is given without m'));
  it('5. k = 1e309 (beyond any number: read as Infinity)', () =>
    nothingTaken('kinf.jsonl', '{"qid":"q","question":"Q?","domain":"d","steps":[{"text":"s","m":1,"k":1e309}]}\n', 'steps[0].k', 'is beyond the largest number (a value like 1e309 in the file): give a finite number'));
  it('6. a CoT with no steps', () => nothingTaken('empty.jsonl', jsonl([canonical({ qid: 'q', steps: [] })]), 'steps', 'has no steps: a CoT needs at least one'));
  it('7. an unknown pool', () => nothingTaken('pool.jsonl', jsonl([canonical({ qid: 'q', pool: 'dev' as 'train' })]), 'pool', 'unknown pool "dev": use train, meta or test'));
  it('8. a misspelt field (ground_truth for groundTruth)', () =>
    nothingTaken('field.jsonl', jsonl([{ ...canonical({ qid: 'q' }), ground_truth: '5' }]), '(record)', 'unknown field "ground_truth"'));
  it('9. an empty question', () => nothingTaken('question.jsonl', jsonl([canonical({ qid: 'q', question: ' ' })]), 'question', 'must not be empty'));
  it('10. DreamPRM-train accuracy 1.7', () =>
    nothingTaken(
      'train.json',
      JSON.stringify([{ id: 1, sid: 1, input: 'Q?', add: 'step', dataset: 'd', accuracy: 1.7, times: 8 }]),
      'accuracy',
      'accuracy (m) must be in [0, 1], got 1.7',
    ));
  it('11. a DreamPRM meta record that holds only the question', () =>
    nothingTaken(
      'meta.json',
      JSON.stringify([{ id: 7, true_false: false, input: 'Question: Which planet is shown?\nOptions: (A) Mars (B) Venus' }]),
      'input',
      'holds only the question: no response after it to split into steps',
    ));
  it('12. a VisualPRM record with a question and no step turns', () =>
    nothingTaken(
      'vp.jsonl',
      jsonl([{ id: 'test_Art_1', conversations: [{ from: 'system', value: 'judge' }, { from: 'human', value: '### Question:\nWhat?' }] }]),
      'conversations',
      'has no steps: only a question, no step turns with +/- labels',
    ));
  it('13. a record that is not an object', () =>
    nothingTaken('num.jsonl', `${JSON.stringify(canonical({ qid: 'q', steps: [] }))}\n5\n`, '(record)', 'is 5, not a JSON object', 2));
  it('14. a DreamPRM-train row that is invalid takes its whole CoT with it', () =>
    nothingTaken(
      'train2.json',
      JSON.stringify([
        { id: 1, sid: 1, input: 'Q?', add: 'step one', dataset: 'd', accuracy: 0.5, times: 8 },
        { id: 1, sid: 2, input: 'Q?', add: 'step one two', dataset: 'd', accuracy: 'high', times: 8 },
      ]),
      'id',
      'skipped with its CoT: record 2 of id "1" is invalid',
    ));
});

describe('conflicts with stored data', () => {
  it('15. keep (default): exit 1 when every record conflicts; the report names record, qid, both texts; store unchanged', async () => {
    const file = tmp.file('c.jsonl', jsonl([canonical({ qid: 'kept', cotId: 'b', question: 'Another question?' })]));
    const before = fingerprint(db);
    const r = await dreamprm('import', file, '--db', db);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '1 record: question text differs from the stored question with the same qid: kept the stored version, records skipped (record 1); ' +
        'e.g. question "kept": stored What is 2 + 3? / file Another question?',
    );
    expect(fingerprint(db)).toBe(before);
  });

  it('16. fail: a changed CoT refuses the whole file, naming record, CoT and the options', async () => {
    const changed = canonical({ qid: 'kept', cotId: 'a', steps: [{ text: '2 + 3 = 6', m: 0, k: 4 }] });
    const file = tmp.file('c.jsonl', jsonl([canonical({ qid: 'new' }), changed]));
    const before = fingerprint(db);
    const r = await dreamprm('import', file, '--db', db, '--on-conflict', 'fail');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `dreamprm: ${file}: 1 record conflicts with stored data (--on-conflict fail); nothing was imported. First: record 2, ` +
        'CoT "a" of question "kept": CoT steps differ from the stored CoT with the same key. ' +
        "Use --on-conflict keep to skip those records, or --on-conflict replace to store the file's version\n",
    );
    expect(fingerprint(db)).toBe(before);
    expect(count(db, 'sources')).toBe(1);
  });

  it('17. one qid with two question texts inside one file: the second record is skipped (exit 2)', async () => {
    const file = tmp.file('twice.jsonl', jsonl([canonical({ qid: 'q9', cotId: 'a' }), canonical({ qid: 'q9', cotId: 'b', question: 'Other?' })]));
    const r = await dreamprm('import', file, '--db', db);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('record 2, question: differs from the question text in record 1, the first of question "q9": one qid, two questions; give one of them another qid');
    expect(count(db, 'cots')).toBe(2);
  });

  it('18. a CoT id repeated inside one file: the second is skipped (exit 2), the first kept', async () => {
    const file = tmp.file('dup.jsonl', jsonl([canonical({ qid: 'q8', cotId: 'a' }), canonical({ qid: 'q8', cotId: 'a', answer: '6' })]));
    const r = await dreamprm('import', file, '--db', db);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('record 2, cotId: "a" repeats an earlier CoT id of question "q8"');
  });
});

describe('images', () => {
  it('19. a missing image: imported with the reference, reported by record and path, exit 2; --allow-partial: exit 0', async () => {
    const file = tmp.file('img.jsonl', jsonl([canonical({ qid: 'q7', images: ['pics/q7.png'] })]));
    const r = await dreamprm('import', file, '--db', db);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('1 image file not found (record 1 images[0]: pics/q7.png): those records are stored without them. Give --images');
    expect(r.stdout).toContain('Partial import (exit status 2)');
    mkdirSync(join(tmp.dir, 'pics'));
    tmp.file('pics/q7.png', await png(8, 8, [0, 0, 255]));
    const again = await dreamprm('import', file, '--db', db, '--allow-partial');
    expect(again.code).toBe(0);
    expect(count(db, 'images')).toBe(1);
  });

  it('20. a missing image under --strict: exit 1, nothing written', async () => {
    const file = tmp.file('img.jsonl', jsonl([canonical({ qid: 'q7', images: ['nowhere.png'] })]));
    const before = fingerprint(db);
    const r = await dreamprm('import', file, '--db', db, '--strict');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dreamprm: --strict: 1 problem in ${file} (0 invalid of 1 records, 1 image missing); nothing was imported. First: record 1, images[0]: image file not found: nowhere.png\n`);
    expect(fingerprint(db)).toBe(before);
  });

  it('21. an image outside the data folder (../): refused on its record with what to do, exit 2', async () => {
    const file = tmp.file('img.jsonl', jsonl([canonical({ qid: 'q6', images: ['../../etc/hostname'] })]));
    const r = await dreamprm('import', file, '--db', db);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`record 1, images[0]: image /etc/hostname refused: it is outside the data file's folder ${tmp.dir}`);
    expect(r.stdout).toContain('move the image there, or pass --images with the folder that holds it');
  });
});
