/**
 * Every setting of a training run, read off the config schema (config.ts) once: its dotted key,
 * kind, bounds, choices, default and metadata (setting-meta.ts). The new-run form's fields, the
 * `train` command's flags and the README's settings table are all derived from this list, so a
 * setting added to the schema (with its `.meta()`) appears in all three.
 */
import { z } from 'zod';
import type { SettingMeta } from './setting-meta';
import { METHOD_DEFAULTS, METHODS, TrainConfigSchema, type Method } from './config';
import type { ConfigField, ConfigValue } from '../../../src-shared/runs';

export interface Setting {
  /** dotted path in the config, e.g. "upper.metaLr" */
  key: string;
  /** 'run': the id of a completed run, or null for none (the one nullable leaf) */
  kind: ConfigField['kind'];
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** the bound itself is not allowed (z.positive(), z.gt()) */
  minExclusive?: boolean;
  /** the schema's default, before any per-method default (config.ts METHOD_DEFAULTS) */
  default: ConfigValue;
  meta: SettingMeta;
}

/** `method` is no setting: it picks the run's kind (--method, the form's method list). */
const NOT_SETTINGS = new Set(['method']);

type Leaf = Omit<Setting, 'key' | 'default' | 'meta'>;

/** Kind and bounds of a leaf's inner type (below its default and nullability). */
function leafOf(inner: z.ZodType, nullable: boolean, key: string): Leaf {
  if (inner instanceof z.ZodBoolean) return { kind: 'boolean' };
  if (inner instanceof z.ZodEnum) return { kind: 'choice', choices: inner.options.map(String) };
  if (inner instanceof z.ZodNumber) {
    if (nullable) return { kind: 'run' };
    const leaf: Leaf = { kind: inner.isInt ? 'integer' : 'number' };
    // z.int() bounds itself to the safe integers: no bound worth showing.
    if (Number.isFinite(inner.minValue) && Math.abs(inner.minValue ?? 0) < Number.MAX_SAFE_INTEGER) {
      leaf.min = inner.minValue as number;
      if (!inner.safeParse(leaf.min).success) leaf.minExclusive = true;
    }
    if (Number.isFinite(inner.maxValue) && Math.abs(inner.maxValue ?? 0) < Number.MAX_SAFE_INTEGER) leaf.max = inner.maxValue as number;
    return leaf;
  }
  throw new Error(`settings: ${key} has a type the settings walk does not know`);
}

function settingOf(key: string, schema: z.ZodType): Setting {
  const meta = schema.meta() as SettingMeta | undefined;
  if (!meta?.label || !meta.help) throw new Error(`settings: ${key} has no .meta() label and help (config-sections.ts)`);
  if (!(schema instanceof z.ZodDefault)) throw new Error(`settings: ${key} has no default`);
  let inner = schema.unwrap() as z.ZodType;
  const nullable = inner instanceof z.ZodNullable;
  if (inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  return { key, ...leafOf(inner, nullable, key), default: schema.def.defaultValue as ConfigValue, meta };
}

/** Leaves of an object schema in declaration order; nested sections (behind .prefault) recurse. */
function walk(shape: Record<string, z.ZodType>, prefix: string): Setting[] {
  const out: Setting[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (NOT_SETTINGS.has(key)) continue;
    const section = schema instanceof z.ZodPrefault ? schema.unwrap() : schema;
    if (section instanceof z.ZodObject) out.push(...walk(section.shape as Record<string, z.ZodType>, key));
    else out.push(settingOf(key, schema));
  }
  return out;
}

/** Every setting, in the schema's order. */
export const SETTINGS: readonly Setting[] = walk(TrainConfigSchema.shape as Record<string, z.ZodType>, '');

/** The new-run form's fields: every setting the form shows, main ones and folded ones. */
export function configFields(): ConfigField[] {
  return SETTINGS.filter((s) => s.meta.form !== false).map((s) => {
    const f: ConfigField = { key: s.key, label: s.meta.label, kind: s.kind, help: s.meta.help };
    if (s.choices) f.choices = s.choices;
    if (s.min !== undefined) f.min = s.min;
    if (s.max !== undefined) f.max = s.max;
    if (s.meta.methods) f.methods = s.meta.methods;
    if (s.meta.needs) f.needs = s.meta.needs;
    if (s.meta.form === 'advanced') f.advanced = true;
    return f;
  });
}

/** The per-method reference defaults (config.ts METHOD_DEFAULTS) that differ from the schema's default. */
export function methodDefaults(s: Setting): Partial<Record<Method, ConfigValue>> {
  const out: Partial<Record<Method, ConfigValue>> = {};
  for (const m of METHODS) {
    let node: unknown = METHOD_DEFAULTS[m];
    for (const part of s.key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    if (node !== undefined && node !== s.default) out[m] = node as ConfigValue;
  }
  return out;
}
