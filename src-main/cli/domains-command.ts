import type { Command } from 'commander';
import type { StudioApi } from '../core/api/studio-api';
import type { DomainInfo } from '../../src-shared/data';
import { withCommon, withStudio, type CommonOptions } from './common';
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
      withStudio(opts, (api) => setExcluded(api, names, excluded, opts.pool), renderChanged),
    );
  }
}

/** All names are resolved before anything is written: one unknown name changes nothing. */
async function setExcluded(api: StudioApi, names: string[], excluded: boolean, pool?: string): Promise<DomainInfo[]> {
  const ids: number[] = [];
  for (const n of names) ids.push(await domainIdOf(api, n, pool));
  const changed: DomainInfo[] = [];
  for (const domainId of ids) changed.push(await api.setDomainExcluded({ domainId, excluded }));
  return changed;
}

function renderChanged(changed: DomainInfo[]): string {
  return changed.map((d) => `${d.name} (${d.pool} pool, ${d.cots} CoTs): ${d.excluded ? 'excluded from training' : 'included in training'}`).join('\n');
}
