/**
 * The import vocabulary moved to src-shared/data.ts, where the renderer shares it; this path
 * stays so the core's many importers need not change.
 */
export * from '../../src-shared/data';
