import { EXIT } from '../errors.js';
import { startAgent, type WatchOptions } from '../watch/agent.js';

/**
 * Runs the agent until SIGTERM or SIGINT (then stops cleanly: the spool and the read positions
 * saved); with --once, the checks at start, an upload attempt, a JSON summary and exit.
 */
export async function runWatch(options: WatchOptions, out: NodeJS.WritableStream): Promise<number> {
  const agent = await startAgent(options);
  if (options.once) {
    const delivered = options.collector ? await agent.drained(30_000) : false;
    await agent.stop();
    const p = agent.previous;
    out.write(
      `${JSON.stringify({
        unexpectedReboot: p.event ?? null,
        endedCleanly: p.endedCleanly ?? null,
        reports: p.reports.map((r) => ({ id: r.id, kind: r.kind, title: r.title, bucket: r.bucket })),
        refused: p.refused,
        delivered,
      })}\n`,
    );
    return EXIT.noCrash;
  }
  if (agent.metricsPort !== undefined) process.stderr.write(`ktriage watch: metrics on port ${agent.metricsPort}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await agent.stop();
  return EXIT.noCrash;
}
