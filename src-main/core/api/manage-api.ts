/** Managing data in the API: deletions with their plan, browsing a domain outside runs, the runs table, run tags. */
import { z } from 'zod';
import { browseDomain, browseQuestion } from '../manage/browse';
import { deleteTarget, planDeletion } from '../manage/delete';
import { runsOverview } from '../manage/run-overview';
import { setRunTags } from '../manage/run-tags';
import { DELETION_KINDS, type DeletionKind } from '../manage/types';
import type { Db } from '../store/db';
import { id, parseArgs } from './args';
import type { EventHub } from './events';
import type { StudioApi } from './types';

export type ManageApi = Pick<
  StudioApi,
  'planDeletion' | 'deleteItem' | 'browseDomain' | 'browseQuestion' | 'runsOverview' | 'setRunTags'
>;

const target = z.object({ kind: z.enum(DELETION_KINDS as unknown as [DeletionKind, ...DeletionKind[]]), id }).strict();

export function createManageApi(db: Db, events: EventHub): ManageApi {
  return {
    async planDeletion(args) {
      return planDeletion(db, parseArgs('planDeletion', target, args));
    },

    async deleteItem(args) {
      const result = deleteTarget(db, parseArgs('deleteItem', target, args));
      if (result.target.kind === 'run') events.emit({ type: 'runs-changed' });
      return result;
    },

    async browseDomain(args) {
      const a = parseArgs(
        'browseDomain',
        z
          .object({
            domainId: id,
            offset: z.number().int().min(0).optional(),
            limit: z.number().int().min(1).max(500).optional(),
            search: z.string().max(200).nullable().optional(),
          })
          .strict(),
        args,
      );
      return browseDomain(db, a.domainId, a);
    },

    async browseQuestion(args) {
      const a = parseArgs('browseQuestion', z.object({ questionId: id }).strict(), args);
      return browseQuestion(db, a.questionId);
    },

    async runsOverview() {
      return runsOverview(db);
    },

    async setRunTags(args) {
      const a = parseArgs('setRunTags', z.object({ runId: id, tags: z.array(z.string().max(200)).max(100) }).strict(), args);
      return setRunTags(db, a.runId, a.tags);
    },
  };
}
