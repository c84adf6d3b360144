// Every input boundary of ktriage as a fuzz target: what it reads, its seeds (real inputs), and
// how one case runs in process. A target returns (optionally `{ partial }`) or throws a KtError;
// anything else is a failure. Targets run the compiled code in dist/ (`npm run build` first).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIX = path.join(ROOT, 'test', 'fixtures');
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'syzkaller', 'linux', 'report');
const dist = (p) => import(path.join(ROOT, 'dist', p));

const files = (dir, filter = () => true) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter(filter).sort().map((f) => path.join(dir, f)) : [];
const read = (f) => (f.endsWith('.gz') ? gunzipSync(fs.readFileSync(f)) : fs.readFileSync(f));

/** Text seeds: the log fixtures, the report fixtures and a slice of the real corpus. */
function textSeeds({ corpus = 120, formats } = {}) {
  const logs = files(path.join(FIX, 'logs'), (f) => !/\.(gz|zst|xz)$/.test(f) && (!formats || formats.some((x) => f.includes(x))));
  const reports = formats ? [] : files(path.join(FIX, 'reports'), (f) => f.endsWith('.log')).slice(0, 60);
  const real = formats ? [] : files(CORPUS).filter((_, i) => i % Math.max(1, Math.floor(files(CORPUS).length / corpus)) === 0).slice(0, corpus);
  return [...logs, ...reports, ...real].map((f) => fs.readFileSync(f)).filter((b) => b.length > 0 && b.length <= 4 << 20);
}

/** The byte stream of one buffer, in chunks the size real reads have. */
async function* chunked(bytes, size = 1 << 16) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  if (bytes.length === 0) yield Buffer.alloc(0);
}

async function readLogBuffer(bytes, format) {
  const [{ openedLog }, { sniffFormat, SNIFF_BYTES }] = await Promise.all([dist('logs/read-log.js'), dist('logs/sniff-format.js')]);
  const fmt = format ?? sniffFormat(bytes.subarray(0, SNIFF_BYTES), 'fuzz');
  const log = openedLog('fuzz', fmt, 'none', chunked(bytes), {});
  let n = 0;
  for await (const batch of log.batches) n += batch.length;
  return { lines: n };
}

/** Drains a decompressed stream keeping only its length and digest: a bomb's output is not held. */
async function drainChunks(chunks) {
  const hash = crypto.createHash('sha256');
  let length = 0;
  for await (const c of chunks) {
    hash.update(c);
    length += c.length;
  }
  return { length, digest: hash.digest('hex') };
}

let scratch;
/** A per-process scratch directory for targets that need a file. */
export function scratchDir() {
  if (!scratch) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ktriage-fuzz-'));
    process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
  }
  return scratch;
}

/** The lab dumps a vmcore target damages: one per container and page compression. */
const DUMPS = ['bug.elf', 'bug.kdump-zlib', 'bug.mdf-F-lzo', 'bug.mdf-d31-snappy', 'bug.mdf-d31-zstd', 'sysrq-wrap.kdump-zlib', 'sysrq-la57-logbuf4m.elf'];

function cutDumpExtents(name) {
  const body = gunzipSync(fs.readFileSync(path.join(FIX, 'vmcore', `${name}.cut.gz`)));
  const first = body.indexOf(10);
  const second = body.indexOf(10, first + 1);
  return JSON.parse(body.toString('utf8', first + 1, second));
}

/**
 * A dump target: the pristine dump expanded once, each case a copy-on-write of it: a few
 * patches at offsets inside its data (headers, notes, bitmaps, page descriptors, pages), or a
 * truncation. The case's bytes are the patch list, so failures replay and minimize like others.
 */
function dumpTarget(name) {
  let pristine;
  let work;
  let extents;
  let size;
  const setup = async () => {
    if (pristine) return;
    const { expandCutDump } = await import(path.join(ROOT, 'test', 'vmcore', 'cut-dump.mjs'));
    pristine = expandCutDump(path.join(FIX, 'vmcore', `${name}.cut.gz`), path.join(scratchDir(), `${name}.pristine`));
    work = path.join(scratchDir(), `${name}.work`);
    fs.copyFileSync(pristine, work);
    ({ extents, size } = cutDumpExtents(name));
  };
  return {
    name: `vmcore:${name}`,
    reads: 'ELF / kdump / flattened dump readers, VMCOREINFO, page tables, printk walkers, page decompressors',
    binary: true,
    /** A whole dump's log through page tables: seconds on a busy machine. */
    timeLimitMs: 60_000,
    weight: 0.35,
    seeds: () => [encodePatches([])],
    /** Mutations of a dump are patches: [offset u64][length u16][bytes] records, or a truncation. */
    mutate(bytes, r) {
      const patches = decodePatches(bytes);
      const k = 1 + r.int(4);
      for (let i = 0; i < k; i++) {
        if (r.chance(0.08)) {
          patches.push({ offset: -1, bytes: Buffer.from(String(r.int(size)), 'latin1') }); // truncate to that size
          continue;
        }
        const [start, length] = r.chance(0.6) ? extents[r.int(Math.min(extents.length, 8))] : r.pick(extents);
        const offset = start + r.int(Math.max(1, length));
        const kind = r.int(4);
        const piece =
          kind === 0 ? Buffer.from([r.int(256)])
          : kind === 1 ? Buffer.from([0xff, 0xff, 0xff, 0xff])
          : kind === 2 ? Buffer.from(r.pick([[0, 0, 0, 0, 0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], [0, 0, 0, 0x40, 0, 0, 0, 0], [1, 0, 0, 0]]))
          : Buffer.from(r.pick(['\n\x1b[2J', '\0\0\0\0', 'KDUMP   ', 'OSRELEASE=\n', 'SYMBOL(prb)=ffffffffffffffff\n', 'SIZE(printk_info)=0\n']), 'latin1');
        patches.push({ offset, bytes: piece });
      }
      return encodePatches(patches);
    },
    async run(bytes) {
      await setup();
      const patches = decodePatches(bytes);
      const [{ openVmcore }, { readKernelLog }, { vmcoreFacts }, { formatDmesg }] = await Promise.all([
        dist('vmcore/open-vmcore.js'),
        dist('vmcore/kernel-log.js'),
        dist('vmcore/vmcore-info.js'),
        dist('vmcore/dmesg-text.js'),
      ]);
      const cut = patches.find((p) => p.offset === -1);
      const restore = [];
      const fd = fs.openSync(work, 'r+');
      try {
        for (const p of patches) {
          if (p.offset < 0 || p.offset >= size) continue;
          const old = Buffer.alloc(p.bytes.length);
          fs.readSync(fd, old, 0, old.length, p.offset);
          restore.push({ offset: p.offset, bytes: old });
          fs.writeSync(fd, p.bytes, 0, p.bytes.length, p.offset);
        }
        if (cut) fs.ftruncateSync(fd, Number(cut.bytes.toString('latin1')));
      } finally {
        fs.closeSync(fd);
      }
      let core;
      try {
        core = openVmcore(work);
        const log = readKernelLog(core);
        vmcoreFacts(core, log);
        formatDmesg(log.records, 'makedumpfile');
        return { partial: log.partial ?? (core.damaged.length ? core.damaged.join('; ') : undefined) };
      } finally {
        core?.close();
        if (cut) fs.copyFileSync(pristine, work);
        else {
          const wfd = fs.openSync(work, 'r+');
          for (const p of restore.reverse()) fs.writeSync(wfd, p.bytes, 0, p.bytes.length, p.offset);
          fs.closeSync(wfd);
        }
      }
    },
  };
}

export function encodePatches(patches) {
  return Buffer.concat(
    patches.map((p) => {
      const head = Buffer.alloc(10);
      head.writeBigInt64LE(BigInt(p.offset), 0);
      head.writeUInt16LE(p.bytes.length, 8);
      return Buffer.concat([head, p.bytes]);
    }),
  );
}

export function decodePatches(buf) {
  const out = [];
  for (let at = 0; at + 10 <= buf.length; ) {
    const offset = Number(buf.readBigInt64LE(at));
    const len = buf.readUInt16LE(at + 8);
    out.push({ offset, bytes: buf.subarray(at + 10, at + 10 + len) });
    at += 10 + len;
  }
  return out;
}

const LOG_FORMATS = ['console', 'dmesg-human', 'journal-short', 'journal-json', 'journal-export', 'syslog', 'kmsg', 'vmcore-dmesg'];

let schemaValidator;
async function validateJson(doc) {
  if (!schemaValidator) {
    const { Ajv } = await import('ajv');
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'crash-report.schema.json'), 'utf8'));
    schemaValidator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  if (!schemaValidator(doc)) throw new Error(`--json does not validate: ${JSON.stringify(schemaValidator.errors?.slice(0, 2))}`);
}

let symbolSource;
const SYMBOL_SEEDS = () => [
  read(path.join(FIX, 'symbols', 'inline-demo-dwarf4')),
  read(path.join(FIX, 'symbols', 'inline-demo-dwarf5')),
  read(path.join(FIX, 'symbols', 'inline-demo-dwarf5-zlib')),
  read(path.join(FIX, 'symbols', 'inline-demo-dwarf5-zstd')),
  read(path.join(FIX, 'symbols', 'lkdtm.ko.gz')),
];

/** The collector's targets (built into dist/ like every target's code). */
const { SERVE_FUZZ_TARGETS } = await dist('server/fuzz-targets.js');

export const TARGETS = [
  {
    name: 'sniff',
    reads: 'format sniffing, then the sniffed reader',
    linear: true,
    seeds: () => [...textSeeds(), ...files(path.join(FIX, 'logs'), (f) => /journal-export|journal-json/.test(f)).map(read)],
    run: (bytes) => readLogBuffer(bytes),
  },
  ...LOG_FORMATS.map((format) => ({
    name: `log:${format}`,
    reads: `the ${format} reader (LogLines from every physical line)`,
    linear: true,
    seeds: () => {
      const own = textSeeds({ formats: [format === 'console' ? 'console' : format === 'vmcore-dmesg' ? 'vmcore-dmesg' : format.replace('journal-export', 'journal-export')] });
      return own.length ? [...own, ...textSeeds({ corpus: 20 })] : textSeeds({ corpus: 40 });
    },
    run: (bytes) => readLogBuffer(bytes, format),
  })),
  {
    name: 'decompress:gzip',
    reads: 'gzip input (streamed; truncated and trailing garbage kept partial)',
    binary: true,
    seeds: () => files(path.join(FIX, 'logs'), (f) => f.endsWith('.gz')).map((f) => fs.readFileSync(f)),
    bombs: 'gzip',
    async run(bytes) {
      const { gunzipChunks } = await dist('logs/decompress.js');
      const end = {};
      const out = await drainChunks(gunzipChunks(chunked(bytes), end, 'fuzz'));
      if (end.partial === undefined && out.length <= 64 << 20) {
        let reference;
        try {
          reference = gunzipSync(bytes, { maxOutputLength: 64 << 20 });
        } catch {
          reference = undefined;
        }
        const agrees = reference !== undefined && crypto.createHash('sha256').update(reference).digest('hex') === out.digest;
        if (!agrees) throw new Error('gzip input decoded as complete but zlib does not agree: a partial result not marked partial');
      }
      return { partial: end.partial, outputBytes: out.length };
    },
  },
  {
    name: 'decompress:zstd',
    reads: 'zstd input (frame headers walked first, window capped)',
    binary: true,
    seeds: () => files(path.join(FIX, 'logs'), (f) => f.endsWith('.zst')).map((f) => fs.readFileSync(f)),
    bombs: 'zstd',
    async run(bytes) {
      const { unzstdChunks } = await dist('logs/decompress.js');
      const end = {};
      const out = await drainChunks(unzstdChunks(chunked(bytes, 1 << 16), end, 'fuzz'));
      return { partial: end.partial, outputBytes: out.length };
    },
  },
  {
    name: 'decompress:dump-pages',
    reads: 'page decompressors of kdump dumps: zlib, lzo1x, snappy, zstd',
    binary: true,
    seeds: () => {
      // Real compressed pages are inside the dumps; slices of those files reach every decoder path.
      const out = [];
      for (const d of ['bug.mdf-d31-lzo', 'bug.mdf-d31-snappy', 'bug.mdf-d31-zlib', 'bug.mdf-d31-zstd']) {
        const body = gunzipSync(fs.readFileSync(path.join(FIX, 'vmcore', `${d}.cut.gz`)));
        // Copies: a view would keep the whole expanded dump alive.
        for (let i = 0; i < 8; i++) out.push(Buffer.from(body.subarray(4096 * (4 + i * 16), 4096 * (4 + i * 16) + 2048 + 512 * i)));
      }
      return out;
    },
    async run(bytes) {
      const { decompressPage, DUMP_DH } = await dist('vmcore/page-compression.js');
      for (const flag of Object.values(DUMP_DH)) {
        if (typeof flag !== 'number') continue;
        try {
          decompressPage(bytes, flag, 4096);
        } catch (e) {
          // Its contract: an Error with the reason (zlib's own, LzoError, SnappyError), which the
          // dump reader names the page in. A TypeError or a stack overflow is a bug.
          if (isKtError(e) || (e instanceof Error && !(e instanceof TypeError) && !(e instanceof ReferenceError) && !/call stack/.test(e.message))) continue;
          throw e;
        }
      }
    },
  },
  {
    name: 'analyze',
    reads: 'the whole analysis (sniffing, reading, extractor, decoders, diagnosis, --disassemble) and its --json',
    linear: true,
    seeds: () => [...textSeeds({ corpus: 200 }), ...files(path.join(FIX, 'logs'), (f) => /\.(gz|zst)$/.test(f)).map((f) => fs.readFileSync(f))],
    async run(bytes, r) {
      const [{ analyze }, { renderJson }] = await Promise.all([dist('cli/analyze-command.js'), dist('render/json-renderer.js')]);
      const file = path.join(scratchDir(), 'analyze-input');
      fs.writeFileSync(file, bytes);
      const result = await analyze({
        inputs: [file], inputFormat: 'auto', format: 'json', knownIssues: [], exitCode: false, color: false,
        disassemble: r ? r.chance(0.2) : false,
      });
      await validateJson(JSON.parse(renderJson(result)));
      return { partial: result.inputs?.[0]?.partial };
    },
  },
  // ── the host agent's readers (src/watch/): kmsg records, pstore parts, journalctl's export stream
  {
    name: 'watch:kmsg',
    reads: "the agent's /dev/kmsg reader (records split at LF, EPIPE and seq gaps counted, junk refused)",
    linear: true,
    seeds: () => [fs.readFileSync(path.join(FIX, 'logs', 'kmsg.txt'))],
    async run(bytes) {
      const { KmsgSource } = await dist('watch/kmsg-source.js');
      const chunks = [];
      for (let i = 0, k = 0; i < bytes.length; k++) {
        const n = 1 + ((bytes[i] ?? 0) * 7 + k) % 4096;
        chunks.push(bytes.subarray(i, i + n));
        if ((bytes[i] ?? 0) === 0x2a) chunks.push('EPIPE');
        i += n;
      }
      const device = {
        read(buf) {
          const next = chunks.shift();
          if (next === undefined) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
          if (next === 'EPIPE') throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
          const n = Math.min(next.length, buf.length);
          next.copy(buf, 0, 0, n);
          if (n < next.length) chunks.unshift(next.subarray(n));
          return n;
        },
        close() {},
      };
      let lines = 0;
      const source = new KmsgSource({ path: 'fuzz', from: 'start', open: () => device });
      source.start((got) => (lines += got.length));
      source.stop();
      if (lines !== source.stats.lines) throw new Error(`kmsg: ${lines} lines handed on, ${source.stats.lines} counted`);
    },
  },
  {
    name: 'watch:pstore',
    reads: "the agent's pstore reassembly (multi-part records, .enc.z inflated, bounded)",
    binary: true,
    /** A case: up to four parts, each a u16 length then its bytes; a part whose first byte is odd is named .enc.z. */
    seeds: () => {
      const bug = fs.readFileSync(path.join(FIX, 'logs', 'lab-bug-console.log'), 'utf8').split(/\r?\n/).slice(-90).map((l) => `<4>${l}`);
      const part = (n, lines) => Buffer.from(`Panic#1 Part${n}\n${lines.join('\n')}\n`);
      const frame = (bufs) => Buffer.concat(bufs.flatMap((b) => [Buffer.from([b.length & 0xff, (b.length >> 8) & 0xff]), b]));
      return [frame([part(1, bug.slice(60)), part(2, bug.slice(30, 60)), part(3, bug.slice(0, 30))])];
    },
    async run(bytes) {
      const { assemblePstore } = await dist('watch/pstore.js');
      const files = [];
      for (let i = 0; i + 2 <= bytes.length && files.length < 4; ) {
        const n = bytes[i] | (bytes[i + 1] << 8);
        const body = bytes.subarray(i + 2, i + 2 + n);
        files.push({ name: `dmesg-ramoops-${files.length}${(body[0] ?? 0) & 1 ? '.enc.z' : ''}`, bytes: body, path: `/fuzz/${files.length}`, key: String(files.length) });
        i += 2 + n;
      }
      const { records, undecodable } = assemblePstore(files);
      if (records.reduce((n, r) => n + r.files.length, 0) + undecodable.length !== files.length) throw new Error('pstore: a file neither assembled nor listed as undecodable');
    },
  },
  {
    name: 'watch:journal',
    reads: "the agent's journalctl -o export follower (entries in any chunking; an entry the reader throws on is counted)",
    linear: true,
    seeds: () => [fs.readFileSync(path.join(FIX, 'logs', 'journal-export.out'))],
    async run(bytes) {
      const { JournalSource } = await dist('watch/journal-source.js');
      const source = new JournalSource({ from: 'start' });
      let lines = 0;
      source.listen((got) => (lines += got.length));
      for (let i = 0; i < bytes.length; i += 4093) source.feed(bytes.subarray(i, i + 4093));
      if (lines !== source.stats.lines) throw new Error(`journal: ${lines} lines handed on, ${source.stats.lines} counted`);
    },
  },
  ...DUMPS.map(dumpTarget),
  {
    name: 'symbols:elf-dwarf',
    reads: 'ELF headers, sections (compressed too), symbol tables, DWARF units, lines, inlines, ranges',
    binary: true,
    seeds: SYMBOL_SEEDS,
    async run(bytes) {
      const [{ ElfFile }, { SymbolFile }] = await Promise.all([dist('symbols/elf-file.js'), dist('symbols/symbol-file.js')]);
      const elf = ElfFile.fromBuffer(bytes, 'fuzz.elf');
      const file = new SymbolFile(elf, {});
      const pcs = [0x1070n, 0x1169n, 0x11d0n, 0x0n, 0x10n, 0x200n, 0xffffffffffffffffn];
      file.lookupMany(pcs);
      file.resolveFunctionSymbols(['main', 'checked_div', 'lkdtm_WARNING', 'nope']);
      for (const name of ['main', 'checked_div', 'lkdtm_WARNING', 'nope']) file.functionSymbol(name);
    },
  },
  {
    name: 'symbols:system-map',
    reads: 'System.map and /proc/kallsyms text',
    linear: true,
    seeds: () => [
      fs.readFileSync(path.join(FIX, 'symbols', 'inline-demo-dwarf4.nm-n.txt')),
      fs.readFileSync(path.join(FIX, 'symbols', 'lkdtm.ko.nm.txt')),
    ],
    async run(bytes) {
      const { SystemMap } = await dist('symbols/system-map.js');
      const map = new SystemMap('fuzz.map', bytes.toString('utf8'));
      for (const a of [0n, 0x1070n, 0xffffffff81000000n, 0xffffffffffffffffn]) map.at(a);
      map.symbol('main');
    },
  },
  {
    name: 'symbols:annotate',
    reads: "symbolize's trace annotation (frame lines found in any text, resolved through DWARF)",
    linear: true,
    seeds: () => [
      fs.readFileSync(path.join(FIX, 'symbols', 'lkdtm-bug-console.log')),
      fs.readFileSync(path.join(FIX, 'symbols', 'lkdtm-access-null-console.log')),
      ...textSeeds({ corpus: 30 }).slice(0, 40),
    ],
    async run(bytes) {
      const [{ annotateTrace }, { FileSymbolSource }] = await Promise.all([dist('symbols/annotate-trace.js'), dist('symbols/symbol-source.js')]);
      symbolSource ??= new FileSymbolSource({ vmlinux: path.join(FIX, 'symbols', 'inline-demo-dwarf4') });
      annotateTrace(bytes.toString('utf8').split('\n'), symbolSource);
    },
  },
  {
    name: 'known-issues',
    reads: 'known-issue rules YAML (parse, check, compile its regular expressions)',
    linear: true,
    seeds: () => files(path.join(ROOT, 'rules'), (f) => f.endsWith('.yaml')).map((f) => fs.readFileSync(f)),
    async run(bytes) {
      const { parseKnownIssues } = await dist('analysis/known-issues.js');
      await parseKnownIssues(bytes.toString('utf8'), 'fuzz.yaml');
    },
  },
  doctorTarget(),
  // The collector's receivers and ingest API, defined in src/server/fuzz-targets.ts.
  ...SERVE_FUZZ_TARGETS.map((t) => ({ ...t, seeds: () => t.seeds(FIX), run: async (bytes) => t.run(bytes) })),
];

/**
 * doctor on a sysroot: one file of a real fixture sysroot is replaced by a mutation of itself
 * (or of another of its files) per case. doctor never fails on what it reads: any exception at
 * all is a failure here.
 */
function doctorTarget() {
  const roots = ['debian-server', 'rhel-like', 'laptop'].map((r) => path.join(FIX, 'host', r)).filter((r) => fs.existsSync(r));
  let copies;
  const listFiles = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? listFiles(p) : e.isFile() ? [p] : [];
    });
  const setup = () => {
    if (copies) return;
    copies = roots.map((r) => {
      const dst = path.join(scratchDir(), `root-${path.basename(r)}`);
      fs.cpSync(r, dst, { recursive: true });
      return { root: dst, files: listFiles(dst).map((f) => path.relative(dst, f)).sort() };
    });
  };
  return {
    name: 'doctor',
    reads: "doctor's sysroot reader and parsers (/proc, /sys, /etc files, recorded command outputs)",
    neverThrows: true,
    weight: 0.6,
    /** A case: root index byte, file index u16, then the file's new contents. */
    seeds: () => {
      setup();
      const out = [];
      copies.forEach((c, ri) => c.files.forEach((f, fi) => out.push(Buffer.concat([Buffer.from([ri, fi & 0xff, fi >> 8]), fs.readFileSync(path.join(c.root, f))]))));
      return out;
    },
    mutateBody: true,
    async run(bytes) {
      setup();
      const [{ openHostReader }, { runDoctor }] = await Promise.all([dist('host/host-reader.js'), dist('host/run-doctor.js')]);
      const c = copies[bytes[0] % copies.length];
      const rel = c.files[((bytes[1] ?? 0) | ((bytes[2] ?? 0) << 8)) % c.files.length];
      const file = path.join(c.root, rel);
      const old = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(3));
      try {
        await runDoctor(openHostReader(c.root));
      } finally {
        fs.writeFileSync(file, old);
      }
    },
  };
}

export function isKtError(e) {
  return typeof e === 'object' && e !== null && e[Symbol.for('ktriage.KtError')] === true;
}
