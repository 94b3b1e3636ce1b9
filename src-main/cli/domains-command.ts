import type { Command } from 'commander';
import { setDomainExcluded, type DomainStats } from '../core/store/data-store';
import type { Db } from '../core/store/db';
import { runAction, withCommon, type CommonOptions } from './common';
import { domainIdOf } from './manage-command';

interface DomainsOptions extends CommonOptions {
  pool?: string;
}

/**
 * Keep a domain out of training (or bring it back), as the app's Domains page does: runs started
 * afterwards do not see its CoTs; stored data and earlier runs are untouched. With the sample's
 * truth this also measures what reweighting could gain at most: exclude the noisiest domains
 * and train the vanilla PRM from the same cold start for the same steps (README "The main job").
 */
export function register(program: Command): void {
  const domains = program.command('domains').description('keep domains out of training, or bring them back (the app\'s Domains page)');
  for (const [verb, excluded] of [['exclude', true], ['include', false]] as const) {
    withCommon(
      domains
        .command(verb)
        .description(excluded ? 'runs started from now on train without these domains' : 'runs started from now on train on these domains again')
        .argument('<domains...>', 'domain ids or names')
        .option('--pool <pool>', 'the pool of domains given by name'),
    ).action((names: string[], opts: DomainsOptions) =>
      runAction(opts, (db) => setExcluded(db, names, excluded, opts.pool), (changed) => renderChanged(changed)),
    );
  }
}

/** All names are resolved before anything is written: one unknown name changes nothing. */
function setExcluded(db: Db, names: string[], excluded: boolean, pool?: string): DomainStats[] {
  const ids = names.map((n) => domainIdOf(db, n, pool));
  return db.transaction(() => ids.map((id) => setDomainExcluded(db, id, excluded)))();
}

function renderChanged(changed: DomainStats[]): string {
  return changed.map((d) => `${d.name} (${d.pool} pool, ${d.cots} CoTs): ${d.excluded ? 'excluded from training' : 'included in training'}`).join('\n');
}
