/** The --json document follows the published schema, and the schema is the one generated from the model. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze-command.js';
import { SCHEMA_VERSION } from '../../src/reports/crash-report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'crash-report.schema.json'), 'utf8')) as Record<string, unknown>;
const FIXTURES = join(ROOT, 'test', 'fixtures', 'reports');

describe('JSON schema', () => {
  it('is generated from src/reports/crash-report.ts and up to date', () => {
    expect(() => execFileSync('node', [join(ROOT, 'scripts', 'generate-schema.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
    expect(String(schema['$id'])).toMatch(new RegExp(`#v${SCHEMA_VERSION}$`));
  });

  it.each([
    'x86-null-deref-read-lkdtm.log',
    'kasan-use-after-free-read-wake-up-common.log',
    'x86-oom-panic-on-oom.log',
    'x86-ext4-io-errors-remount-ro-blkdebug.log',
    'arm64-internal-error-external-abort.log',
  ])('%s: the analysis validates', async (file) => {
    const result = await analyze({ inputs: [join(FIXTURES, file)], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const plain = JSON.parse(JSON.stringify(result)) as unknown;
    expect(validate(plain), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });
});
