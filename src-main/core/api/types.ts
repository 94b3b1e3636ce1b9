/**
 * The one typed API of DreamPRM Studio. Implemented once over the core (studio.ts) and reached
 * three ways: in-process, over Electron IPC and over HTTP + WebSocket (`dreamprm serve`).
 *
 * This file and the ones it gathers are shared with the renderer's typecheck: plain data types
 * only, no Node imports.
 * Every method takes at most one argument object, so a call is always `(method, args)`.
 *
 * The types live by area in the sibling *-types.ts files, the methods in studio-api.ts and the
 * transport in transport-types.ts; this file gathers them so importers need one path.
 */
export type { ApiError, ApiResult } from './rpc';
export type { ImportOptions, ImportSummary, Pool } from '../types';
export type * from '../explore/types';
export type * from '../annotate/types';
export type * from '../manage/types';
export { INSTANCE_SORTS, REVIEW_FILTERS } from '../explore/types';
export { DELETION_KINDS } from '../manage/types';
export type * from './data-types';
export type * from './runs-types';
export type * from './jobs-types';
export type * from './eval-types';
export * from './studio-api';
export * from './transport-types';
