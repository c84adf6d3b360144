#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/ by `npm run build`, run by `npm ci`).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// The command is done: exit once its output is flushed, instead of letting V8 first finish a
// garbage collection it may have started (15-30 ms after the last line of a symbolize run).
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
