/**
 * tfjs-node and tfjs-node-gpu: optionalDependencies that often cannot install (no prebuilt
 * binary, no CUDA), so they are only ever loaded by dynamic import. tfjs-node-gpu 4.22 loads
 * libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1: with any other CUDA it loads, finds
 * no GPU and quietly computes on the CPU. So a GPU is claimed only when its backend says it
 * uses one.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { errorMessage } from '../../errors';

export type NativeName = 'tfjs-node-gpu' | 'tfjs-node';

/** Loads a package by name, or null when it is not installed. Tests pass a mock. */
export type OptionalImporter = (pkg: string) => Promise<Record<string, unknown> | null>;

export type Attempt = { ok: true; version: string; threads: number; device: string } | { ok: false; reason: string };

const TFJS_VERSION = '4.22.0';

/** What to tell a person who wants each native backend. Versions: tfjs-node's README (npm). */
export const INSTALL_HINTS: Record<NativeName, string> = {
  'tfjs-node-gpu':
    `npm install @tensorflow/tfjs-node-gpu@${TFJS_VERSION} — needs Linux x64 (or Windows x64) with an ` +
    'NVIDIA GPU, driver > 450.x, CUDA Toolkit 11.2 and cuDNN SDK 8.1.0 on the library path',
  'tfjs-node':
    `npm install @tensorflow/tfjs-node@${TFJS_VERSION} — prebuilt libtensorflow for Linux x64, macOS ` +
    'and Windows x64; elsewhere it builds from source (Python and a C++ toolchain for node-gyp)',
};

export const NO_CUDA_GPU =
  '@tensorflow/tfjs-node-gpu is installed but libtensorflow found no CUDA GPU and would run on the CPU: ' +
  'it needs an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 on the library path (CUDA 12 does not do); ' +
  'the webgpu backend uses the GPU without CUDA';

export function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** The default importer: absent packages give null; a present one that fails to load throws. */
export const importInstalled: OptionalImporter = async (pkg) => {
  if (!isInstalled(pkg)) return null;
  const spec = pkg; // a computed name: bundlers and tsc leave absent optional packages alone
  return (await import(spec)) as Record<string, unknown>;
};

function nativeVersion(mod: Record<string, unknown>, pkg: string): string {
  const v = mod.version;
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)['tfjs-node'] === 'string') {
    return (v as Record<string, string>)['tfjs-node'];
  }
  return typeof v === 'string' ? v : `${pkg} (version unknown)`;
}

/** The GPU's name from nvidia-smi where it is on the path; libtensorflow only logs it. */
function cudaDeviceName(): string {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 3000 });
    const name = out.split('\n')[0].trim();
    if (name) return `CUDA GPU ${name}`;
  } catch {
    // no nvidia-smi: the name stays unknown
  }
  return 'CUDA GPU (name unknown: nvidia-smi not found)';
}

export async function tryNative(name: NativeName, importer: OptionalImporter): Promise<Attempt> {
  const pkg = `@tensorflow/${name}`;
  let mod: Record<string, unknown> | null;
  try {
    mod = await importer(pkg);
  } catch (e) {
    // Installed but the native binding does not load (e.g. CUDA libraries missing).
    return { ok: false, reason: `${pkg} is installed but failed to load: ${errorMessage(e).split('\n')[0]}` };
  }
  if (!mod) return { ok: false, reason: `${pkg} is not installed` };
  try {
    if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `${pkg} loaded but its backend did not start` };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `${pkg} loaded but its backend did not start: ${errorMessage(e)}` };
  }
  const threads = availableParallelism(); // libtensorflow sizes its intra-op pool to the machine
  if (name === 'tfjs-node') return { ok: true, version: nativeVersion(mod, pkg), threads, device: `CPU (libtensorflow, ${threads} threads)` };
  const onGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (!onGpu) return { ok: false, reason: NO_CUDA_GPU };
  return { ok: true, version: nativeVersion(mod, pkg), threads, device: cudaDeviceName() };
}

/** Which native packages are absent, without starting them (notes for a forced wasm/cpu). */
export function missingNativeNotes(): string[] {
  return (['tfjs-node-gpu', 'tfjs-node'] as const)
    .filter((name) => !isInstalled(`@tensorflow/${name}`))
    .map((name) => `@tensorflow/${name} is not installed; for a faster backend: ${INSTALL_HINTS[name]}`);
}
