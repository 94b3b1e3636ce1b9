/**
 * Picks the tfjs backend at run time — tfjs-node-gpu, then tfjs-node, then wasm, then cpu —
 * or the one the user forces, installs our fast kernels on wasm/cpu, and says what a faster
 * backend would need. The native packages are optionalDependencies that often cannot
 * install (no prebuilt binary, no CUDA), so they are only ever loaded by dynamic import.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { UserError, errorMessage } from '../../errors';
import { installGradientFixes } from './matmul-grad';
import { registerFastKernels, unregisterFastKernels, type FastBackend } from './register';

export const BACKEND_CHOICES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** which of our backends runs: tfjs-node-gpu | tfjs-node | wasm | cpu */
  name: BackendName;
  /** version of the package that provides it */
  version: string;
  threads: number;
  /** kernels of ours registered on it (see register.ts) */
  fastKernels: string[];
  /** what is missing for a faster backend, and how to get it */
  notes: string[];
}

export interface InitOptions {
  /**
   * wasm: XNNPACK threads. Only tfjs's threaded build uses them, and in Node tfjs loads the
   * single-threaded SIMD build. Its threaded build can be started in Node (write its worker
   * script to a file, point mainScriptUrlOrBlob at the module file, and report twice the
   * cores, since it caps threads at cores/2; it also spawns 8 workers at start, ≈1.6 s).
   * Measured on this shared 2-core machine with our kernels, 2 threads vs 1 (GFLOP/s, 3 runs):
   * [2304,192]·[192,64] 10–14 vs 12–36; [192,2304]ᵀ·[2304,64] 11–23 vs 28–34;
   * [4096,64]·[64,64] 9–20 vs 30–33; 1024³ 24–29 vs 29–40 — never better, often worse, so it
   * is not wired in; asking for more than 1 thread adds a note saying so.
   */
  threads?: number;
  log?: (msg: string) => void;
  /** false: keep tfjs's stock kernels (for before/after measurements). Default true. */
  fastKernels?: boolean;
}

const TFJS_VERSION = '4.22.0';

/** What to tell a person who wants each native backend. Versions: tfjs-node's README (npm). */
export const INSTALL_HINTS: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu':
    `npm install @tensorflow/tfjs-node-gpu@${TFJS_VERSION} — needs Linux x64 (or Windows x64) with an ` +
    'NVIDIA GPU, driver > 450.x, CUDA Toolkit 11.2 and cuDNN SDK 8.1.0 on the library path',
  'tfjs-node':
    `npm install @tensorflow/tfjs-node@${TFJS_VERSION} — prebuilt libtensorflow for Linux x64, macOS ` +
    'and Windows x64; elsewhere it builds from source (Python and a C++ toolchain for node-gyp)',
};

/** tfjs backend names registered by each package */
const TF_NAME: Record<BackendName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const ORDER: BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

let current: { key: string; info: BackendInfo } | null = null;
let wasmPathsSet = false;

/** Dynamic import by a computed name, so bundlers and tsc leave absent optional packages alone. */
async function importOptional(pkg: string): Promise<Record<string, unknown>> {
  const spec = pkg;
  return (await import(spec)) as Record<string, unknown>;
}

function nativeVersion(mod: Record<string, unknown>, pkg: string): string {
  const v = mod.version;
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)['tfjs-node'] === 'string') {
    return (v as Record<string, string>)['tfjs-node'];
  }
  return typeof v === 'string' ? v : `${pkg} (version unknown)`;
}

export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

type Attempt = { ok: true; version: string; threads: number } | { ok: false; reason: string };

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<Attempt> {
  const pkg = `@tensorflow/${name}`;
  if (!isInstalled(pkg)) return { ok: false, reason: `${pkg} is not installed` };
  let mod: Record<string, unknown>;
  try {
    mod = await importOptional(pkg);
  } catch (e) {
    // Installed but the native binding does not load (e.g. CUDA libraries missing).
    return { ok: false, reason: `${pkg} is installed but failed to load: ${errorMessage(e).split('\n')[0]}` };
  }
  try {
    if (!(await tf.setBackend(TF_NAME[name]))) return { ok: false, reason: `${pkg} loaded but its backend did not start` };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `${pkg} loaded but its backend did not start: ${errorMessage(e)}` };
  }
  // libtensorflow sizes its intra-op pool to the machine.
  return { ok: true, version: nativeVersion(mod, pkg), threads: availableParallelism() };
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
    return { ok: true, version: version_wasm, threads: getThreadsCount() };
  } catch (e) {
    return { ok: false, reason: `the wasm backend did not start: ${errorMessage(e)}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend did not start' };
  await tf.ready();
  return { ok: true, version: tf.version_core, threads: 1 };
}

function attempt(name: BackendName, opts: InitOptions): Promise<Attempt> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') return tryNative(name);
  if (name === 'wasm') return tryWasm(opts.threads);
  return tryCpu();
}

function forcedError(name: BackendName, reason: string): UserError {
  const fix =
    name === 'tfjs-node-gpu' || name === 'tfjs-node'
      ? `Install it: ${INSTALL_HINTS[name]}.`
      : name === 'wasm'
        ? 'Reinstall @tensorflow/tfjs-backend-wasm (its dist/*.wasm files must be readable).'
        : 'Reinstall @tensorflow/tfjs.';
  return new UserError(`Backend "${name}" was asked for but is not available: ${reason}. ${fix} ` +
    `Or choose another with --backend (${ORDER.join(', ')}, or auto).`);
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
  const key = `${prefer}|${opts.threads ?? ''}|${useFast}`;
  if (current && current.key === key && tf.getBackend() === TF_NAME[current.info.name]) return { ...current.info };
  const log = opts.log ?? (() => {});
  const notes: string[] = [];
  const candidates = prefer === 'auto' ? ORDER : [prefer];
  for (const name of candidates) {
    const r = await attempt(name, opts);
    if (!r.ok) {
      if (prefer !== 'auto') throw forcedError(name, r.reason);
      if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
        notes.push(`${r.reason}; for a faster backend: ${INSTALL_HINTS[name]}`);
      } else {
        notes.push(r.reason);
      }
      log(`backend ${name} unavailable: ${r.reason}`);
      continue;
    }
    installGradientFixes();
    let fastKernels: string[] = [];
    if (name === 'wasm' || name === 'cpu') {
      if (useFast) fastKernels = registerFastKernels(name as FastBackend);
      else unregisterFastKernels(name as FastBackend);
    }
    if (prefer !== 'auto' && (name === 'wasm' || name === 'cpu')) {
      notes.push(...missingNativeNotes());
    }
    if (name === 'cpu') {
      notes.push('the cpu backend is the slowest; the wasm backend (@tensorflow/tfjs-backend-wasm) is several times faster');
    }
    if (name === 'wasm' && (opts.threads ?? 1) > r.threads) {
      notes.push(`${opts.threads} wasm threads asked for, ${r.threads} used: in Node tfjs runs its single-threaded SIMD build`);
    }
    const info: BackendInfo = { name, version: r.version, threads: r.threads, fastKernels, notes };
    current = { key, info };
    log(`backend ${name} ${r.version}, ${r.threads} thread(s)${fastKernels.length ? `, fast kernels: ${fastKernels.join(', ')}` : ''}`);
    return { ...info };
  }
  throw new UserError('No tfjs backend could start (tried ' + candidates.join(', ') + '): ' + notes.join('; '));
}

function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Which native packages are absent, without starting them (notes for a forced wasm/cpu). */
function missingNativeNotes(): string[] {
  return (['tfjs-node-gpu', 'tfjs-node'] as const)
    .filter((name) => !isInstalled(`@tensorflow/${name}`))
    .map((name) => `@tensorflow/${name} is not installed; for a faster backend: ${INSTALL_HINTS[name]}`);
}

/** The backend initBackend last started, if any. */
export function currentBackend(): BackendInfo | null {
  return current ? { ...current.info } : null;
}
