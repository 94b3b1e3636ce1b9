import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { contentSecurityPolicy } from './src-main/core/api/guards';
import { IMAGE_SCHEME } from './src-main/core/api/types';

/**
 * The page's Content-Security-Policy as a meta tag: it applies wherever the renderer is loaded
 * (file:// in Electron, where no response headers exist; `dreamprm serve`; the dev server).
 */
function cspMeta(): Plugin {
  return {
    name: 'dreamprm-csp-meta',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const csp = contentSecurityPolicy({
          imageSources: [`${IMAGE_SCHEME}:`, 'blob:'],
          dev: Boolean(ctx.server),
          meta: true,
        });
        return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: csp }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// Folders are the product owner's layout: src-main (Node side), src-renderer (web side).
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          main: resolve('src-main/electron/main.ts'),
          'training-worker': resolve('src-main/worker/training-worker.ts'),
        },
        // Loaded at run time by the training worker, never bundled: Dawn is a native addon
        // (unpacked from the asar, see resources/electron-builder.yml), and the webgpu backend
        // must register with the same tfjs-core instance as @tensorflow/tfjs from node_modules.
        external: ['webgpu', '@tensorflow/tfjs-backend-webgpu'],
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { preload: resolve('src-main/electron/preload.ts') },
        // Sandboxed preloads run as CommonJS scripts.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [svelte(), cspMeta()],
    build: {
      // `dreamprm serve` sends this over the network to a laptop's browser.
      minify: 'esbuild',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
