/**
 * The metadata every leaf of the training config schema carries (zod 4 `.meta()`, stored in
 * z.globalRegistry): what the new-run form, the `train` flags and the README table show. A
 * leaf module, so that the schema files and the walk over them (settings.ts) share it without
 * importing each other.
 */
import type { Method } from '../../../src-shared/training';

/** A type alias, not an interface: zod's GlobalMeta has an index signature an interface would not satisfy. */
export type SettingMeta = {
  /** the form's label */
  label: string;
  /** one line: the form's help, the flag's help and the README's "meaning" */
  help: string;
  /** the methods that use the setting (all when absent) */
  methods?: readonly Method[];
  /** 'step-vectors': the form shows it only when the train pool's steps carry vectors */
  needs?: 'step-vectors';
  /**
   * Where the new-run form shows it: in the main grid (absent), folded under "More settings"
   * ('advanced'), or not at all (false: bookkeeping intervals, set by flag or config file).
   */
  form?: false | 'advanced';
};

export function setting(label: string, help: string, more: Omit<SettingMeta, 'label' | 'help'> = {}): SettingMeta {
  return { label, help, ...more };
}
