// A throwaway PostgreSQL cluster for bench/serve.bench.mjs (Debian's package): initdb as the
// postgres user in a temp dir, trust auth, 127.0.0.1 on a free port.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(parent) {
  const root = '/usr/lib/postgresql';
  const bin = path.join(root, fs.readdirSync(root).sort((a, b) => b - a)[0], 'bin');
  const dir = path.join(parent, 'pg');
  fs.mkdirSync(dir, { mode: 0o700 });
  const uid = Number(execFileSync('id', ['-u', 'postgres']));
  const gid = Number(execFileSync('id', ['-g', 'postgres']));
  fs.chownSync(dir, uid, gid);
  fs.chmodSync(parent, 0o755);
  const as = (cmd, args) => execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' });
  as('initdb', ['-D', path.join(dir, 'data'), '-U', 'ktriage', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  as('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB`, 'start']);
  return {
    async createDatabase(name) {
      execFileSync(path.join(bin, 'psql'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'ktriage', '-d', 'postgres', '-c', `CREATE DATABASE ${name}`]);
      return `postgres://ktriage@127.0.0.1:${port}/${name}`;
    },
    stop() {
      as('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    },
  };
}
