import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const RULES = fileURLToPath(new URL('../rules', import.meta.url));
const RULES_FS = '\0ktriage-bundled-rules';

/**
 * The analysis tables the page shares with the CLI (report-facts → skip-frames) read their rules
 * files with readFileSync when loaded. In the page, that `node:fs` is a module holding the
 * rules/*.txt files as they were at build time, so the same code runs on the same rules.
 */
function bundledRules(): Plugin {
  return {
    name: 'ktriage-bundled-rules',
    enforce: 'pre',
    resolveId(source, importer) {
      return source === 'node:fs' && importer?.replaceAll('\\', '/').endsWith('/src/analysis/pattern-list.ts') ? RULES_FS : undefined;
    },
    transform(code, id) {
      // Its files are found relative to its own URL; in the page that URL only names them (and
      // Vite must not copy them out as assets).
      if (!id.replaceAll('\\', '/').endsWith('/src/analysis/pattern-list.ts')) return undefined;
      return code.replaceAll('import.meta.url', JSON.stringify('file:///ktriage/src/analysis/pattern-list.ts'));
    },
    load(id) {
      if (id !== RULES_FS) return undefined;
      const files = Object.fromEntries(readdirSync(RULES).filter((f) => f.endsWith('.txt')).map((f) => [f, readFileSync(join(RULES, f), 'utf8')]));
      return `const FILES = ${JSON.stringify(files)};
export function readFileSync(url) {
  const name = String(url).split('/').pop();
  if (!Object.hasOwn(FILES, name)) throw new Error('rules file not bundled into the dashboard: ' + name);
  return FILES[name];
}`;
    },
  };
}

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
  plugins: [bundledRules()],
  server: { host: '127.0.0.1', proxy: { '/api': process.env['KTRIAGE_API'] ?? 'http://127.0.0.1:8080' } },
});
