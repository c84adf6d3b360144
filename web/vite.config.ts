import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: web/ → dist/web/ (served by src/server/dashboard-assets.ts). Hashed asset
 * names under assets/ are cached for ever; index.html is not.
 *
 * Development: `node bin/ktriage.js serve --demo --db /tmp/demo.db` in one terminal, then
 * `npx vite --config web/vite.config.ts` (hot reload; /api is proxied to KTRIAGE_API, by default
 * the collector's default address).
 */
export default defineConfig({
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
  server: { host: '127.0.0.1', proxy: { '/api': process.env['KTRIAGE_API'] ?? 'http://127.0.0.1:8080' } },
});
