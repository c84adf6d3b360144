/**
 * One regex that matches where any of `patterns` would: a cheap first test before trying
 * a table's rows one by one. Named groups are made anonymous (names may repeat across rows).
 */
export function anyOf(patterns: readonly RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => `(?:${p.source.replace(/\(\?<([A-Za-z_]\w*)>/g, '(?:')})`).join('|'));
}
