// V8's compiled code for the CLI bundles, kept on disk between runs: compiling the bundles a
// command needs costs 2-3 ms for `vmcore dmesg` and ~10 ms for `analyze` on every start.
// Node 22 does this itself (module.enableCompileCache); on Node 20 the bundles' `.cjs` files
// are compiled here through vm.Script with the cached data. Any failure (no cache directory,
// a read-only one, data V8 rejects after an upgrade) just means compiling as usual.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * `$XDG_CACHE_HOME/ktriage/code-cache`, else `~/.cache/ktriage/code-cache`; one subfolder per
 * Node build and set of V8 flags (jit-tuning.js: V8 rejects code cached under other flags).
 */
function cacheDirectory(env, flagSet = '') {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'ktriage', 'code-cache', `${process.version}-${process.arch}${flagSet ? `-${flagSet}` : ''}`);
}

/** A short hash of a path (node:crypto alone would cost more start-up than the cache saves). */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Compiles the `.cjs` files under `bundleRoot` with cached code; returns a function that saves what was compiled afresh. */
function enableCodeCache(bundleRoot, env = process.env, flagSet = '') {
  if (env.KTRIAGE_NO_CODE_CACHE) return () => {};
  const Module = require('node:module');
  const dir = cacheDirectory(env, flagSet);
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(dir);
    return () => {};
  }
  const vm = require('node:vm');
  // Installs (a checkout, a global install) keep apart, so one never evicts the other's code.
  const install = fnv1a(bundleRoot);
  const fresh = [];
  const defaultLoader = Module._extensions['.cjs'] ?? Module._extensions['.js'];
  Module._extensions['.cjs'] = (module, filename) => {
    if (!filename.startsWith(bundleRoot)) return defaultLoader(module, filename);
    const source = fs.readFileSync(filename, 'utf8');
    const stat = fs.statSync(filename);
    const name = `${install}-${path.relative(bundleRoot, filename).replace(/[\\/]/g, '_')}`;
    const file = path.join(dir, `${name}-${stat.size}-${Math.trunc(stat.mtimeMs)}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) fresh.push({ script, file, name });
    const compiled = script.runInThisContext();
    compiled.call(module.exports, module.exports, Module.createRequire(filename), module, filename, path.dirname(filename));
  };
  return () => {
    for (const { script, file, name } of fresh) {
      try {
        makeDirs(dir);
        // The code of an earlier build of this bundle will not be asked for again.
        for (const old of fs.readdirSync(dir)) {
          if (old.startsWith(`${name}-`) && path.join(dir, old) !== file) fs.rmSync(path.join(dir, old), { force: true });
        }
        // Written whole then renamed: runs side by side never read half a file.
        const temp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, file);
      } catch {
        // No cache this time.
      }
    }
  };
}

module.exports = { enableCodeCache, cacheDirectory };

/** mkdir -p one level at a time: mkdirSync's recursive mode never returns under /proc (XDG_CACHE_HOME=/proc/x). */
function makeDirs(dir) {
  const missing = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
}
