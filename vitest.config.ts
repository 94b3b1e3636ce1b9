import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// CI asks for a JSON report too (VITEST_JSON=path) to print a one-line summary.
const json = process.env.VITEST_JSON;

export default defineConfig({
  // The renderer's state classes (*.svelte.ts) use runes: the Svelte compiler turns them into
  // signals, as the renderer's build does. Client output: the node environment would ask for
  // server output, whose $state is a plain field.
  plugins: [svelte({ configFile: false, dynamicCompileOptions: () => ({ generate: 'client' }) })],
  test: {
    include: ['test/**/*.test.ts'],
    // Training tests are CPU-bound and tfjs misbehaves with several threads: separate forks.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Browser tests poll the page; on a busy 2-core machine a page can take longer than the 1 s default.
    expect: { poll: { timeout: 15_000 } },
    reporters: json ? ['default', 'json'] : ['default'],
    outputFile: json ? { json } : undefined,
  },
});
