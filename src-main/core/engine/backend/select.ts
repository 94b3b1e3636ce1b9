/**
 * Picks the tfjs backend at run time — tfjs-node-gpu on a CUDA GPU, webgpu on a hardware
 * adapter, tfjs-node, wasm, cpu — or the one the user forces, installs our fast kernels on
 * wasm/cpu, and says what a faster backend would need. A software WebGPU adapter (SwiftShader)
 * is correct but slower than wasm, so it is used only when webgpu is asked for by name.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '../../../../src-shared/training';
import { UserError, errorMessage } from '../../errors';
import { installGradientFixes } from './matmul-grad';
import { INSTALL_HINTS, NO_CUDA_GPU, importInstalled, missingNativeNotes, tryNative, type Attempt, type OptionalImporter } from './native';
import { registerFastKernels, unregisterFastKernels, type FastBackend } from './register';
import { adapterLabel, missingVulkanDriver, probeWebgpu } from './webgpu';
import { installWebgpuKernels } from './webgpu-kernels';

export { BACKEND_CHOICES, INSTALL_HINTS, type BackendChoice };
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** which of our backends runs: tfjs-node-gpu | webgpu | tfjs-node | wasm | cpu */
  name: BackendName;
  /** version of the package that provides it */
  version: string;
  threads: number;
  /** what computes: the CUDA GPU, the WebGPU adapter (vendor, architecture, description) or the CPU */
  device: string;
  /** kernels of ours registered on it (see register.ts) */
  fastKernels: string[];
  /** what is missing for a faster backend, and how to get it */
  notes: string[];
  /** why a backend that was asked for, or is installed for its GPU, is not the one running */
  fallback: string | null;
}

export interface InitOptions {
  /**
   * wasm: XNNPACK threads. Only tfjs's threaded build uses them, and in Node tfjs loads the
   * single-threaded SIMD build. Measured on this shared 2-core machine with our kernels,
   * 2 threads were never better than 1 and often worse, so it is not wired in; asking for
   * more than 1 thread adds a note saying so.
   */
  threads?: number;
  log?: (msg: string) => void;
  /** false: keep tfjs's stock kernels (for before/after measurements). Default true. */
  fastKernels?: boolean;
  /** start from the backend after this one in auto's order (a failed parity check falls back) */
  after?: BackendName;
  /** tests: load the optional native packages through a mock */
  importer?: OptionalImporter;
}

/** tfjs backend names registered by each package */
const TF_NAME: Record<BackendName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  webgpu: 'webgpu',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

export const ORDER: BackendName[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];

let current: { key: string; info: BackendInfo } | null = null;
let wasmPathsSet = false;

export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

async function tryWasm(threads: number | undefined): Promise<Attempt> {
  try {
    if (!wasmPathsSet) {
      // In Node the .wasm files are read from disk: point tfjs at the package's dist folder.
      setWasmPaths(wasmDistDir());
      wasmPathsSet = true;
    }
    if (threads !== undefined) setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'the wasm backend did not start' };
    await tf.ready();
    const n = getThreadsCount();
    return { ok: true, version: version_wasm, threads: n, device: `CPU (WebAssembly SIMD, ${n} thread${n > 1 ? 's' : ''})` };
  } catch (e) {
    return { ok: false, reason: `the wasm backend did not start: ${errorMessage(e)}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend did not start' };
  await tf.ready();
  return { ok: true, version: tf.version_core, threads: 1, device: 'CPU (JavaScript)' };
}

/** webgpu: a software adapter only when asked for by name (`byName`). */
async function tryWebgpu(byName: boolean): Promise<Attempt> {
  const noDriver = byName ? null : missingVulkanDriver();
  if (noDriver) return { ok: false, reason: noDriver };
  const probe = await probeWebgpu();
  if (!probe.ok) return probe;
  const device = adapterLabel(probe.adapter);
  if (probe.adapter.software && !byName) {
    return { ok: false, reason: `the WebGPU adapter is a software one (${device}), slower than wasm: used only with --backend webgpu` };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: `the webgpu backend did not start on ${device}` };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `the webgpu backend did not start on ${device}: ${errorMessage(e)}` };
  }
  return { ok: true, version: probe.version, threads: 1, device };
}

function attempt(name: BackendName, byName: boolean, opts: InitOptions): Promise<Attempt> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') return tryNative(name, opts.importer ?? importInstalled);
  if (name === 'webgpu') return tryWebgpu(byName);
  if (name === 'wasm') return tryWasm(opts.threads);
  return tryCpu();
}

function forcedError(name: BackendName, reason: string): UserError {
  const fix =
    name === 'tfjs-node-gpu' || name === 'tfjs-node'
      ? `Install it: ${INSTALL_HINTS[name]}.`
      : name === 'webgpu'
        ? 'See "Training on a GPU" in the README.'
        : name === 'wasm'
          ? 'Reinstall @tensorflow/tfjs-backend-wasm (its dist/*.wasm files must be readable).'
          : 'Reinstall @tensorflow/tfjs.';
  return new UserError(`Backend "${name}" was asked for but is not available: ${reason}. ${fix} ` +
    `Or choose another with --backend (${ORDER.join(', ')}, or auto).`);
}

/** The backends to try, in order, for a choice (and after a backend that failed its check). */
function candidatesFor(prefer: BackendChoice, after: BackendName | undefined): BackendName[] {
  if (after) return ORDER.slice(ORDER.indexOf(after) + 1);
  return prefer === 'auto' ? ORDER : [prefer];
}

/**
 * Starts the best backend present (or `prefer`), with our kernels on wasm/cpu. A second call
 * with the same choice and options returns the same info without touching tfjs.
 */
export async function initBackend(prefer: BackendChoice = 'auto', opts: InitOptions = {}): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(prefer)) {
    throw new UserError(`Unknown backend "${String(prefer)}": choose one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  const useFast = opts.fastKernels !== false;
  const key = `${prefer}|${opts.threads ?? ''}|${useFast}|${opts.after ?? ''}`;
  if (current && current.key === key && tf.getBackend() === TF_NAME[current.info.name]) return { ...current.info };
  const log = opts.log ?? (() => {});
  const notes: string[] = [];
  let fallback: string | null = null;
  let candidates = candidatesFor(prefer, opts.after);
  for (let i = 0; i < candidates.length; i++) {
    const name = candidates[i];
    const byName = prefer === name && !opts.after;
    const r = await attempt(name, byName, opts);
    if (!r.ok) {
      // An installed tfjs-node-gpu without a usable GPU is a fallback, asked for or not.
      if (r.reason === NO_CUDA_GPU) fallback = r.reason;
      if (byName && r.reason !== NO_CUDA_GPU) throw forcedError(name, r.reason);
      if (byName) candidates = [name, ...ORDER.slice(ORDER.indexOf(name) + 1)];
      notes.push(name === 'tfjs-node-gpu' || name === 'tfjs-node' ? `${r.reason}; for a faster backend: ${INSTALL_HINTS[name]}` : r.reason);
      log(`backend ${name} unavailable: ${r.reason}`);
      continue;
    }
    const info = finish(name, r, prefer, opts, notes, fallback);
    current = { key, info };
    log(`backend ${name} ${r.version} on ${r.device}${info.fastKernels.length ? `, fast kernels: ${info.fastKernels.join(', ')}` : ''}`);
    return { ...info };
  }
  throw new UserError('No tfjs backend could start (tried ' + candidates.join(', ') + '): ' + notes.join('; '));
}

/** Our kernels and the notes for the backend that started. */
function finish(
  name: BackendName,
  r: Extract<Attempt, { ok: true }>,
  prefer: BackendChoice,
  opts: InitOptions,
  notes: string[],
  fallback: string | null,
): BackendInfo {
  installGradientFixes();
  let fastKernels: string[] = [];
  if (name === 'webgpu') fastKernels = installWebgpuKernels();
  if (name === 'wasm' || name === 'cpu') {
    if (opts.fastKernels !== false) fastKernels = registerFastKernels(name as FastBackend);
    else unregisterFastKernels(name as FastBackend);
    if (prefer !== 'auto') notes.push(...missingNativeNotes());
  }
  if (name === 'cpu') {
    notes.push('the cpu backend is the slowest; the wasm backend (@tensorflow/tfjs-backend-wasm) is several times faster');
  }
  if (name === 'wasm' && (opts.threads ?? 1) > r.threads) {
    notes.push(`${opts.threads} wasm threads asked for, ${r.threads} used: in Node tfjs runs its single-threaded SIMD build`);
  }
  if (name === 'webgpu' && /, software$/.test(r.device)) {
    notes.push('the WebGPU adapter is a software one: results are right but it is slower than the wasm backend');
  }
  return { name, version: r.version, threads: r.threads, device: r.device, fastKernels, notes, fallback };
}

/** The backend initBackend last started, if any. */
export function currentBackend(): BackendInfo | null {
  return current ? { ...current.info } : null;
}
