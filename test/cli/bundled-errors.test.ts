import { describe, expect, it } from 'vitest';
import { KtError as SourceKtError } from '../../src/errors.js';

// The built copy (npm test builds first): a second, separate instance of the module, as each
// CLI bundle holds one.
const BUILT_ERRORS: string = '../../dist/errors.js';
const { KtError: BuiltKtError } = (await import(BUILT_ERRORS)) as typeof import('../../src/errors.js');

describe('KtError across copies of its module', () => {
  it('is an instance of every copy of the class, with its code and exit status', () => {
    const built = new BuiltKtError('KT_E_BAD_DUMP', 'x: truncated');
    expect(BuiltKtError).not.toBe(SourceKtError);
    expect(built instanceof SourceKtError).toBe(true);
    expect(new SourceKtError('KT_E_USAGE', 'y') instanceof BuiltKtError).toBe(true);
    expect((built as SourceKtError).exitCode).toBe(2);
  });

  it('is not claimed by plain errors or look-alike objects', () => {
    expect(new Error('plain') instanceof SourceKtError).toBe(false);
    expect({ name: 'KtError', code: 'KT_E_USAGE' } instanceof SourceKtError).toBe(false);
    expect((null as unknown) instanceof SourceKtError).toBe(false);
  });
});
