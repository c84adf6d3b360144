import { KtError } from '../errors.js';
import { startCollector, type ServeOptions } from '../server/serve.js';
import { redactUrl } from '../server/storage/open-database.js';
import { createToken, listTokens, revokeToken } from '../server/storage/token-store.js';
import { openDatabase } from '../server/storage/open-database.js';
import type { TokenAction } from './serve-args.js';

/** Runs until SIGINT/SIGTERM; prints where it listens (the first line tests read). */
export async function runServe(options: ServeOptions, err: NodeJS.WritableStream): Promise<number> {
  const running = await startCollector(options);
  err.write(`ktriage serve: listening on ${running.url} (database ${redactUrl(options.db)})\n`);
  if (running.netconsole) err.write(`ktriage serve: netconsole on udp ${running.netconsole.host}:${running.netconsole.port}\n`);
  if (running.syslog) err.write(`ktriage serve: syslog on udp+tcp ${running.syslog.host}:${running.syslog.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

export async function runToken(action: TokenAction, out: NodeJS.WritableStream): Promise<number> {
  const db = await openDatabase(action.db);
  try {
    if (action.action === 'create') {
      const { token, info } = await createToken(db, action.scope, action.name);
      out.write(`created token ${info.id} (scope ${info.scope}, name ${info.name}); it is shown once:\n${token}\n`);
    } else if (action.action === 'list') {
      for (const t of await listTokens(db)) out.write(`${t.id}\t${t.scope}\t${t.name}\t${t.createdAt}${t.revokedAt ? `\trevoked ${t.revokedAt}` : ''}\n`);
    } else {
      if (!(await revokeToken(db, action.id))) throw new KtError('KT_E_NOT_FOUND', `no live token '${action.id.slice(0, 12)}'`);
      out.write(`revoked ${action.id.slice(0, 12)}\n`);
    }
  } finally {
    await db.close();
  }
  return 0;
}
