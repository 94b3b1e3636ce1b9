/** AppState (connection, info, notices, attempt), DeleteState (the confirm dialog) and the smoothing setting. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeletionPlan, StudioInfo } from '../../src-main/core/api/types';
import { DeleteState, describeCounts } from '../../src-renderer/src/lib/delete-state.svelte';
import { failing, fakeStudio, settle } from './fake-studio';

const info = (cots: number): StudioInfo => ({
  version: '0.1.0',
  dbPath: '/tmp/studio.db',
  backend: { name: 'cpu', note: null },
  counts: { sources: 1, domains: 2, cots, runs: 0 },
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('AppState', () => {
  it('keeps the studio info and reports an empty database only when it has no CoTs', async () => {
    const studio = fakeStudio({ info: async () => info(0) });
    expect(studio.app.isEmpty).toBe(false);
    await studio.app.refreshInfo();
    expect(studio.app.info?.dbPath).toBe('/tmp/studio.db');
    expect(studio.app.isEmpty).toBe(true);
    expect(studio.app.fatal).toBeNull();
  });

  it('asks for the token without calling the studio when the page has none', async () => {
    const studio = fakeStudio({ info: async () => info(3) }, { authorised: false });
    await studio.app.refreshInfo();
    expect(studio.calls).toEqual([]);
    expect(studio.app.fatal).toMatch(/needs the access token/);
  });

  it('turns a refused token into the token message and any other failure into "cannot be reached"', async () => {
    const refused = fakeStudio({ info: failing('Unauthorized', 'bad token') });
    await refused.app.refreshInfo();
    expect(refused.app.fatal).toMatch(/needs the access token/);

    const gone = fakeStudio({ info: failing('NetworkError', 'connection refused') });
    await gone.app.refreshInfo();
    expect(gone.app.fatal).toBe('The studio cannot be reached: connection refused');
  });

  it('clears the fatal message once the studio answers again', async () => {
    let up = false;
    const studio = fakeStudio({ info: () => (up ? Promise.resolve(info(5)) : Promise.reject(new Error('down'))) });
    await studio.app.refreshInfo();
    expect(studio.app.fatal).toBe('The studio cannot be reached: down');
    up = true;
    await studio.app.refreshInfo();
    expect(studio.app.fatal).toBeNull();
    expect(studio.app.info?.counts.cots).toBe(5);
  });

  it('dismisses info notices after five seconds and keeps error notices until dismissed', () => {
    vi.useFakeTimers();
    const { app } = fakeStudio({});
    const texts = () => app.notices.map((n) => `${n.kind}: ${n.text}`);
    app.notify('error', 'broken');
    app.notify('info', 'saved');
    expect(texts()).toEqual(['error: broken', 'info: saved']);
    vi.advanceTimersByTime(4999);
    expect(texts()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(texts()).toEqual(['error: broken']);
    app.dismiss(app.notices[0].id);
    expect(texts()).toEqual([]);
  });

  it('returns what an attempt resolves to, and shows a failed attempt as a notice instead of throwing', async () => {
    const studio = fakeStudio({});
    expect(await studio.app.attempt('Counting', async () => 42)).toBe(42);
    expect(await studio.app.attempt('Counting', () => Promise.reject(new Error('no numbers')))).toBeUndefined();
    expect(studio.notices()).toEqual(['error: Counting: no numbers']);
  });

  it('passes the studio events to a listener until it unsubscribes', () => {
    const studio = fakeStudio({});
    const seen: string[] = [];
    const off = studio.app.onEvent((e) => seen.push(e.type));
    studio.emit({ type: 'runs-changed' });
    off();
    studio.emit({ type: 'runs-changed' });
    expect(seen).toEqual(['runs-changed']);
  });
});

const plan = (over: Partial<DeletionPlan> = {}): DeletionPlan => ({
  target: { kind: 'domain', id: 4 },
  name: 'charts (train pool)',
  removes: [{ what: 'questions', count: 3 }],
  notes: [],
  refusal: null,
  ...over,
});

describe('DeleteState', () => {
  it('describes counts in a sentence, and "nothing else" for none', () => {
    expect(describeCounts([{ what: 'questions', count: 3 }, { what: 'CoTs', count: 1200 }])).toBe('3 questions, 1,200 CoTs');
    expect(describeCounts([])).toBe('nothing else');
  });

  it('shows the plan, deletes on confirm, resolves true, announces what went and refreshes the info', async () => {
    const studio = fakeStudio({
      planDeletion: async () => plan(),
      deleteItem: async (req) => ({ target: req, name: 'charts (train pool)', removed: [{ what: 'questions', count: 3 }] }),
      info: async () => info(9),
    });
    const deletes = new DeleteState(studio.app);
    const asked = deletes.ask({ kind: 'domain', id: 4 });
    await settle();
    expect(deletes.plan?.name).toBe('charts (train pool)');
    await deletes.confirm();
    expect(await asked).toBe(true);
    expect(studio.argsOf('deleteItem')).toEqual([{ kind: 'domain', id: 4 }]);
    expect(studio.notices()).toEqual(['info: Deleted charts (train pool): 3 questions.']);
    expect(deletes.plan).toBeNull();
    expect(deletes.busy).toBe(false);
    await settle();
    expect(studio.app.info?.counts.cots).toBe(9);
  });

  it('resolves false and deletes nothing when cancelled', async () => {
    const studio = fakeStudio({ planDeletion: async () => plan() });
    const deletes = new DeleteState(studio.app);
    const asked = deletes.ask({ kind: 'domain', id: 4 });
    await settle();
    deletes.cancel();
    expect(await asked).toBe(false);
    expect(deletes.plan).toBeNull();
    expect(studio.argsOf('deleteItem')).toEqual([]);
  });

  it('does nothing on confirm while the plan is refused', async () => {
    const studio = fakeStudio({ planDeletion: async () => plan({ refusal: 'a run is training on it' }) });
    const deletes = new DeleteState(studio.app);
    void deletes.ask({ kind: 'domain', id: 4 });
    await settle();
    await deletes.confirm();
    expect(studio.argsOf('deleteItem')).toEqual([]);
    expect(deletes.plan?.refusal).toBe('a run is training on it');
  });

  it('resolves false with an error notice when the plan cannot be made', async () => {
    const studio = fakeStudio({ planDeletion: failing('NotFound', 'no domain 4') });
    const deletes = new DeleteState(studio.app);
    expect(await deletes.ask({ kind: 'domain', id: 4 })).toBe(false);
    expect(deletes.plan).toBeNull();
    expect(studio.notices()).toEqual(['error: Checking what would be deleted: no domain 4']);
  });

  it('resolves false with an error notice when the deletion fails, and closes the dialog', async () => {
    const studio = fakeStudio({ planDeletion: async () => plan(), deleteItem: failing('Busy', 'database is locked') });
    const deletes = new DeleteState(studio.app);
    const asked = deletes.ask({ kind: 'domain', id: 4 });
    await settle();
    await deletes.confirm();
    expect(await asked).toBe(false);
    expect(studio.notices()).toEqual(['error: Deleting charts (train pool): database is locked']);
    expect(deletes.plan).toBeNull();
  });

  it('settles an earlier question as not deleted when a new one is asked', async () => {
    const studio = fakeStudio({ planDeletion: async (t) => plan({ target: t, name: `domain ${t.id}` }) });
    const deletes = new DeleteState(studio.app);
    const first = deletes.ask({ kind: 'domain', id: 1 });
    await settle();
    void deletes.ask({ kind: 'domain', id: 2 });
    expect(await first).toBe(false);
    await settle();
    expect(deletes.plan?.name).toBe('domain 2');
  });
});

/** A localStorage that keeps values in a Map. */
function memoryStorage(initial: Record<string, string> = {}): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('smoothing', () => {
  /** The module anew, so its setting is read from the storage stubbed now. */
  async function freshSmoothing() {
    vi.resetModules();
    return import('../../src-renderer/src/lib/smoothing.svelte');
  }

  it('clamps weights to 0–0.99 and replaces a non-number by the default', async () => {
    const { clampSmoothing, DEFAULT_SMOOTHING } = await freshSmoothing();
    expect(clampSmoothing(-1)).toBe(0);
    expect(clampSmoothing(1.5)).toBe(0.99);
    expect(clampSmoothing(0.3)).toBe(0.3);
    expect(clampSmoothing(Number.NaN)).toBe(DEFAULT_SMOOTHING);
  });

  it('starts from the stored weight, clamped, and the default when none is stored', async () => {
    vi.stubGlobal('localStorage', memoryStorage({ 'dreamprm-smoothing': '5' }));
    expect((await freshSmoothing()).smoothing.weight).toBe(0.99);
    vi.stubGlobal('localStorage', memoryStorage());
    expect((await freshSmoothing()).smoothing.weight).toBe(0.8);
  });

  it('stores the weight it is set to, clamped', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    const { smoothing } = await freshSmoothing();
    smoothing.set(-0.2);
    expect(smoothing.weight).toBe(0);
    expect(storage.data.get('dreamprm-smoothing')).toBe('0');
  });

  it('still takes a setting for the page when storage throws', async () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('storage is off');
      },
      setItem: () => {
        throw new Error('storage is off');
      },
    });
    const { smoothing } = await freshSmoothing();
    expect(smoothing.weight).toBe(0.8);
    smoothing.set(0.5);
    expect(smoothing.weight).toBe(0.5);
  });
});
