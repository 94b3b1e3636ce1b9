import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeWebgpu, SWIFTSHADER_ICD } from '../../src-main/core/engine/backend/webgpu';

/**
 * Points Dawn at SwiftShader (a software Vulkan device from Debian's chromium package) unless
 * the environment already names a Vulkan driver, then asks Dawn for an adapter. Must run
 * before anything else creates Dawn's instance in this process: the Vulkan loader reads
 * VK_ICD_FILENAMES then. Returns why the webgpu tests must skip, or null.
 */
export async function useSoftwareGpu(): Promise<string | null> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'dreamprm-xdg-'));
  const probe = await probeWebgpu();
  if (probe.ok) return null;
  const why = `webgpu tests skipped: no WebGPU adapter could be created (${probe.reason})`;
  console.warn(why);
  return why;
}
