import type { Command } from 'commander';

/** Each CLI command registers itself here; one line per command module. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [];
