import type { Command } from 'commander';
import { DEFAULT_SAMPLE_SEED } from '../core/sample';
import { DEMO_RUNS, runDemo, type DemoEvent, type DemoResult, type DemoRunKey } from '../core/demo/demo';
import { dbPathOf, intOption, log, runAction, withCommon, type CommonOptions } from './common';
import { table } from './eval-command';
import { parseBackend } from './train-command';

interface DemoCliOptions extends CommonOptions {
  seed: string;
  steps?: string;
  parallel: string;
  backend?: string;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('demo')
      .description('the main job: generate and import the built-in sample, train uniform, text-only, domain, instance-table and instance-net PRMs, evaluate best-of-8')
      .option('--seed <n>', 'seed of the sample and of training', String(DEFAULT_SAMPLE_SEED))
      .option('--steps <n>', 'training steps per run (default: the engine default)')
      .option('--parallel <n>', 'runs trained at once, one worker each', '2')
      .option('--backend <name>', 'tfjs backend (auto | wasm | cpu | tfjs-node | tfjs-node-gpu)', 'auto'),
  ).action((opts: DemoCliOptions) =>
    runAction(
      { ...opts, db: ':memory:' }, // runDemo opens the real database itself (its workers share it)
      () => {
        const display = new ProgressDisplay();
        return runDemo(dbPathOf(opts), {
          seed: intOption('--seed', opts.seed, 0),
          steps: intOption('--steps', opts.steps, 1),
          parallel: intOption('--parallel', opts.parallel, 1),
          backend: parseBackend(opts.backend),
          onEvent: (e) => display.on(e),
        }).finally(() => display.close());
      },
      renderDemo,
    ),
  );
}

/** Progress on stderr: redrawn in place on a terminal, a line per quarter of a run otherwise. */
class ProgressDisplay {
  private readonly tty = process.stderr.isTTY === true;
  private readonly lines = new Map<DemoRunKey, string>();
  private readonly reported = new Map<DemoRunKey, number>();
  private drawn = 0;

  on(e: DemoEvent): void {
    switch (e.type) {
      case 'phase':
        this.clear();
        log(`== ${e.message}`);
        break;
      case 'sample':
        if (this.tty) process.stderr.write(`\r${e.phase} ${bar(e.fraction)}`);
        if (e.fraction >= 1) process.stderr.write(this.tty ? '\n' : `${e.phase} done\n`);
        break;
      case 'run-started':
        this.update(e.key, `${e.key.padEnd(15)} run ${e.runId} starting`);
        break;
      case 'run-progress': {
        const p = e.progress;
        const f = p.totalSteps ? p.step / p.totalSteps : 0;
        const eta = p.etaSeconds == null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
        const loss = p.trainLoss == null ? '' : ` loss ${p.trainLoss.toFixed(4)}`;
        const text = `${e.key.padEnd(15)} run ${p.runId} ${bar(f)} ${p.step}/${p.totalSteps}${loss}${eta}`;
        const quarter = Math.floor(f * 4);
        if (this.tty || quarter > (this.reported.get(e.key) ?? -1)) {
          this.reported.set(e.key, quarter);
          this.update(e.key, text);
        }
        break;
      }
      case 'run-done':
        this.update(e.key, `${e.key.padEnd(15)} run ${e.outcome.runId} done in ${e.outcome.seconds.toFixed(1)} s`);
        break;
      case 'evaluated':
        log(`evaluated ${e.key} (evaluation ${e.evaluationId})`);
        break;
    }
  }

  private update(key: DemoRunKey, text: string): void {
    this.lines.set(key, text);
    if (!this.tty) return log(text);
    if (this.drawn) process.stderr.write(`\x1b[${this.drawn}A`);
    const all = DEMO_RUNS.filter((k) => this.lines.has(k)).map((k) => `\x1b[2K${this.lines.get(k)}`);
    process.stderr.write(all.join('\n') + '\n');
    this.drawn = all.length;
  }

  private clear(): void {
    this.lines.clear();
    this.drawn = 0;
  }

  close(): void {
    this.clear();
  }
}

function bar(f: number, width = 20): string {
  const n = Math.round(Math.min(1, Math.max(0, f)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export function renderDemo(r: DemoResult): string {
  const cols = ['pass@1', 'self-consistency', 'oracle', ...DEMO_RUNS];
  const benchmarks = Object.keys(r.bon).filter((b) => b !== 'average').sort();
  const rows = [...benchmarks, 'average'].map((b) => [b, ...cols.map((c) => (r.bon[b][c] ?? NaN).toFixed(1))]);
  const domains = Object.keys(r.truthQuality).sort((a, b) => r.truthQuality[b] - r.truthQuality[a]);
  return [
    `DreamPRM demo, seed ${r.seed}: best-of-8 accuracy (%) on the test pool, log-odds aggregation`,
    table([['benchmark', ...cols], ...rows]),
    '',
    `learned domain weights (domain run ${r.runs.domain.runId}) beside true label quality: Spearman ${r.spearman ?? '—'}`,
    table([['domain', 'weight', 'quality'], ...domains.map((d) => [d, r.domainWeights[d].toFixed(3), r.truthQuality[d].toFixed(3)])]),
    '',
    `runs: ${DEMO_RUNS.map((k) => `${k} ${r.runs[k].runId} (${r.runs[k].seconds.toFixed(0)} s)`).join(', ')}`,
    `wall time ${r.seconds.toFixed(0)} s on the ${r.backend} backend; open them in the app: npm start, or dreamprm serve`,
  ].join('\n');
}
