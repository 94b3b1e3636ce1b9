import { configFields } from '../engine/settings';
import type { ConfigField } from './types';

/**
 * The settings the new-run form shows, in the schema's order, with a line of help each: derived
 * from the engine's config schema and its metadata (engine/settings.ts), not restated here.
 */
export const RUN_CONFIG_FIELDS: readonly ConfigField[] = configFields();
