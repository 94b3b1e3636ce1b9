/** AnnotationState: settings and counts, the first label asking for a name, undo, promoting and exporting. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Annotation, AnnotationStats, PromoteResult, Settings } from '../../src-main/core/api/types';
import { AnnotationState } from '../../src-renderer/src/lib/annotation-state.svelte';
import { failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { cot } from './fixtures';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const stats = (stepLabels: number): AnnotationStats => ({ stepLabels, cotLabels: 0, cots: 1, recorded: stepLabels, undone: 0, promoted: 0, recent: [] });

const annotation: Annotation = { id: 1, cotId: 5, stepIdx: 0, value: 1, previous: null, annotator: 'ada', createdAt: '2025-01-01', undoneAt: null };

/** A studio that counts the labels given and taken back. */
function annotateApi(annotator: string | null, extra: FakeApi = {}): FakeApi {
  let labels = 0;
  let name = annotator;
  return {
    getSettings: async (): Promise<Settings> => ({ annotator: name, suggestedAnnotator: 'ada' }),
    setSettings: async (req) => {
      name = req.annotator;
      return { annotator: name, suggestedAnnotator: 'ada' };
    },
    annotationStats: async () => stats(labels),
    annotate: async (req) => {
      labels++;
      return { annotation: { ...annotation, cotId: req.cotId }, cot: cot(req.cotId) };
    },
    undoAnnotation: async () => {
      if (!labels) return { undone: null, cot: null };
      labels--;
      return { undone: annotation, cot: cot(5) };
    },
    ...extra,
  };
}

async function loaded(annotator: string | null, extra: FakeApi = {}) {
  const studio = fakeStudio(annotateApi(annotator, extra));
  const state = new AnnotationState(studio.app);
  await state.load();
  return { studio, state };
}

describe('AnnotationState', () => {
  it('loads the annotator’s name and the label counts', async () => {
    const { studio, state } = await loaded('ada');
    expect(state.annotator).toBe('ada');
    expect(state.stats?.stepLabels).toBe(0);
    expect(studio.argsOf('annotationStats')).toEqual([{ recent: 20 }]);
  });

  it('gives a label and then re-reads the counts', async () => {
    const { studio, state } = await loaded('ada');
    const r = await state.annotate({ cotId: 5, stepIdx: 0, value: 1 });
    expect(r?.annotation?.cotId).toBe(5);
    expect(studio.argsOf('annotate')).toEqual([{ cotId: 5, stepIdx: 0, value: 1 }]);
    await settle();
    expect(state.stats?.stepLabels).toBe(1);
  });

  it('holds the first label until the annotator gives a name, then gives it', async () => {
    const { studio, state } = await loaded(null);
    const labelling = state.annotate({ cotId: 5, value: 1 });
    await settle();
    expect(state.asking).toBe(true);
    expect(studio.argsOf('annotate')).toEqual([]);
    expect(await state.setName('grace')).toBe(true);
    expect((await labelling)?.cot.cotId).toBe(5);
    expect(state.asking).toBe(false);
    expect(state.annotator).toBe('grace');
    expect(studio.argsOf('setSettings')).toEqual([{ annotator: 'grace' }]);
  });

  it('drops the waiting label when the name prompt is dismissed', async () => {
    const { studio, state } = await loaded(null);
    const labelling = state.annotate({ cotId: 5, value: 0 });
    await settle();
    state.cancelName();
    expect(await labelling).toBeUndefined();
    expect(state.asking).toBe(false);
    expect(studio.argsOf('annotate')).toEqual([]);
  });

  it('keeps asking when the name cannot be saved, with a notice', async () => {
    const { studio, state } = await loaded(null, { setSettings: failing('Invalid', 'name too long') });
    void state.annotate({ cotId: 5, value: 1 });
    await settle();
    expect(await state.setName('x'.repeat(500))).toBe(false);
    expect(state.asking).toBe(true);
    expect(studio.notices()).toEqual(['error: Saving your name: name too long']);
  });

  it('gives labels without asking while the settings are not loaded', async () => {
    const studio = fakeStudio(annotateApi(null));
    const state = new AnnotationState(studio.app);
    await state.annotate({ cotId: 5, value: 1 });
    expect(state.asking).toBe(false);
    expect(studio.argsOf('annotate')).toHaveLength(1);
  });

  it('undoes the newest label and re-reads the counts, and says when there is nothing to undo', async () => {
    const { studio, state } = await loaded('ada');
    await state.annotate({ cotId: 5, stepIdx: 0, value: 1 });
    const undone = await state.undo();
    expect(undone?.undone?.id).toBe(1);
    await settle();
    expect(state.stats?.stepLabels).toBe(0);
    expect(studio.notices()).toEqual([]);
    expect((await state.undo())?.undone).toBeNull();
    expect(studio.notices()).toEqual(['info: Nothing to undo.']);
  });

  it('shows a failed undo as a notice', async () => {
    const { studio, state } = await loaded('ada', { undoAnnotation: failing('Busy', 'locked') });
    expect(await state.undo()).toBeUndefined();
    expect(studio.notices()).toEqual(['error: Undoing: locked']);
  });

  it('announces what promoting did, warning about test-pool CoTs and skipped ones', async () => {
    const promoted: PromoteResult = {
      domain: 'annotated',
      promoted: 3,
      updated: 1,
      skipped: [{ cotId: 8, reason: 'no label' }, { cotId: 9, reason: 'no label' }],
      fromTestPool: 2,
      domainCots: 4,
      metaPoolCots: 40,
    };
    const { studio, state } = await loaded('ada', { promoteToMeta: async () => promoted });
    expect(await state.promote()).toEqual(promoted);
    expect(state.busy).toBe(false);
    expect(studio.notices()).toEqual([
      'info: 3 CoT(s) promoted, 1 updated; the meta domain "annotated" has 4. 2 come from the test pool: those questions are no longer held out. 2 skipped (no label, …).',
    ]);
  });

  it('shows a failed promotion as a notice and is no longer busy', async () => {
    const { studio, state } = await loaded('ada', { promoteToMeta: failing('Refused', 'no annotations') });
    expect(await state.promote()).toBeUndefined();
    expect(state.busy).toBe(false);
    expect(studio.notices()).toEqual(['error: Promoting to the meta pool: no annotations']);
  });

  it('downloads the export as a dated JSONL file and frees the blob later', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-03-04T10:00:00Z'));
    const anchor = { href: '', download: '', click: vi.fn(), remove: vi.fn() };
    const append = vi.fn();
    vi.stubGlobal('document', { createElement: () => anchor, body: { append } });
    const create = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:annotations');
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const { studio, state } = await loaded('ada', { exportAnnotations: async () => ({ jsonl: '{"a":1}\n', count: 1 }) });
    await state.download(true);
    expect(studio.argsOf('exportAnnotations')).toEqual([{ all: true }]);
    expect(await (create.mock.calls[0][0] as Blob).text()).toBe('{"a":1}\n');
    expect(anchor).toMatchObject({ href: 'blob:annotations', download: 'annotations-2025-03-04.jsonl' });
    expect(anchor.click).toHaveBeenCalledTimes(1);
    expect(anchor.remove).toHaveBeenCalledTimes(1);
    expect(studio.notices()).toEqual(['info: Exported 1 annotation.']);
    expect(revoke).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10_000);
    expect(revoke).toHaveBeenCalledWith('blob:annotations');
  });

  it('downloads nothing when the export fails', async () => {
    const create = vi.spyOn(URL, 'createObjectURL');
    const { studio, state } = await loaded('ada', { exportAnnotations: failing('Busy', 'locked') });
    await state.download();
    expect(create).not.toHaveBeenCalled();
    expect(studio.notices()).toEqual(['error: Exporting annotations: locked']);
  });
});
