#!/usr/bin/env node
// Part of `npm run build`, after tsc: stores the byte scanner's tables for the shipped trigger
// patterns beside the compiled window filter (dist/reports/trigger-byte-tables.json). Deriving
// them from the regexes takes ~30 ms, which every `analyze` run would otherwise spend at start;
// a run whose patterns no longer match the stored key derives them itself.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { storedTriggerTables } = await import(new URL('../dist/reports/window-filter.js', import.meta.url).href);
writeFileSync(`${root}dist/reports/trigger-byte-tables.json`, storedTriggerTables());
