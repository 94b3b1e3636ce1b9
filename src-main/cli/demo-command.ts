import type { Command } from 'commander';
import { DEFAULT_SAMPLE_SEED, loadSampleConfig } from '../core/sample';
import { DEFAULT_DEMO_STEPS, DEMO_RUNS, runDemo, type DemoEvent, type DemoRunKey, type DemoTrainer } from '../core/demo/demo';
import { TrainingHost } from '../worker/training-host';
import { dbPathOf, intOption, log, runAction, withCommon, type CommonOptions } from './common';
import { renderDemo } from './demo-report';
import { BACKEND_HELP, parseBackend } from './train-command';

interface DemoCliOptions extends CommonOptions {
  seed: string;
  coldSteps: string;
  steps: string;
  parallel: string;
  backend?: string;
  layout?: string;
}

/** One training worker per trainer, all on the demo's database. */
export function demoTrainers(parallel: number): (dbPath: string) => DemoTrainer[] {
  return (dbPath) => Array.from({ length: parallel }, () => new TrainingHost(dbPath));
}

export function register(program: Command): void {
  withCommon(
    program
      .command('demo')
      .description(
        'the main job: the built-in sample; a uniform PRM (cold start) and its text-only ablation; from the cold start at equal compute ' +
          'the vanilla PRM continued, domain, instance-table, instance-net, the s1 and CaR baselines and the sanity check; best-of-8 on the test pool',
      )
      .option('--seed <n>', 'seed of the sample and of training', String(DEFAULT_SAMPLE_SEED))
      .option('--cold-steps <n>', 'steps of the uniform cold start', String(DEFAULT_DEMO_STEPS.coldStart))
      .option('--steps <n>', 'steps of every run that continues from the cold start', String(DEFAULT_DEMO_STEPS.continued))
      .option('--parallel <n>', 'runs trained at once, one worker each', '2')
      .option('--layout <file>', 'a sample config (JSON) to use instead of the built-in layout')
      .option('--backend <name>', BACKEND_HELP, 'auto'),
  ).action((opts: DemoCliOptions) =>
    runAction(
      { ...opts, db: ':memory:' }, // runDemo opens the real database itself (its workers share it)
      () => {
        const display = new ProgressDisplay();
        const dbPath = dbPathOf(opts);
        return runDemo(dbPath, {
          seed: intOption('--seed', opts.seed, 0)!,
          sampleConfig: opts.layout ? loadSampleConfig(opts.layout) : undefined,
          steps: { coldStart: intOption('--cold-steps', opts.coldSteps, 1)!, continued: intOption('--steps', opts.steps, 1)! },
          trainers: demoTrainers(intOption('--parallel', opts.parallel, 1)!)(dbPath),
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
        this.update(e.key, `${e.key.padEnd(18)} run ${e.runId} starting`);
        break;
      case 'run-progress':
        this.progress(e.key, e);
        break;
      case 'run-done':
        this.update(e.key, `${e.key.padEnd(18)} run ${e.outcome.runId} trained in ${e.outcome.seconds.toFixed(1)} s`);
        break;
      case 'evaluated':
        this.update(e.key, `${e.key.padEnd(18)} evaluated (evaluation ${e.evaluationId})`);
        break;
    }
  }

  private progress(key: DemoRunKey, e: Extract<DemoEvent, { type: 'run-progress' }>): void {
    const p = e.progress;
    const f = p.totalSteps ? p.step / p.totalSteps : 0;
    const eta = p.etaSeconds == null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
    const loss = p.trainLoss == null ? '' : ` loss ${p.trainLoss.toFixed(4)}`;
    const quarter = Math.floor(f * 4);
    if (this.tty || quarter > (this.reported.get(key) ?? -1)) {
      this.reported.set(key, quarter);
      this.update(key, `${key.padEnd(18)} run ${p.runId} ${bar(f)} ${p.step}/${p.totalSteps}${loss}${eta}`);
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
