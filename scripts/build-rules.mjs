#!/usr/bin/env node
// Part of `npm run build`: converts the bundled known-issue rules (rules/known-issues.yaml) to
// dist/rules/known-issues.json, so a run reads JSON and loads no YAML parser unless a user's
// own rules file is given. The YAML stays the source users read and extend.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const rules = parse(readFileSync(`${root}rules/known-issues.yaml`, 'utf8'));
mkdirSync(`${root}dist/rules`, { recursive: true });
writeFileSync(`${root}dist/rules/known-issues.json`, `${JSON.stringify(rules)}\n`);
