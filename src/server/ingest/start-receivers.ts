import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { Collector } from '../collector.js';
import type { Endpoint, ServeOptions } from '../serve.js';
import { LiveStreams } from './live-streams.js';
import { NetconsoleStream } from './netconsole-stream.js';
import { MAX_SYSLOG_FRAME, parseSyslogMessage, SyslogTcpFramer } from './syslog-frames.js';

/** A TCP syslog connection that sends nothing for this long is closed. */
const TCP_IDLE_MS = 5 * 60_000;
const MAX_TCP_CONNECTIONS = 512;

function bindUdp(at: Endpoint, onMessage: (msg: Buffer, from: string) => void): Promise<{ socket: Socket; bound: Endpoint }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: at.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 << 20 });
    socket.on('message', (msg, rinfo) => onMessage(msg, rinfo.address));
    socket.once('error', reject);
    socket.bind(at.port, at.host, () => {
      const a = socket.address();
      resolve({ socket, bound: { host: a.address, port: a.port } });
    });
  });
}

export interface Receivers {
  netconsole?: Endpoint;
  syslog?: Endpoint;
  /** Analyses what every stream holds now (tests; shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The stream receivers: netconsole (UDP) and syslog (UDP and TCP on one port). */
export async function startReceivers(collector: Collector, options: Pick<ServeOptions, 'netconsole' | 'syslog' | 'quietSeconds'>): Promise<Receivers> {
  const metrics = collector.metrics;
  const closers: (() => Promise<void>)[] = [];
  const live: LiveStreams[] = [];
  const out: Receivers = {
    async flush() {
      for (const l of live) await l.flushAll();
    },
    async close() {
      for (const c of closers) await c();
    },
  };
  if (options.netconsole) {
    const streams = await LiveStreams.start(collector, 'netconsole', options.quietSeconds);
    live.push(streams);
    const byHost = new Map<string, NetconsoleStream>();
    metrics.gauge('ktriage_netconsole_hosts', () => byHost.size);
    const { socket, bound } = await bindUdp(options.netconsole, (msg, from) => {
      let s = byHost.get(from);
      if (!s) {
        const stream = new NetconsoleStream((line) => {
          metrics.add('ktriage_netconsole_lines_total');
          streams.line(from, line, stream.release);
        });
        s = stream;
        byHost.set(from, s);
        streams.onDrain(from, () => {
          const lostBefore = stream.lost;
          stream.flush();
          if (stream.lost > lostBefore) metrics.add('ktriage_netconsole_lost_lines_total', stream.lost - lostBefore);
        });
      }
      const lostBefore = s.lost;
      s.datagram(msg.toString('utf8'));
      if (s.lost > lostBefore) metrics.add('ktriage_netconsole_lost_lines_total', s.lost - lostBefore);
    });
    out.netconsole = bound;
    closers.push(async () => {
      socket.close();
      for (const s of byHost.values()) s.flush();
      await streams.close();
    });
  }
  if (options.syslog) {
    const streams = await LiveStreams.start(collector, 'syslog', options.quietSeconds);
    live.push(streams);
    const take = (frame: string, from: string) => {
      const m = parseSyslogMessage(frame);
      if (!m) {
        metrics.add('ktriage_syslog_malformed_total');
        return;
      }
      metrics.add('ktriage_syslog_messages_total');
      if (m.kernel) streams.line(m.host ?? from, m.text);
    };
    const { socket, bound } = await bindUdp(options.syslog, (msg, from) => {
      if (msg.length > MAX_SYSLOG_FRAME) return metrics.add('ktriage_syslog_malformed_total');
      take(msg.toString('utf8'), from);
    });
    const open = new Set<import('node:net').Socket>();
    const tcp: Server = createServer((conn) => {
      open.add(conn);
      conn.on('close', () => open.delete(conn));
      const from = conn.remoteAddress ?? 'unknown';
      const framer = new SyslogTcpFramer((frame) => take(frame, from));
      conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
      conn.on('data', (chunk) => framer.push(chunk));
      conn.on('end', () => framer.end());
      conn.on('error', () => undefined);
    });
    tcp.maxConnections = MAX_TCP_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(bound.port, options.syslog!.host, () => resolve());
    });
    out.syslog = bound;
    closers.push(async () => {
      socket.close();
      for (const c of open) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await streams.close();
    });
  }
  return out;
}
