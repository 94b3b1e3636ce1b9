import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI as a user would; resolves with its exit code, stdout and stderr. The
 * environment has no API key or server unless `env` adds them.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (c: ChildProcess) => void): Promise<CliResult> {
  return new Promise((done) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DREAMPRM_API_KEY: '', OPENAI_API_KEY: '', DREAMPRM_BASE_URL: '', OPENAI_BASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (b: Buffer) => (stdout += b));
    c.stderr!.on('data', (b: Buffer) => (stderr += b));
    c.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
    onSpawn?.(c);
  });
}
