/** Help text of `ktriage symbolize`, apart so that `--help` loads nothing else. */
export const SYMBOLIZE_USAGE = `usage: ktriage symbolize --vmlinux PATH [--modules DIR] [FILE|-]
       ktriage symbolize --addr2line (-e FILE | --build-id ID) [-f] [-i] [-a] [-p] [ADDRESS...]

Writes a kernel report back with file:line added to every 'func+off/size [module]'
and the functions inlined there on their own lines (like decode_stacktrace.sh).

With --addr2line, a drop-in for GNU 'addr2line': reads addresses (hex) from the
arguments or standard input and prints what 'addr2line' prints with the same options.

options:
  --vmlinux PATH    the kernel with debug info (Debian: /usr/lib/debug/vmlinux-RELEASE)
  --modules DIR     where to find module .ko files (plain, .zst, .gz, .xz)
  --addr2line       addr2line mode; -e FILE, -f functions, -i inlines, -a addresses, -p pretty
  --build-id ID     (addr2line mode) the file of that GNU build id, from --debug-dir
                    DIR/.build-id/ (default /usr/lib/debug) or a DEBUGINFOD_URLS server
  --debug-dir DIR   directory with a .build-id/ tree (repeatable)
  --no-symbol-cache do not read or write the answer cache ($XDG_CACHE_HOME/ktriage)
  --binutils-2.40   (addr2line mode) repeat binutils 2.40's DWARF 5 file bug, for byte-exact
                    comparison with that version (see docs/symbols.md)
  -h, --help        this help`;
