/**
 * The webgpu backend: tfjs-backend-webgpu on Dawn, Chrome's WebGPU implementation, loaded as a
 * Node addon (npm `webgpu`). Dawn drives the GPU through Vulkan (Linux, Windows), Metal (macOS)
 * or D3D12 (Windows), so it needs no CUDA version, unlike tfjs-node-gpu.
 *
 * tfjs-backend-webgpu registers itself at import time only if `navigator.gpu` exists, so the
 * Dawn globals and `navigator.gpu` are set first and the backend module is imported after.
 * Both packages are loaded by dynamic import: the addon must stay out of the bundle (Electron
 * loads it unpacked from the asar) and a machine without it still trains on the others.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errorMessage } from '../../errors';

/** What Dawn says about the adapter tfjs will use. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a CPU implementation of WebGPU (SwiftShader, lavapipe, WARP): correct, but slower than wasm */
  software: boolean;
}

export type WebgpuProbe = { ok: true; adapter: AdapterDescription; version: string } | { ok: false; reason: string };

/** How a person gets a software adapter for tests: Debian's chromium ships SwiftShader. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const NO_ADAPTER_HINT =
  'Dawn found no WebGPU adapter: it needs a GPU driver with Vulkan (Linux: the Vulkan loader libvulkan1 and ' +
  "the card's Vulkan driver; Windows: any current driver, D3D12 works too) or Metal (macOS). Without a GPU, a " +
  `software adapter for testing: VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (Debian's chromium package) and XDG_RUNTIME_DIR set`;

type Gpu = { requestAdapter(opts?: object): Promise<GpuAdapter | null> };
type GpuAdapter = { info?: Record<string, unknown>; isFallbackAdapter?: boolean };

let gpu: Gpu | null = null;
let loaded = false;

/** Dynamic import by a computed name, so bundlers and tsc leave the addon to run time. */
async function importByName(pkg: string): Promise<Record<string, unknown>> {
  const spec = pkg;
  return (await import(spec)) as Record<string, unknown>;
}

/** Installs Dawn's WebGPU globals and navigator.gpu once per thread. */
async function dawnGpu(): Promise<Gpu> {
  if (gpu) return gpu;
  const dawn = await importByName('webgpu');
  const create = dawn.create as (flags: string[]) => Gpu;
  Object.assign(globalThis, dawn.globals as object);
  gpu = create([]);
  const g = globalThis as { navigator?: Record<string, unknown> };
  // Node 21+ (Electron's) has a read-only navigator without gpu; Node 20 has none.
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|microsoft basic render|\bwarp\b|software/i;

export function describeAdapter(adapter: GpuAdapter): AdapterDescription {
  const info = adapter.info ?? {};
  const text = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
  const d = {
    vendor: text('vendor'),
    architecture: text('architecture'),
    device: text('device'),
    description: text('description'),
  };
  const fallback = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  return { ...d, software: fallback || SOFTWARE.test(Object.values(d).join(' ')) };
}

/** One line for logs, the run record and the status bar. */
export function adapterLabel(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = [a.device, a.description].filter(Boolean).join(', ');
  return `${name}${detail ? ` (${detail})` : ''}${a.software ? ', software' : ''}`;
}

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * Linux: why Dawn cannot find a Vulkan device, without loading it, or null when it may. Dawn
 * writes its own warnings to stderr when it finds none, so `auto` does not load it on a
 * machine with no Vulkan driver at all (CI, most servers).
 */
export function missingVulkanDriver(): string | null {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return null;
  const icds = ICD_DIRS.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')));
  return icds.length ? null : `no Vulkan driver is installed (no ICD file in ${ICD_DIRS.join(', ')}), so WebGPU has no GPU here`;
}

/**
 * Finds the adapter tfjs-backend-webgpu will take (it asks for 'high-performance') and makes
 * the backend module register. Does not switch tfjs to it.
 */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  let adapter: GpuAdapter | null;
  try {
    adapter = await (await dawnGpu()).requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `the webgpu package (Dawn) did not load: ${errorMessage(e).split('\n')[0]}` };
  }
  if (!adapter) return { ok: false, reason: NO_ADAPTER_HINT };
  if (!loaded) {
    try {
      await importByName('@tensorflow/tfjs-backend-webgpu');
      loaded = true;
    } catch (e) {
      return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu did not load: ${errorMessage(e).split('\n')[0]}` };
    }
  }
  return { ok: true, adapter: describeAdapter(adapter), version: versions() };
}

/** tfjs-backend-webgpu exports no version: read both packages' manifests. */
function versions(): string {
  const require = createRequire(import.meta.url);
  const v = (pkg: string) => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  return `${v('@tensorflow/tfjs-backend-webgpu')} (Dawn: webgpu ${v('webgpu')})`;
}
