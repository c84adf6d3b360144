;; The byte-level pass of the window filter (byte-filter.ts fills the tables): over the raw,
;; undecoded bytes of a block of console text, finds where a line could start something the
;; extractor keeps, and counts the block's line feeds. It only has to be conservative: a line
;; it flags is read and tested exactly; lines it clears are never decoded.
;;
;; scan(base, start, len), the block's bytes [start, len) at address `base` (start is a line
;; start; the block was copied to `input`, or was read into `readPool` and is scanned in place):
;;   >= 0: the number of LFs, and nothing can start there;
;;   < 0: something may start in the 16 bytes from V = -1 - result, or in a literal that
;;        starts before V but has its fingerprint from V on (the caller knows how far back);
;;        or a byte there is not printable ASCII, tab, LF or CR (the line must be read to know).
;; It writes 48 bytes of padding after the block: a caller scanning in place keeps what was there.
;; Every swizzle index is a nibble (below 16), so the relaxed build gives the same answers:
;; build: also with relaxed swizzles
(module
  ;; 18 pages of tables and the copy area, then 4 MiB of read buffers and a page of slack.
  (memory (export "memory") 83)

;; Sixteen tables of 256 i64 masks: bit j of table k at byte b is set when alternative
  ;; group j can have b at position k of its match (after a `]` or `] `).
  (global (export "prefixTables") i32 (i32.const 0))
  ;; 256 bytes: what a byte right after LF or CR means: 0 nothing (`[`, white space),
  ;; 1 an unprefixed line (read it), 2 `<`, maybe a `<N>` level prefix.
  (global $lineStartClasses (export "lineStartClasses") i32 (i32.const 32768))
  ;; Teddy nibble tables of the plain-text literals (8 buckets, one literal each): low and
  ;; high nibble masks for the fingerprint's three bytes, 16 bytes each.
  (global $teddyTables (export "teddyTables") i32 (i32.const 33024))
  ;; 8 literals of 64 bytes: length, offset of the fingerprint in it, up to 62 bytes of text.
  (global $literals (export "literals") i32 (i32.const 33280))
  (global $scratch i32 (i32.const 33792))
  (global $input (export "input") i32 (i32.const 36864))
  ;; 18 pages less the tables and 64 bytes of padding.
  (global (export "inputCapacity") i32 (i32.const 1142720))
  ;; Where a reader may read blocks to scan in place (no copy): 4 MiB from page 18.
  (global (export "readPool") i32 (i32.const 1179648))
  (global (export "readPoolBytes") i32 (i32.const 4194304))
  ;; The address of the block being scanned.
  (global $base (mut i32) (i32.const 0))

  ;; 1 when the line starting at $q has no console prefix: `(?:<\d{1,3}>)?[^[<\s]`.
  (func $unprefixedLine (param $q i32) (result i32)
    (local $class i32) (local $n i32)
    (local.set $class (i32.load8_u (i32.add (global.get $lineStartClasses) (i32.load8_u (local.get $q)))))
    (if (i32.ne (local.get $class) (i32.const 2))
      (then (return (local.get $class))))
    (block $done
      (loop $digit
        (br_if $done (i32.eq (local.get $n) (i32.const 3)))
        (br_if $done (i32.gt_u
          (i32.sub (i32.load8_u offset=1 (i32.add (local.get $q) (local.get $n))) (i32.const 48))
          (i32.const 9)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $digit)))
    (if (i32.or (i32.eqz (local.get $n))
                (i32.ne (i32.load8_u offset=1 (i32.add (local.get $q) (local.get $n))) (i32.const 62)))
      (then (return (i32.const 0))))
    (i32.eq (i32.load8_u (i32.add (global.get $lineStartClasses)
                                  (i32.load8_u offset=2 (i32.add (local.get $q) (local.get $n)))))
            (i32.const 1)))

  ;; 1 when literal entry $lit is at $start, wholly inside [$lo, $hi).
  (func $literalAt (param $start i32) (param $lit i32) (param $lo i32) (param $hi i32) (result i32)
    (local $len i32) (local $i i32)
    (local.set $len (i32.load8_u (local.get $lit)))
    (if (i32.or (i32.lt_u (local.get $start) (local.get $lo))
                (i32.gt_u (i32.add (local.get $start) (local.get $len)) (local.get $hi)))
      (then (return (i32.const 0))))
    (block $differs
      (loop $byte
        (if (i32.eq (local.get $i) (local.get $len)) (then (return (i32.const 1))))
        (br_if $differs (i32.ne (i32.load8_u (i32.add (local.get $start) (local.get $i)))
                                (i32.load8_u offset=2 (i32.add (local.get $lit) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
    (i32.const 0))

  ;; Where a literal whose fingerprint Teddy found in lanes $lanes (a 16-bit mask) of the
  ;; vector at $p really is (0: nowhere); the lanes' bucket bits are at $scratch.
  (func $literalFound (param $p i32) (param $lanes i32) (param $lo i32) (param $hi i32) (result i32)
    (local $lane i32) (local $buckets i32) (local $bucket i32) (local $lit i32) (local $start i32)
    (loop $nextLane
      (local.set $lane (i32.ctz (local.get $lanes)))
      (local.set $buckets (i32.load8_u (i32.add (global.get $scratch) (local.get $lane))))
      (loop $nextBucket
        (local.set $bucket (i32.ctz (local.get $buckets)))
        (local.set $lit (i32.add (global.get $literals) (i32.shl (local.get $bucket) (i32.const 6))))
        (local.set $start
          (i32.sub (i32.add (local.get $p) (local.get $lane)) (i32.load8_u offset=1 (local.get $lit))))
        (if (call $literalAt (local.get $start) (local.get $lit) (local.get $lo) (local.get $hi))
          (then (return (local.get $start))))
        (local.set $buckets (i32.and (local.get $buckets) (i32.sub (local.get $buckets) (i32.const 1))))
        (br_if $nextBucket (local.get $buckets)))
      (local.set $lanes (i32.and (local.get $lanes) (i32.sub (local.get $lanes) (i32.const 1))))
      (br_if $nextLane (local.get $lanes)))
    (i32.const 0))

  ;; The result for a candidate found in the vector at $at.
  (func $candidate (param $at i32) (result i32)
    (i32.sub (i32.const -1) (i32.sub (local.get $at) (global.get $base))))

  (func (export "scan") (param $blockAt i32) (param $start i32) (param $len i32) (result i32)
    (local $p i32) (local $end i32) (local $lines i32) (local $m i32) (local $q i32)
    (local $mask i64) (local $table i32)
    (local $v v128) (local $v1 v128) (local $v2 v128) (local $low4 v128) (local $breaks v128)
    (local $t v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128)
    (global.set $base (local.get $blockAt))
    (local.set $p (i32.add (local.get $blockAt) (local.get $start)))
    (local.set $end (i32.add (local.get $blockAt) (local.get $len)))
    ;; Spaces after the block: whole vectors can be read, and they start and match nothing.
    (v128.store (local.get $end) (i8x16.splat (i32.const 32)))
    (v128.store offset=16 (local.get $end) (i8x16.splat (i32.const 32)))
    (v128.store offset=32 (local.get $end) (i8x16.splat (i32.const 32)))
    (if (i32.and (i32.lt_u (local.get $start) (local.get $len)) (call $unprefixedLine (local.get $p)))
      (then (return (call $candidate (local.get $p)))))
    (local.set $low4 (i8x16.splat (i32.const 15)))
    (local.set $lo0 (v128.load offset=0 (global.get $teddyTables)))
    (local.set $hi0 (v128.load offset=16 (global.get $teddyTables)))
    (local.set $lo1 (v128.load offset=32 (global.get $teddyTables)))
    (local.set $hi1 (v128.load offset=48 (global.get $teddyTables)))
    (local.set $lo2 (v128.load offset=64 (global.get $teddyTables)))
    (local.set $hi2 (v128.load offset=80 (global.get $teddyTables)))
    ;; No calls on the common path: a call makes V8 spill every vector register.
    (block $scanned
      (loop $vector
        (br_if $scanned (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $v1 (v128.load offset=1 (local.get $p)))
        (local.set $v2 (v128.load offset=2 (local.get $p)))
        (local.set $breaks (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 10)))
                                    (i8x16.eq (local.get $v) (i8x16.splat (i32.const 13)))))
        ;; After each line break (one per line): count it if LF, and look closer at a line
        ;; that starts with anything but `[` or white space.
        (local.set $m (i8x16.bitmask (local.get $breaks)))
        (block $breaksDone
          (loop $break
            (br_if $breaksDone (i32.eqz (local.get $m)))
            (local.set $q (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (local.set $lines (i32.add (local.get $lines) (i32.eq (i32.load8_u (local.get $q)) (i32.const 10))))
            (if (i32.load8_u (i32.add (global.get $lineStartClasses) (i32.load8_u offset=1 (local.get $q))))
              (then
                (if (call $unprefixedLine (i32.add (local.get $q) (i32.const 1)))
                  (then (return (call $candidate (local.get $p)))))))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (br $break)))
        ;; After every `]` (and its space): the end of a `[ ts]` or caller-id prefix. The
        ;; prefix tables, inline: most positions fail on the first or second byte.
        (local.set $m (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 93)))))
        (block $bracketsDone
          (loop $bracket
            (br_if $bracketsDone (i32.eqz (local.get $m)))
            (local.set $q (i32.add (i32.add (local.get $p) (i32.ctz (local.get $m))) (i32.const 1)))
            (local.set $q (i32.add (local.get $q) (i32.eq (i32.load8_u (local.get $q)) (i32.const 32))))
            ;; The first four positions without a branch; the rest only when those fit.
            (local.set $mask (i64.and
              (i64.and (i64.load (i32.shl (i32.load8_u (local.get $q)) (i32.const 3)))
                       (i64.load offset=2048 (i32.shl (i32.load8_u offset=1 (local.get $q)) (i32.const 3))))
              (i64.and (i64.load offset=4096 (i32.shl (i32.load8_u offset=2 (local.get $q)) (i32.const 3)))
                       (i64.load offset=6144 (i32.shl (i32.load8_u offset=3 (local.get $q)) (i32.const 3))))))
            (if (i64.ne (local.get $mask) (i64.const 0))
              (then
                (local.set $table (i32.const 8192))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (block $fails
                  (loop $position
                    (local.set $mask (i64.and (local.get $mask)
                      (i64.load (i32.add (local.get $table) (i32.shl (i32.load8_u (local.get $q)) (i32.const 3))))))
                    (br_if $fails (i64.eqz (local.get $mask)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (local.set $table (i32.add (local.get $table) (i32.const 2048)))
                    (br_if $position (i32.lt_u (local.get $table) (i32.const 32768))))
                  (return (call $candidate (local.get $p))))))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (br $bracket)))
        ;; Plain-text literals anywhere: Teddy on three bytes, then a check of the whole literal.
        (local.set $t
          (v128.and
            (v128.and
              (v128.and
                (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v) (local.get $low4)))
                (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $low4))))
              (v128.and
                (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v1) (local.get $low4)))
                (i8x16.swizzle (local.get $hi1) (v128.and (i16x8.shr_u (local.get $v1) (i32.const 4)) (local.get $low4)))))
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v2) (local.get $low4)))
              (i8x16.swizzle (local.get $hi2) (v128.and (i16x8.shr_u (local.get $v2) (i32.const 4)) (local.get $low4))))))
        (if (v128.any_true (local.get $t))
          (then
            ;; Bits 5-7: a byte that is not printable ASCII, tab, LF or CR.
            (if (v128.any_true (v128.and (local.get $t) (i8x16.splat (i32.const 0xe0))))
              (then (return (call $candidate (local.get $p)))))
            (v128.store (global.get $scratch) (local.get $t))
            (if (call $literalFound (local.get $p)
                  (i32.xor (i8x16.bitmask (i8x16.eq (local.get $t) (v128.const i64x2 0 0))) (i32.const 0xffff))
                  (i32.add (local.get $blockAt) (local.get $start)) (local.get $end))
              (then (return (call $candidate (local.get $p)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vector)))
    (local.get $lines))
)
