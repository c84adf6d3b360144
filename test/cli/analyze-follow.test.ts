/** `ktriage analyze --follow`: a report printed the moment it is complete, from a pipe or a growing file. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ktriage.js');
const REPORTS = join(ROOT, 'test', 'fixtures', 'reports');
/** Generous: waiting is functional, not a timing check (CI machines are slow and shared). */
const WAIT_MS = 30_000;

interface Followed {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves once `count` whole output lines match. */
  waitFor(match: (line: string) => boolean, count?: number): Promise<string[]>;
  exit: Promise<number | null>;
}

function follow(args: string[]): Followed {
  const child = spawn('node', [BIN, 'analyze', '--follow', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters) w();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exit,
    waitFor(match, count = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${lines.join('\n')}`)), WAIT_MS);
        const check = () => {
          const found = lines.filter(match);
          if (found.length >= count) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

const json = (line: string) => JSON.parse(line) as { type: string; report?: { kind: string; title: string; panic?: { reason: string } }; incident?: { reportIds: string[]; diagnosis?: { culprit?: { function: string } } }; inputs?: { lines: number }[] };

describe('analyze --follow', () => {
  it('prints a report written to a pipe whose writer stays open, within the quiet period, as JSON Lines', async () => {
    const f = follow(['--json', '--quiet-seconds', '1', '-']);
    f.child.stdin.write(readFileSync(join(REPORTS, 'x86-warning-panic-on-warn-lkdtm.log')));
    // The writer stays open: only the quiet period says the panic is over.
    const [incidentLine] = await f.waitFor((l) => l.includes('"type":"incident"'));
    const objects = f.lines.map(json);
    expect(objects.map((o) => o.type)).toEqual(['report', 'report', 'incident']);
    expect(objects.map((o) => o.report?.kind)).toEqual(['warning', 'panic', undefined]);
    expect(objects[1]?.report?.panic?.reason).toBe('panic-on-warn');
    const incident = json(incidentLine as string).incident;
    expect(incident?.diagnosis?.culprit?.function).toBe('lkdtm_WARNING');
    expect(f.child.exitCode).toBeNull();
    f.child.stdin.end();
    expect(await f.exit).toBe(0);
    expect(json(f.lines[f.lines.length - 1] as string)).toMatchObject({ type: 'end', inputs: [{ lines: 428 }] });
  }, 60_000);

  it('follows a growing file across rotation, printing each crash as it comes (text), and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktriage-follow-'));
    const path = join(dir, 'kern.log');
    writeFileSync(path, '[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)\n');
    const f = follow(['--quiet-seconds', '1', path]);
    appendFileSync(path, readFileSync(join(REPORTS, 'x86-oom-panic-on-oom.log')));
    await f.waitFor((l) => l.startsWith('Incident '));
    expect(f.lines.some((l) => l.includes('cause:    resource-exhaustion'))).toBe(true);
    // logrotate: the file is moved away and a new one takes its name.
    renameSync(path, `${path}.1`);
    writeFileSync(path, readFileSync(join(REPORTS, 'x86-warning-panic-on-warn-lkdtm.log')));
    await f.waitFor((l) => l.startsWith('Incident '), 2);
    expect(f.lines.some((l) => l.includes('culprit:  lkdtm_WARNING'))).toBe(true);
    f.child.kill('SIGTERM');
    expect(await f.exit).toBe(0);
  }, 60_000);
});
