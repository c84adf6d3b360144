import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { fixtureApi } from './dev/fixture-api.js';

/**
 * The dashboard's build: web/ → dist/web/ (served by src/server/dashboard-assets.ts). Hashed asset
 * names under assets/ are cached for ever; index.html is not. `vite web` serves it with a fixture
 * API of the collector contract's shapes for development (web/dev/).
 */
export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  plugins: command === 'serve' ? [fixtureApi()] : [],
}));
