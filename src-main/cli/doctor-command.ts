import type { Command } from 'commander';
import { examine, type DoctorReport } from '../core/store/doctor';
import { dbPathOf, withCommon, type CommonOptions } from './common';

const MARK = { ok: 'ok   ', warn: 'warn ', error: 'ERROR' } as const;

/** `dreamprm doctor`: checks a database without changing it; exit 1 when it cannot be trusted. */
export function register(program: Command): void {
  withCommon(
    program.command('doctor').description('check a database without changing it: damage, schema version, broken references, missing images, backups'),
  ).action((opts: CommonOptions) => {
    const report = examine(dbPathOf(opts));
    process.stdout.write((opts.json ? JSON.stringify(report) : renderDoctor(report)) + '\n');
    if (report.verdict === 'error') process.exitCode = 1;
  });
}

export function renderDoctor(r: DoctorReport): string {
  const lines = [`${r.path}${r.schemaVersion === null ? '' : ` (schema version ${r.schemaVersion})`}, checked in ${r.seconds.toFixed(2)} s`];
  for (const c of r.checks) {
    lines.push(`  ${MARK[c.status]}  ${c.name}: ${c.detail}`);
    if (c.advice) lines.push(`         what to do: ${c.advice}`);
  }
  if (r.backups.length) {
    lines.push('Backups kept before schema upgrades:');
    for (const b of r.backups) lines.push(`  ${b.path} (${(b.bytes / 1e6).toFixed(1)} MB, ${b.modifiedAt})`);
  }
  const verdicts = { ok: 'healthy', warn: 'usable (see the warnings)', error: 'NOT usable as it is (see ERROR)' };
  lines.push(`Verdict: ${verdicts[r.verdict]}.`);
  return lines.join('\n');
}
