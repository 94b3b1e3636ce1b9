/**
 * The image-path rule (src-main/core/data/image-paths.ts): only regular files inside the data
 * file's folder (or --images) are read, symlinks resolved first, at most MAX_IMAGE_BYTES, with
 * a stall timeout. Each hostile reference below is refused quickly with an error on its record,
 * counted in `refusedImages`; the import completes and stores nothing of it.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, symlinkSync, truncateSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataApi } from '../../src-main/core/api/data-api';
import { EventHub } from '../../src-main/core/api/events';
import { importFile } from '../../src-main/core/data/import';
import { MAX_IMAGE_BYTES, readCapped } from '../../src-main/core/data/image-paths';
import { resolveImage } from '../../src-main/core/data/images';
import type { Db } from '../../src-main/core/store/db';
import { canonical, count, jsonl, memoryDb, png, scratchDir } from './helpers';

const windows = process.platform === 'win32';
if (windows) console.warn('FIFO, socket and /dev/zero image tests skipped: Windows has no such files');

let db: Db;
let tmp: ReturnType<typeof scratchDir>;
let dataDir: string;
let fifo: string | undefined;
let socketServer: Server | undefined;

beforeEach(async () => {
  db = memoryDb();
  tmp = scratchDir();
  dataDir = join(tmp.dir, 'data');
  mkdirSync(dataDir);
  mkdirSync(join(tmp.dir, 'outside'));
  // A real, decodable image outside the data folder: the old code copied it into the database.
  tmp.file('outside/secret.png', await png(9, 9, [1, 2, 3]));
  tmp.file('data/ok.png', await png(5, 5, [200, 10, 10]));
});

afterEach(() => {
  // Releases a read blocked on the FIFO (the old code's hang), so the test run can end.
  if (fifo) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // nobody was reading
    }
    fifo = undefined;
  }
  socketServer?.close();
  socketServer = undefined;
  db.close();
  tmp.cleanup();
});

/** Imports one record per reference, plus one with the good image; returns the summary and time taken. */
async function importRefs(refs: string[], options: { imagesDir?: string } = {}) {
  const records = [canonical({ qid: 'good', images: ['ok.png'] }), ...refs.map((r, i) => canonical({ qid: `q${i}`, images: [r] }))];
  const path = tmp.file('data/data.jsonl', jsonl(records));
  const started = performance.now();
  const summary = await importFile(db, path, options);
  return { summary, seconds: (performance.now() - started) / 1000 };
}

function expectRefused(s: Awaited<ReturnType<typeof importRefs>>, refs: string[], reason: RegExp) {
  expect(s.seconds).toBeLessThan(3);
  expect(s.summary).toMatchObject({ records: refs.length + 1, imported: refs.length + 1, rejected: 0, refusedImages: refs.length });
  expect(s.summary.errors).toHaveLength(refs.length);
  s.summary.errors.forEach((e, i) => {
    expect(e).toMatchObject({ record: i + 2, field: 'images[0]' });
    expect(e.message).toMatch(/^image .* refused: /);
    expect(e.message).toMatch(reason);
    expect(e.message).toMatch(/; the record is imported without it$/);
  });
  // only the good image is stored; the refused references stay as paths without bytes
  expect(count(db, 'images')).toBe(1);
  expect(db.prepare('SELECT count(*) FROM question_images WHERE image_id IS NULL').pluck().get()).toBe(refs.length);
}

describe('image references the rule refuses', () => {
  it.skipIf(windows)('/dev/zero, directly and through a symlink in the folder: refused as outside the folder', async () => {
    symlinkSync('/dev/zero', join(dataDir, 'zero.png'));
    const s = await importRefs(['/dev/zero', 'zero.png']);
    expectRefused(s, ['/dev/zero', 'zero.png'], /outside the data file's folder .*move the image there, or pass --images/);
    expect(s.summary.errors[1].message).toContain('(real path /dev/zero)');
  }, 10_000);

  it.skipIf(windows)('a FIFO inside the folder: refused as a named pipe without hanging', async () => {
    fifo = join(dataDir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    expectRefused(await importRefs(['pipe.png']), ['pipe.png'], /is a named pipe \(FIFO\), and only regular files are read/);
  }, 10_000);

  it.skipIf(windows)('a socket and a folder inside the folder: refused as not regular files', async () => {
    socketServer = createServer();
    await new Promise<void>((f) => socketServer!.listen(join(dataDir, 'sock.png'), f));
    mkdirSync(join(dataDir, 'dir.png'));
    const s = await importRefs(['sock.png', 'dir.png']);
    expectRefused(s, ['sock.png', 'dir.png'], /is a (socket|folder), and only regular files are read/);
  }, 10_000);

  it('a symlink pointing out of the folder, ../ and absolute paths outside: refused, the outside file not copied', async () => {
    symlinkSync(join(tmp.dir, 'outside/secret.png'), join(dataDir, 'link.png'));
    const refs = ['link.png', '../outside/secret.png', join(tmp.dir, 'outside/secret.png')];
    expectRefused(await importRefs(refs), refs, /outside the data file's folder/);
  }, 10_000);

  it('a 1 GB (sparse) image: refused at once with its size and the cap', async () => {
    const big = tmp.file('data/big.png', '');
    truncateSync(big, 1024 ** 3);
    const s = await importRefs(['big.png']);
    expectRefused(s, ['big.png'], /is 1024\.0 MiB \(1073741824 bytes\), over the 64\.0 MiB cap per image; shrink or re-encode it/);
    expect(MAX_IMAGE_BYTES).toBe(64 * 1024 * 1024);
  }, 10_000);

  it('with --images, a path outside that folder is refused unless its file name is found inside', async () => {
    const pics = join(tmp.dir, 'pics');
    mkdirSync(pics);
    tmp.file('pics/secret.png', await png(4, 4, [0, 0, 9]));
    tmp.file('pics/ok.png', await png(5, 5, [200, 10, 10]));
    // found inside --images by its file name: the outside file of the same name is never read
    const found = await importRefs(['../outside/secret.png'], { imagesDir: pics });
    expect(found.summary).toMatchObject({ refusedImages: 0, errors: [] });
    const stored = db.prepare('SELECT width FROM images ORDER BY width').pluck().all();
    expect(stored).toEqual([4, 5]);
  }, 10_000);

  it("refuses the same way through the app's import (the API of `serve`)", async () => {
    const refs = ['../outside/secret.png'];
    const path = tmp.file('data/app.jsonl', jsonl(refs.map((r) => canonical({ images: [r] }))));
    const api = createDataApi(db, join(tmp.dir, 'studio.db'), new EventHub());
    const summary = await api.importFile({ path });
    expect(summary).toMatchObject({ imported: 1, refusedImages: 1 });
    expect(summary.errors[0].message).toMatch(/refused: it is outside the data file's folder/);
    expect(count(db, 'images')).toBe(0);
  });
});

describe('reading an image', () => {
  it('a read that stalls is abandoned after the timeout', async () => {
    const stalled = { read: () => new Promise<never>(() => {}) };
    const started = performance.now();
    await expect(readCapped(stalled as never, '/mnt/slow/a.png', { maxBytes: 100, timeoutMs: 50 })).rejects.toThrow(
      /image \/mnt\/slow\/a\.png refused: reading it stalled for more than 0\.05 s/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a file that keeps growing past the cap while it is read is refused, not read on', async () => {
    let reads = 0;
    const endless = {
      read: async (buffer: Buffer) => {
        reads++;
        return { bytesRead: buffer.length, buffer };
      },
    };
    await expect(readCapped(endless as never, '/data/grows.png', { maxBytes: 3 << 20, timeoutMs: 1000 })).rejects.toThrow(
      /image \/data\/grows\.png refused: it grew past the 3\.0 MiB cap per image while being read/,
    );
    expect(reads).toBe(4);
  });

  it('an image over a (small) cap is refused with its size and the cap, one under it is read', async () => {
    const bytes = await png(20, 20, [1, 1, 1]);
    tmp.file('data/small.png', bytes);
    const limits = { maxBytes: bytes.length - 1, timeoutMs: 1000 };
    const over = await resolveImage('small.png', dataDir, undefined, () => false, limits);
    expect(over).toMatchObject({ status: 'refused', message: expect.stringContaining(`(${bytes.length} bytes), over the`) });
    const under = await resolveImage('small.png', dataDir, undefined, () => false, { ...limits, maxBytes: bytes.length });
    expect(under.status).toBe('ok');
  });
});
