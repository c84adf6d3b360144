/**
 * Real servers for the collector's tests, from Debian's packages (scripts/ci/serve.sh installs
 * them), each started in a temp dir on 127.0.0.1 with a free port and stopped by the caller.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A tool from a Debian package; a missing one fails loudly unless KTRIAGE_SKIP_<what>=1. */
export function requireTool(path: string, skipVar: string): boolean {
  if (existsSync(path)) return true;
  if (process.env[skipVar] === '1') return false;
  throw new Error(`${path} is missing: run scripts/ci/serve.sh (or set ${skipVar}=1 to skip these tests)`);
}

export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return join(root, versions[0] ?? 'missing', 'bin');
}

export interface RunningPostgres {
  url: string;
  /** A fresh, empty database on the same cluster. */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

/** A throwaway PostgreSQL cluster: initdb as the postgres user, trust auth on loopback only. */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'kt-pg-'));
  chmodSync(dir, 0o700);
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  chownSync(dir, uid, gid);
  const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', join(dir, 'data'), '-U', 'ktriage', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
  const url = `postgres://ktriage@127.0.0.1:${port}/postgres`;
  return {
    url,
    async createDatabase(name) {
      execFileSync(join(bin, 'psql'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'ktriage', '-d', 'postgres', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
      return `postgres://ktriage@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try {
        asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface RunningProcess {
  process: ChildProcess;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${ms} ms`);
}

/** Debian's prometheus-alertmanager with an empty route, its API on a free loopback port. */
export async function startAlertmanager(): Promise<RunningProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-am-'));
  const port = await freePort();
  const cluster = await freePort();
  writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: "null"\n  group_wait: 1s\nreceivers:\n  - name: "null"\n');
  const child = spawn(
    '/usr/bin/prometheus-alertmanager',
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--cluster.listen-address=127.0.0.1:${cluster}`],
    { stdio: 'ignore' },
  );
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok, 'alertmanager');
  return {
    process: child,
    port,
    dir,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian's rsyslogd, in the foreground with its own config: it reads `input` (imfile) and
 * forwards what it reads to 127.0.0.1:targetPort over TCP, tagged kernel, facility kern.
 */
export async function startRsyslog(input: string, targetPort: number): Promise<RunningProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-rsyslog-'));
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      'module(load="imfile")',
      `input(type="imfile" File="${input}" Tag="kernel:" Facility="kern" Severity="warning" freshStartTail="off" readMode="0")`,
      `*.* action(type="omfwd" target="127.0.0.1" port="${targetPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], { stdio: 'ignore' });
  await waitFor(async () => existsSync(join(dir, 'rsyslog.pid')), 'rsyslogd');
  return {
    process: child,
    port: targetPort,
    dir,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
