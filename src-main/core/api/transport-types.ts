/** How the typed API reaches a page: the events it pushes, the raw transport, the desktop bridge, the image scheme. */
import type { ApiMethod, ArgsOf, ResultOf } from './studio-api';
import type { RunProgress, RunStatus } from '../../../src-shared/runs';
import type { PolicyJobInfo } from '../../../src-shared/jobs';

export type StudioEvent =
  | {
      type: 'import-progress';
      jobId: string | null;
      phase: 'generating' | 'reading';
      file: string;
      bytesRead: number;
      bytesTotal: number;
      records: number;
    }
  | ({ type: 'run-progress' } & RunProgress)
  | { type: 'run-status'; runId: number; status: RunStatus; error: string | null }
  | { type: 'eval-progress'; jobId: string | null; runId: number; done: number; total: number }
  | { type: 'explore-progress'; runId: number; phase: 'rows' | 'indexes' | 'losses'; done: number; total: number }
  | ({ type: 'job-progress' } & PolicyJobInfo)
  /** a model-server job's request failed and is tried again after delayMs */
  | { type: 'job-retry'; jobId: number; attempt: number; delayMs: number; error: string }
  /** runs were added, deleted or changed status, possibly by another process (the CLI) */
  | { type: 'runs-changed' };

/** The raw transport both the preload and the HTTP client provide. */
export interface Transport {
  invoke<M extends ApiMethod>(method: M, args: ArgsOf<M>[0]): Promise<ResultOf<M>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/**
 * What the Electron preload exposes as `window.dreamprm`: the transport plus the two things
 * only a desktop shell can do. Nothing else of Electron reaches the page.
 */
export interface DreamprmBridge extends Transport {
  /** opens the native file dialog; the chosen path, or null when cancelled */
  pickImportFile(): Promise<string | null>;
  /** the filesystem path of a file dropped onto the window ('' when it has none) */
  pathForFile(file: Blob): string;
}

/** Images by id inside the desktop app: dreamprm-image://images/<id>[?thumb=1]. */
export const IMAGE_SCHEME = 'dreamprm-image';
export const IMAGE_HOST = 'images';
