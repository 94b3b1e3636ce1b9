import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../errors';
import type { OptionalImporter } from './backend/native';
import { BACKEND_CHOICES, initBackend, type BackendChoice, type BackendInfo } from './backend/select';
import { ModelSchema, type ModelConfig } from './config';
import { checkParity, type ParityResult } from './parity';

/**
 * The one place the engine starts a tfjs backend: the backend module's initBackend picks the
 * best present one (or the forced one) and installs the fast wasm/cpu kernels; then the
 * parity check runs the PRM once there and on cpu, and a backend that fails it is left for
 * the next one in auto's order, with the reason kept for the run's record.
 */
export type BackendRequest = BackendChoice;
export { BACKEND_CHOICES };

/** What a run records about the backend it trained on. */
export interface BackendReport {
  name: string;
  device: string;
  /** largest |backend − cpu| in the parity check; null on cpu, the reference itself */
  parityMaxAbsDiff: number | null;
  /** why the backend asked for (or an installed GPU one) is not the one running */
  fallback: string | null;
  notes: string[];
}

export interface BackendStartOptions {
  log?: (m: string) => void;
  /** the run's PRM config, for the parity check (default: the default compact PRM) */
  model?: ModelConfig;
  /**
   * false for work that reads results asynchronously only (training through reads.ts,
   * scoring, evaluation). The rest (CaR's selection pass, probe) reads synchronously
   * (dataSync), which tfjs-backend-webgpu cannot do in Node: it reads through an
   * OffscreenCanvas, which Node lacks.
   */
  syncReads?: boolean;
  /** tests: load the optional native packages through a mock */
  importer?: OptionalImporter;
}

/** Why the active backend cannot serve synchronous reads, or null when it can. */
function syncReadProblem(): string | null {
  // Large enough to be computed on the device: webgpu computes tiny ops on the CPU.
  const t = tf.tidy(() => tf.add(tf.fill([4096], 1), tf.fill([4096], 1)));
  try {
    t.dataSync();
    return null;
  } catch (e) {
    return `this job reads values synchronously (the CaR baseline's selection pass, probe) and this backend cannot (${errorMessage(e)}); ` +
      'training of the other methods, scoring and evaluation read asynchronously and do run on it';
  } finally {
    t.dispose();
  }
}

export async function startBackend(prefer: BackendRequest = 'auto', opts: BackendStartOptions = {}): Promise<BackendReport> {
  const { log, model, syncReads = true, importer } = opts;
  let info: BackendInfo = await initBackend(prefer, { log, importer });
  const fallbacks: string[] = info.fallback ? [info.fallback] : [];
  for (;;) {
    if (info.name === 'cpu') return report(info, null, fallbacks, log);
    const parity = await checkedParity(info.name, model ?? ModelSchema.parse({}));
    const syncProblem = parity.ok && syncReads ? syncReadProblem() : null;
    if (parity.ok && !syncProblem) return report(info, parity.maxAbsDiff, fallbacks, log);
    const why = syncProblem
      ? `${info.name} on ${info.device} passed the parity check (max |diff| ${parity.maxAbsDiff.toExponential(2)}) but ${syncProblem}`
      : `${info.name} on ${info.device} failed the parity check: ${parity.reason}`;
    log?.(`${why}; falling back to the next backend`);
    fallbacks.push(why);
    info = await initBackend(prefer, { log, importer, after: info.name });
    if (info.fallback && !fallbacks.includes(info.fallback)) fallbacks.push(info.fallback);
  }
}

/** One check per backend and model config in a process: a worker starts a backend per job. */
const checked = new Map<string, ParityResult>();

async function checkedParity(backend: string, model: ModelConfig): Promise<ParityResult> {
  const key = `${backend}|${JSON.stringify(model)}`;
  const hit = checked.get(key);
  if (hit) return hit;
  const r = await checkParity(model).catch((e: unknown): ParityResult => ({ ok: false, maxAbsDiff: Infinity, reason: errorMessage(e) }));
  checked.set(key, r);
  return r;
}

function report(info: BackendInfo, diff: number | null, fallbacks: string[], log?: (m: string) => void): BackendReport {
  for (const note of info.notes) log?.(note);
  if (diff !== null) log?.(`parity check on ${info.name}: max |diff| vs cpu ${diff.toExponential(2)}`);
  return {
    name: info.name,
    device: info.device,
    parityMaxAbsDiff: diff,
    fallback: fallbacks.length ? fallbacks.join('; ') : null,
    notes: info.notes,
  };
}
