import { Command } from 'commander';
import { COMMANDS } from './commands';

const program = new Command('dreamprm')
  .description('DreamPRM Studio: train process reward models by bi-level data reweighting')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`dreamprm: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
