import { anyOf } from './any-of.js';
import { KIND_TABLE, type KindRow } from './kinds.js';

/**
 * Finds the row whose header opens a report on this line, or undefined. Called on every line
 * of every log, so the common case (no header) is one combined regex test built from the table.
 */
export function compileHeaderMatcher(rows: readonly KindRow[] = KIND_TABLE): (text: string) => KindRow | undefined {
  const anyHeader = anyOf(rows.map((r) => r.header));
  return (text) => {
    if (!anyHeader.test(text)) return undefined;
    for (const row of rows) if (row.header.test(text)) return row;
    return undefined;
  };
}

export const matchHeader = compileHeaderMatcher();
