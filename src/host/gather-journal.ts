import { gunzipSync } from 'node:zlib';
import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';
import { readFact } from './read-fact.js';
import { journaldStorage } from './parse/journald-conf.js';
import { parseSize } from './parse/crashkernel.js';

export async function gatherJournalStorage(reader: HostReader): Promise<Fact<string>> {
  const main = await reader.readText('/etc/systemd/journald.conf');
  const texts: string[] = [];
  const from: string[] = [];
  if (main.ok) {
    texts.push(main.text);
    from.push('/etc/systemd/journald.conf');
  }
  for (const dir of ['/usr/lib/systemd/journald.conf.d', '/etc/systemd/journald.conf.d', '/run/systemd/journald.conf.d']) {
    for (const name of ((await reader.list(dir)) ?? []).filter((n) => n.endsWith('.conf'))) {
      const r = await reader.readText(`${dir}/${name}`);
      if (r.ok) {
        texts.push(r.text);
        from.push(`${dir}/${name}`);
      }
    }
  }
  if (texts.length === 0) {
    if (!main.ok && main.why === 'denied') return unknown('/etc/systemd/journald.conf', 'denied', main.detail);
    if (!(await reader.info('/lib/systemd/systemd-journald')) && !(await reader.info('/usr/lib/systemd/systemd-journald'))) {
      return unknown('/etc/systemd/journald.conf', 'absent', 'systemd-journald is not installed');
    }
    return known('auto', 'built-in default');
  }
  return known(journaldStorage(texts) ?? 'auto', from.join(', '));
}

export async function gatherJournalBoots(reader: HostReader): Promise<Fact<number>> {
  const argv = ['journalctl', '--list-boots', '--no-pager', '-q'];
  const r = await reader.run(argv);
  if (!r.ok) return unknown(argv.join(' '), r.why, r.detail);
  const boots = r.result.stdout.split('\n').filter((l) => /^\s*-?\d+\s+[0-9a-f]{32}\b/.test(l)).length;
  if (boots === 0) {
    const why = (r.result.stderr.trim() || r.result.stdout.trim()).split('\n')[0] ?? '';
    if (r.result.status === 0) return known(0, why ? `${argv.join(' ')} (${why})` : argv.join(' '));
    return unknown(argv.join(' '), 'error', `journalctl: ${why || `status ${r.result.status}`}`);
  }
  return known(boots, argv.join(' '));
}

/** `log_buf_len=` on the command line wins; else the kernel's CONFIG_LOG_BUF_SHIFT. */
export async function gatherLogBuf(reader: HostReader, cmdline: string, release: Fact<number | string>): Promise<Fact<number>> {
  const arg = /(?:^|\s)log_buf_len=(\S+)/.exec(cmdline)?.[1];
  if (arg !== undefined) {
    const size = parseSize(arg);
    if (size !== undefined) return known(size, `/proc/cmdline log_buf_len=${arg}`);
  }
  const fromConfig = (t: string): number => {
    const shift = /^CONFIG_LOG_BUF_SHIFT=(\d+)/m.exec(t)?.[1];
    if (shift === undefined) throw new Error('no CONFIG_LOG_BUF_SHIFT');
    return 2 ** Number(shift);
  };
  if (release.known) {
    const fact = await readFact(reader, `/boot/config-${release.value}`, fromConfig);
    if (fact.known || fact.why !== 'absent') return fact;
  }
  // Kernels built with CONFIG_IKCONFIG_PROC carry their own config.
  const gz = await reader.readBytes('/proc/config.gz', 1 << 20);
  if (!gz.ok) return unknown(release.known ? `/boot/config-${release.value}` : '/proc/config.gz', 'absent', `no /boot/config-${release.known ? release.value : '<release>'} and no /proc/config.gz`);
  try {
    return known(fromConfig(gunzipSync(gz.bytes, { maxOutputLength: 16 << 20 }).toString('utf8')), '/proc/config.gz');
  } catch (e) {
    return unknown('/proc/config.gz', 'error', `/proc/config.gz: ${(e as Error).message}`);
  }
}
