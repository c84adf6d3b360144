#!/usr/bin/env node
// Thin launcher. CommonJS on purpose (bin/package.json): it requires the CLI bundled by
// `npm run build` (scripts/build-bundles.mjs), so a run never starts Node's ES-module loader.
'use strict';
const path = require('node:path');
const { enableCodeCache } = require('./code-cache.js');
const { tuneJit } = require('./jit-tuning.js');

// A reader that went away (`ktriage analyze --json big.log | head`) ends the run quietly, with
// status 0: `--json` is written as it goes, so that can happen long before the end. Any other
// failed write (`> /dev/full`: ENOSPC, EIO) is remembered and reported when the command ends
// (KT_E_OUTPUT, status 2): the output is incomplete and nobody must think otherwise.
let outputError;
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  outputError ??= e;
});
// With standard error gone too there is nowhere to say anything: the exit status still tells.
process.stderr.on('error', () => undefined);

const bundles = path.join(__dirname, '..', 'dist', 'bundles');
const flagSet = tuneJit(process.argv[2]);
const saveCodeCache = enableCodeCache(bundles + path.sep, process.env, flagSet);
let cli;
try {
  cli = require(path.join(bundles, 'cli', 'main.cjs'));
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND') throw e;
  process.stderr.write('ktriage: not built yet; run `npm install` (or `npm run build`) first\n');
  process.exit(3);
}
cli.main(process.argv.slice(2)).then((status) => {
  saveCodeCache();
  // The command is done: exit once its output is flushed, instead of letting V8 first finish a
  // garbage collection it may have started (15-30 ms after the last line of a symbolize run).
  process.exitCode = status;
  const end = () => {
    if (!outputError || cli.outputErrorReported()) return process.stderr.write('', () => process.exit(status));
    process.exitCode = 2;
    process.stderr.write(`ktriage: ${cli.outputErrorMessage(outputError)} [KT_E_OUTPUT]\n`, () => process.exit(2));
  };
  if (process.stdout.destroyed) return end();
  process.stdout.write('', (e) => {
    if (e && e.code === 'EPIPE') process.exit(0);
    if (e) outputError ??= e;
    end();
  });
});
