// Expands a `*.cut.gz` fixture (see scripts/lab/cut-fixture.mjs) into a sparse dump file.
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function expandCutDump(input, out) {
  const body = gunzipSync(readFileSync(input));
  const first = body.indexOf(0x0a);
  const second = body.indexOf(0x0a, first + 1);
  if (body.toString('latin1', 0, first) !== 'ktriage-cut-dump 1') throw new Error(`${input}: not a cut dump`);
  const { size, extents } = JSON.parse(body.toString('utf8', first + 1, second));
  const fd = openSync(out, 'w');
  try {
    ftruncateSync(fd, size);
    let at = second + 1;
    for (const [offset, length] of extents) {
      writeSync(fd, body, at, length, offset);
      at += length;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
