// Bundles the compiled CLI (dist/) into CommonJS files that bin/ktriage.js requires.
//
// Why: Node 20 spends ~7 ms starting its ES-module loader and ~0.5 ms on every ES module it
// loads; `ktriage vmcore dmesg` has ~25 of them and the whole job is ~30 ms. A CommonJS bundle
// per lazily loaded piece keeps each command paying only for its own code.
//
// Every dynamic `import()` of a dist/ module (a command, the symbol enricher, the disassembler)
// becomes its own bundle, required when the import runs; static imports are inlined; npm
// packages are required from node_modules. So a module may have a copy in several bundles: KtError keeps `instanceof` working
// across copies (src/errors.ts), and every copy's `import.meta.url` is the URL its dist/ file
// has, so files found relative to it (the bundled rules) are found from any bundle.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundles');
export const CLI_ENTRY = path.join(DIST, 'cli', 'main.js');
/** Files a worker thread runs (each found by the code that starts it, as ../bundles/...cjs). */
const WORKER_ENTRIES = [path.join(DIST, 'cli', 'analyze-worker.js')];

/** Where the bundle of a dist/ module goes. */
function bundleFileOf(file) {
  return path.join(OUT, path.relative(DIST, file).replace(/\.js$/, '.cjs'));
}

/** A relative `require` path from one bundle file to another. */
function requirePath(fromBundle, toBundle) {
  const rel = path.relative(path.dirname(fromBundle), toBundle);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Builds one bundle; returns the dynamic-import targets it leaves to other bundles. */
async function buildBundle(entry) {
  const outfile = bundleFileOf(entry);
  const lazyTargets = new Set();
  const splitAtDynamicImports = {
    name: 'split-at-dynamic-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        // npm packages stay where they are: some read files beside their own (capstone's .wasm).
        if (!args.path.startsWith('.')) return { path: args.path, external: true };
        const resolved = await build.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const target = resolved.path;
        lazyTargets.add(target);
        return { path: requirePath(outfile, bundleFileOf(target)), external: true };
      });
      // Each module keeps the import.meta.url of its own dist/ file.
      build.onLoad({ filter: /\.js$/ }, async (args) => {
        if (!args.path.startsWith(DIST + path.sep)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromBundle = JSON.stringify(path.relative(path.dirname(outfile), args.path));
        const url = `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${fromBundle})).href`;
        return { contents: source.replaceAll('import.meta.url', url), loader: 'js' };
      });
    },
  };
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Lazy imports of other bundles become `require` (no ES-module loader at all).
    supported: { 'dynamic-import': false },
    plugins: [splitAtDynamicImports],
    // Composed with tsc's maps: profiles and --enable-source-maps point at src/*.ts.
    sourcemap: 'linked',
    logLevel: 'error',
  });
  return lazyTargets;
}

/** Bundles the CLI entry, the worker entries and, transitively, every lazily imported piece. */
export async function buildBundles() {
  for (const entry of [CLI_ENTRY, ...WORKER_ENTRIES]) if (!existsSync(entry)) throw new Error(`${entry} missing: run tsc first`);
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const done = new Set();
  let pending = [CLI_ENTRY, ...WORKER_ENTRIES];
  while (pending.length > 0) {
    const next = [];
    for (const entry of pending) {
      done.add(entry);
      for (const target of await buildBundle(entry)) if (!done.has(target) && !next.includes(target)) next.push(target);
    }
    pending = next.filter((t) => !done.has(t));
  }
  return [...done].map(bundleFileOf);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildBundles();
  console.log(`bundled the CLI into ${files.length} files under ${path.relative(ROOT, OUT)}/`);
}
