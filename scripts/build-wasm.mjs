#!/usr/bin/env node
// WebAssembly modules of ktriage: each `src/**/X.wat` is the source of the committed `X.wasm`
// beside it (a test checks they agree). `npm run build` copies the .wasm files into dist/;
// `node scripts/build-wasm.mjs --compile` (`npm run wasm`) regenerates them from the .wat with
// wabt, a devDependency, so a plain install needs no compiler.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** Every .wat under src/. */
export function watFiles(dir = src) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? watFiles(join(dir, e.name)) : e.name.endsWith('.wat') ? [join(dir, e.name)] : [],
  );
}

/**
 * A .wat holding this line is built a second time as X.relaxed.wasm, every `i8x16.swizzle` made
 * an `i8x16.relaxed_swizzle`: one pshufb on x86, without the saturating add that zeroes lanes
 * whose index is 16 or more. Only for sources whose swizzle indices are always below 16, where
 * both give the same bytes.
 */
export const RELAXED_MARKER = ';; build: also with relaxed swizzles';

/** The wasm files built from a .wat: the baseline, and the relaxed build when the source asks for one. */
export function wasmTargets(wat) {
  const targets = [{ wasm: wat.replace(/\.wat$/, '.wasm'), relaxed: false }];
  if (readFileSync(wat, 'utf8').includes(RELAXED_MARKER)) targets.push({ wasm: wat.replace(/\.wat$/, '.relaxed.wasm'), relaxed: true });
  return targets;
}

/** The module's bytes as wabt assembles them (SIMD on; no names section, so the bytes are stable). */
export async function compileWat(path, { relaxed = false } = {}) {
  const wabt = await (await import('wabt')).default();
  let text = readFileSync(path, 'utf8');
  if (relaxed) text = text.replaceAll('i8x16.swizzle', 'i8x16.relaxed_swizzle');
  const module = wabt.parseWat(path, text, { simd: true, relaxed_simd: relaxed });
  try {
    module.validate();
    return Buffer.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const compile = process.argv.includes('--compile');
  for (const wat of watFiles()) {
    for (const { wasm, relaxed } of wasmTargets(wat)) {
      if (compile) {
        writeFileSync(wasm, await compileWat(wat, { relaxed }));
        console.log(`${relative(root, wat)} -> ${relative(root, wasm)}`);
      }
      const out = join(root, 'dist', relative(src, wasm));
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(wasm, out);
    }
  }
}
