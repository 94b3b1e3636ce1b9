/** Settings and annotation in the API: the annotator's name, labels, undo, promotion to meta, export. */
import { z } from 'zod';
import { annotate, annotationStats, exportJsonl, undoLastAnnotation } from '../annotate/annotations';
import { promoteToMeta } from '../annotate/promote';
import { getSettings, MAX_NAME, setSettings } from '../annotate/settings';
import type { Db } from '../store/db';
import { id, parseArgs } from './args';
import type { StudioApi } from './types';

export type AnnotateApi = Pick<
  StudioApi,
  'getSettings' | 'setSettings' | 'annotate' | 'undoAnnotation' | 'annotationStats' | 'promoteToMeta' | 'exportAnnotations'
>;

const label = z.union([z.literal(0), z.literal(1), z.null()]);

export function createAnnotateApi(db: Db): AnnotateApi {
  return {
    async getSettings() {
      return getSettings(db);
    },

    async setSettings(args) {
      const a = parseArgs('setSettings', z.object({ annotator: z.string().max(MAX_NAME * 4).nullable() }).strict(), args);
      return setSettings(db, a);
    },

    async annotate(args) {
      const a = parseArgs(
        'annotate',
        z.object({ cotId: id, stepIdx: z.number().int().min(0).nullable().optional(), value: label }).strict(),
        args,
      );
      return annotate(db, a);
    },

    async undoAnnotation() {
      return undoLastAnnotation(db);
    },

    async annotationStats(args) {
      const a = parseArgs('annotationStats', z.object({ recent: z.number().int().min(0).max(1000).optional() }).strict(), args);
      return annotationStats(db, a.recent ?? 20);
    },

    async promoteToMeta(args) {
      const a = parseArgs('promoteToMeta', z.object({ cotIds: z.array(id).max(100_000).optional() }).strict(), args);
      return promoteToMeta(db, { cotIds: a.cotIds });
    },

    async exportAnnotations(args) {
      const a = parseArgs('exportAnnotations', z.object({ all: z.boolean().optional() }).strict(), args);
      return exportJsonl(db, { all: a.all });
    },
  };
}
