import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/** What tfjs passes to a kernelFunc. */
export type KernelArgs = Parameters<KernelFunc>[0];

/** A required input of a kernel, typed (tfjs's map allows undefined for optional ones). */
export function input(args: KernelArgs, kernel: string, name: string): TensorInfo {
  const t = args.inputs[name];
  if (!t) throw new Error(`${kernel}: input "${name}" is missing`);
  return t;
}

export function attrsOf(args: KernelArgs): NamedAttrMap {
  return (args.attrs ?? {}) as NamedAttrMap;
}
