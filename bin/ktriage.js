#!/usr/bin/env node
// Thin launcher. CommonJS on purpose (bin/package.json): it requires the CLI bundled by
// `npm run build` (scripts/build-bundles.mjs), so a run never starts Node's ES-module loader.
'use strict';
let cli;
try {
  cli = require('../dist/bundles/cli/main.cjs');
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND') throw e;
  process.stderr.write('ktriage: not built yet; run `npm install` (or `npm run build`) first\n');
  process.exit(3);
}
cli.main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
