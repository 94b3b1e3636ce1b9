import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { listDomains, sampleImageIds } from '../../src-main/core/store/data-store';
import { getImage, getQuestion, getThumbnail } from '../../src-main/core/store/questions-store';
import type { Db } from '../../src-main/core/store/db';
import { canonical, count, jsonl, memoryDb, png, scratchDir } from './helpers';

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

function questionOf(qid: string) {
  return getQuestion(db, db.prepare('SELECT id FROM questions WHERE ext_id = ?').pluck().get(qid) as number)!;
}

describe('images', () => {
  it('stores present images once by content, with size, type and a small WebP thumbnail', async () => {
    mkdirSync(join(tmp.dir, 'img'));
    const red = await png(300, 200, [255, 0, 0]);
    tmp.file('img/red.png', red);
    tmp.file('img/red-copy.png', red); // same bytes under another name
    tmp.file('img/blue.png', await png(40, 60, [0, 0, 255]));
    const path = tmp.file(
      'data.jsonl',
      jsonl([
        canonical({ qid: 'a', images: ['img/red.png', 'img/blue.png'] }),
        canonical({ qid: 'b', images: ['img/red-copy.png'] }),
        canonical({ qid: 'b', cotId: 'second', images: ['img/red-copy.png'] }),
      ]),
    );
    const s = await importFile(db, path);
    expect(s).toMatchObject({ imported: 3, missingImages: 0, errors: [] });
    expect(count(db, 'images')).toBe(2);

    const a = questionOf('a');
    expect(a.images.map((i) => i.path)).toEqual(['img/red.png', 'img/blue.png']);
    const redImage = getImage(db, a.images[0].imageId!)!;
    expect(redImage).toMatchObject({ mime: 'image/png', width: 300, height: 200 });
    expect(Buffer.compare(redImage.bytes, red)).toBe(0);
    const thumb = getThumbnail(db, a.images[0].imageId!)!;
    expect(thumb.mime).toBe('image/webp');
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 128, 85]);
    // a small image is not enlarged
    const blueThumb = await sharp(getThumbnail(db, a.images[1].imageId!)!.bytes).metadata();
    expect([blueThumb.width, blueThumb.height]).toEqual([40, 60]);
    expect(questionOf('b').images[0].imageId).toBe(a.images[0].imageId);

    const domain = listDomains(db)[0];
    expect(domain.images).toBe(2);
    expect(sampleImageIds(db, domain.id, 10).sort()).toEqual([a.images[0].imageId, a.images[1].imageId].sort());
    expect(sampleImageIds(db, domain.id, 1)).toHaveLength(1);
    expect(getImage(db, 999)).toBeUndefined();
  });

  it('a missing image is counted, kept as a NULL reference with its path, and the record is imported', async () => {
    const path = tmp.file('data.jsonl', jsonl([canonical({ images: ['gone/x.png'] }), canonical({ cotId: 'b', images: ['gone/x.png'] })]));
    const s = await importFile(db, path);
    expect(s).toMatchObject({ imported: 2, missingImages: 2, errors: [] });
    expect(questionOf('q1').images).toEqual([{ ord: 0, imageId: null, path: 'gone/x.png' }]);
    expect(listDomains(db)[0]).toMatchObject({ images: 0, missingImages: 1 });
  });

  it('a corrupt image is an error on its record, which is still imported without it', async () => {
    tmp.file('broken.png', Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
    const path = tmp.file('data.jsonl', jsonl([canonical({ images: ['broken.png'] })]));
    const s = await importFile(db, path);
    expect(s.imported).toBe(1);
    expect(s.rejected).toBe(0);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ record: 1, field: 'images[0]' });
    expect(s.errors[0].message).toMatch(/^cannot decode image .*broken\.png: .+; the record is imported without it$/);
    expect(questionOf('q1').images[0].imageId).toBeNull();
    expect(count(db, 'images')).toBe(0);
  });

  it('--images: paths resolve inside that folder, by file name when the written path is foreign', async () => {
    mkdirSync(join(tmp.dir, 'pics'));
    tmp.file('pics/test_Art_1.png', await png(8, 8, [0, 255, 0]));
    const path = tmp.file('data.jsonl', jsonl([canonical({ images: ['../data/meta_images/test_Art_1.png'] })]));
    const s = await importFile(db, path, { imagesDir: join(tmp.dir, 'pics') });
    expect(s).toMatchObject({ missingImages: 0, errors: [] });
    expect(questionOf('q1').images[0].imageId).not.toBeNull();
  });

  it('re-importing with --images fills in images that were missing, adding nothing else', async () => {
    const path = tmp.file('data.jsonl', jsonl([canonical({ images: ['shots/p.png'] })]));
    const first = await importFile(db, path);
    expect(first.missingImages).toBe(1);
    mkdirSync(join(tmp.dir, 'later'));
    tmp.file('later/p.png', await png(10, 10, [9, 9, 9]));
    const second = await importFile(db, path, { imagesDir: join(tmp.dir, 'later') });
    expect(second).toMatchObject({ imported: 0, cots: 0, questions: 0, missingImages: 0 });
    expect(questionOf('q1').images[0].imageId).not.toBeNull();
    expect(count(db, 'question_images')).toBe(1);
  });
});
