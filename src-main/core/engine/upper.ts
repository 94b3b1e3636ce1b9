import { DomainTable, UniformWeighting } from './domain-weighting';
import { InstanceNet } from './instance-net';
import { InstanceTable } from './instance-table';
import type { Weighting, WeightingContext } from './weighting';

/** The upper level's weighting for the config's method (see weighting.ts). */
export function createWeighting(ctx: WeightingContext): Weighting {
  switch (ctx.config.method) {
    case 'uniform':
    case 's1':
    case 'car':
      return new UniformWeighting(ctx.config.method, ctx.domainCount);
    case 'domain':
      return new DomainTable(ctx);
    case 'instance-table':
      return new InstanceTable(ctx);
    case 'instance-net':
      return new InstanceNet(ctx);
  }
}
