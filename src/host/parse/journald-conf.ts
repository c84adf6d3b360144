/**
 * The `Storage=` journald uses: journald.conf, then drop-ins in lexical order, the last
 * assignment in a `[Journal]` section winning (systemd.syntax(7)). Undefined when none is set:
 * the built-in default is `auto`.
 */
export function journaldStorage(files: readonly string[]): string | undefined {
  let storage: string | undefined;
  for (const text of files) {
    let inJournal = false;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('[')) inJournal = line === '[Journal]';
      else if (inJournal) {
        const m = /^Storage\s*=\s*(\S*)/.exec(line);
        if (m) storage = m[1];
      }
    }
  }
  return storage;
}
