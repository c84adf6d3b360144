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

/** The module's bytes as wabt assembles them (SIMD on; no names section, so the bytes are stable). */
export async function compileWat(path) {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
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
    const wasm = wat.replace(/\.wat$/, '.wasm');
    if (compile) {
      writeFileSync(wasm, await compileWat(wat));
      console.log(`${relative(root, wat)} -> ${relative(root, wasm)}`);
    }
    const out = join(root, 'dist', relative(src, wasm));
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(wasm, out);
  }
}
