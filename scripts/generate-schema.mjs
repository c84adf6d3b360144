#!/usr/bin/env node
// Writes docs/crash-report.schema.json from the TypeScript model (src/reports/crash-report.ts),
// so the published schema can never drift from the code. `--check` fails if the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}docs/crash-report.schema.json`;
const model = readFileSync(`${root}src/reports/crash-report.ts`, 'utf8');
const version = /export const SCHEMA_VERSION = (\d+);/.exec(model)?.[1];

const schema = createGenerator({
  path: `${root}src/reports/crash-report.ts`,
  tsconfig: `${root}tsconfig.json`,
  type: 'AnalysisResult',
  expose: 'export',
  topRef: true,
  jsDoc: 'extended',
  skipTypeCheck: true,
}).createSchema('AnalysisResult');
schema.$id = `https://github.com/ktriage/ktriage/docs/crash-report.schema.json#v${version}`;
schema.title = `ktriage analysis result, schema version ${version}`;
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    console.error('docs/crash-report.schema.json is stale: run `npm run schema`');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
