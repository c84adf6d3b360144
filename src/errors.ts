/**
 * Every error a user can see, in one table: a stable code, the exit status, and a message
 * template. docs/errors.md lists the same codes (a test checks both directions). Retired codes
 * are never reused.
 */
export const EXIT = {
  /** Input read, no crash report found. */
  noCrash: 0,
  /** At least one crash report found. */
  crashFound: 1,
  /** Bad usage or unreadable / unrecognisable input. */
  badInput: 2,
  /** A bug in ktriage itself. */
  internal: 3,
} as const;

export const ERROR_CODES = {
  KT_E_USAGE: { exit: EXIT.badInput, summary: 'bad command-line usage' },
  KT_E_NO_SUCH_FILE: { exit: EXIT.badInput, summary: 'input file does not exist' },
  KT_E_UNREADABLE: { exit: EXIT.badInput, summary: 'input cannot be read (permissions, a directory, an I/O error)' },
  KT_E_BINARY_INPUT: { exit: EXIT.badInput, summary: 'input is binary data, not a kernel log' },
  KT_E_BAD_COMPRESSION: { exit: EXIT.badInput, summary: 'compressed input is corrupt or truncated' },
  KT_E_BAD_FORMAT: { exit: EXIT.badInput, summary: 'input does not follow the format it was read as' },
  KT_E_NO_JOURNAL: { exit: EXIT.badInput, summary: 'no systemd journal, or no such boot in it' },
  KT_E_BAD_RULES: { exit: EXIT.badInput, summary: 'a known-issues rules file is not valid YAML or not in the rules format' },
  KT_E_BAD_DUMP: { exit: EXIT.badInput, summary: 'crash dump is truncated, corrupt or inconsistent' },
  KT_E_DUMP_UNSUPPORTED: { exit: EXIT.badInput, summary: 'crash dump of a kind ktriage cannot read' },
  KT_E_BAD_ELF: { exit: EXIT.badInput, summary: 'a symbol file is not a valid ELF file, or is truncated' },
  KT_E_BAD_DWARF: { exit: EXIT.badInput, summary: 'debug information (DWARF) in a symbol file is corrupt or truncated' },
  KT_E_NO_SYMBOLS: { exit: EXIT.badInput, summary: 'no symbol file found for what was asked (vmlinux, module, build id)' },
  KT_E_WATCH_STATE: { exit: EXIT.badInput, summary: 'watch: the state directory cannot be used, or a state path was refused' },
  KT_E_OUTPUT: { exit: EXIT.badInput, summary: 'the output cannot be written (no space left, an I/O error)' },
  KT_E_TOO_LARGE: { exit: EXIT.badInput, summary: 'an input read whole (rules, System.map, a trace to symbolize) is larger than such a file can be; a collector request body, its decompressed size or one line is over its limit' },
  // Collector (`ktriage serve`, `ktriage token`): HTTP answers carry these codes too.
  KT_E_DATABASE: { exit: EXIT.badInput, summary: 'the collector database cannot be opened or migrated' },
  KT_E_BAD_REQUEST: { exit: EXIT.badInput, summary: 'a collector request is malformed (bad JSON, missing field, bad parameter)' },
  KT_E_UNAUTHORIZED: { exit: EXIT.badInput, summary: 'no token, or an unknown or revoked one' },
  KT_E_FORBIDDEN: { exit: EXIT.badInput, summary: "the token's scope does not allow the request" },
  KT_E_NOT_FOUND: { exit: EXIT.badInput, summary: 'no such bucket, report, host or route' },
  KT_E_BAD_ENCODING: { exit: EXIT.badInput, summary: 'a Content-Encoding the collector does not take, or a body that does not decode' },
  KT_E_RATE_LIMITED: { exit: EXIT.badInput, summary: "over the token's request rate" },
  KT_E_TIMEOUT: { exit: EXIT.badInput, summary: 'a client sent its request too slowly' },
  KT_E_INTERNAL: { exit: EXIT.internal, summary: 'unexpected internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Marks every KtError, whichever copy of this module made it. */
const KT_ERROR_BRAND = Symbol.for('ktriage.KtError');

/** An error meant for the user: one clear line, never a stack trace. */
export class KtError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'KtError';
    this.code = code;
    Object.defineProperty(this, KT_ERROR_BRAND, { value: true });
  }
  /** The CLI's bundles each hold a copy of this class (scripts/build-bundles.mjs): `instanceof` reads the brand. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[KT_ERROR_BRAND] === true;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** A failed write of the output as the user reads it (`no space left on device`), for KT_E_OUTPUT. */
export function outputErrorMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOSPC' ? 'no space left on device' : code === 'EIO' ? 'input/output error' : code === 'EFBIG' ? 'file too large' : code === 'EDQUOT' ? 'disk quota exceeded' : ((error as Error | undefined)?.message ?? String(error));
  return `cannot write the output: ${reason}`;
}
