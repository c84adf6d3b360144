// V8's tiering is made for programs that run long: code that gets hot is compiled by TurboFan,
// and compiled again after each deoptimization. `analyze` runs a few hundred reports through
// dozens of decoders, each hot only briefly and each report taking new paths: on a 1 GiB log
// TurboFan spent 1.6 s of CPU (`--trace-opt`) on a second core for about 1 s of decoding.
// Waiting six times longer before optimizing and inlining less (200 bytecodes in all instead of
// 920) cut the CPU of that run by 10-15% and of 532 reports in a row (2 MB) by a third; a single
// report is unchanged. Set before any code is loaded (flags are read when code is compiled, and
// V8 rejects cached code compiled under other flags), and only on the Node major these numbers
// were measured on: elsewhere an unknown flag would print an error.
'use strict';

// Relaxed SIMD (standard from Node 22) lets the byte scan run its swizzles as single pshufb
// instructions (src/reports/byte-filter.ts): the scan of a console log is a tenth faster.
const ANALYZE_V8_FLAGS = '--interrupt-budget=400000 --max-inlined-bytecode-size-cumulative=200 --experimental-wasm-relaxed-simd';
const MEASURED_ON_NODE_MAJOR = 20;

/** The name of the V8 flags `command` runs with on this Node ('' for V8's own). */
function flagSetFor(command, nodeVersion = process.versions.node) {
  return command === 'analyze' && Number(nodeVersion.split('.')[0]) === MEASURED_ON_NODE_MAJOR ? 'analyze-jit' : '';
}

/** Sets V8's flags for `command`; returns their name, to keep code cached under other flags apart. */
function tuneJit(command, nodeVersion = process.versions.node) {
  const flagSet = flagSetFor(command, nodeVersion);
  if (flagSet) require('node:v8').setFlagsFromString(ANALYZE_V8_FLAGS);
  return flagSet;
}

module.exports = { flagSetFor, tuneJit };
