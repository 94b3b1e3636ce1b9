import type { Command } from 'commander';
import { isLoopbackHost } from '../core/api/guards';
import { openStudio } from '../worker/open-studio';
import { errorMessage, UserError } from '../core/errors';
import { startServer } from '../server/server';
import { DEFAULT_RENDERER_DIR } from '../server/static-files';
import { dbPathOf, log } from './common';

interface ServeOptions {
  port: string;
  host: string;
  db?: string;
  json?: boolean;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(raw)})`);
  }
  return port;
}

/** Serves the app to a browser until Ctrl-C; the URL (token included) goes to stdout. */
async function serve(opts: ServeOptions): Promise<void> {
  const port = parsePort(opts.port);
  if (!isLoopbackHost(opts.host)) {
    log(
      `dreamprm: WARNING: serving on ${opts.host}, reachable from other machines. Anyone with the URL's token ` +
        'can read and change this database; traffic is plain HTTP. Prefer an SSH tunnel to 127.0.0.1.',
    );
  }
  const studio = openStudio({ dbPath: dbPathOf(opts) });
  let server;
  try {
    server = await startServer({ studio, host: opts.host, port, rendererDir: DEFAULT_RENDERER_DIR });
  } catch (e) {
    await studio.close();
    throw e;
  }
  const running = server;
  // The handlers are in place before the URL is printed: whoever reads it may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('dreamprm: stopping');
      void running
        .close()
        .then(() => studio.close())
        .finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(
    opts.json ? JSON.stringify({ url: running.openUrl, host: running.host, port: running.port }) + '\n' : `${running.openUrl}\n`,
  );
  log(`dreamprm: serving ${dbPathOf(opts)}; press Ctrl-C to stop`);
  await stopped;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the app to a browser: the UI and its API, guarded by a token printed with the URL')
    .option('--port <port>', 'TCP port (0: any free port)', '7777')
    .option('--host <host>', 'address to bind; anything but loopback exposes the database to the network', '127.0.0.1')
    .option('--db <path>', 'studio database (default: $DREAMPRM_HOME/studio.db)')
    .option('--json', 'print {url, host, port} as one JSON line')
    .action(async (opts: ServeOptions) => {
      try {
        await serve(opts);
      } catch (e) {
        process.stderr.write(`dreamprm: ${errorMessage(e)}\n`);
        process.exitCode = 1;
      }
    });
}
