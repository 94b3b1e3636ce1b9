/**
 * The one typed API of DreamPRM Studio. Implemented once over the core (studio.ts) and reached
 * three ways: in-process, over Electron IPC and over HTTP + WebSocket (`dreamprm serve`).
 *
 * This file and the ones it gathers are shared with the renderer's typecheck: plain data types
 * only, no Node imports.
 * Every method takes at most one argument object, so a call is always `(method, args)`.
 *
 * The API's own are the methods (studio-api.ts) and the transport and its events
 * (transport-types.ts). The data they carry is declared once, by area, in src-shared/ (data,
 * runs, jobs, evaluation) and in the core's explore, annotate and manage types; this file
 * gathers them all so importers need one path.
 */
export type { ApiError, ApiResult } from './rpc';
export type * from '../explore/types';
export type * from '../annotate/types';
export type * from '../manage/types';
export { INSTANCE_SORTS, REVIEW_FILTERS } from '../explore/types';
export { DELETION_KINDS } from '../manage/types';
export type * from '../../../src-shared/data';
export type * from '../../../src-shared/runs';
export type * from '../../../src-shared/jobs';
export type * from '../../../src-shared/evaluation';
export type * from '../../../src-shared/training';
export * from './studio-api';
export * from './transport-types';
