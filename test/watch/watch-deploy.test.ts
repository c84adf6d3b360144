// What ships for deployment: the systemd unit passes systemd's own checks, the DaemonSet asks for
// no more than it needs, and every metric the Grafana dashboard queries is one the agent exports.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { agentMetrics } from '../../src/watch/agent-metrics.js';
import { ROOT, tempDir } from './watch-harness.js';

describe('deployment files', () => {
  it('the systemd unit verifies, and systemd-analyze security rates it OK or better', () => {
    const unit = readFileSync(join(ROOT, 'deploy/systemd/ktriage-watch.service'), 'utf8');
    // verify wants the binary to exist; the test's copy runs /bin/true instead.
    const copy = join(tempDir(), 'ktriage-watch.service');
    writeFileSync(copy, unit.replace('/usr/bin/ktriage', '/bin/true'));
    const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', copy], { encoding: 'utf8' });
    const level = /Overall exposure level for ktriage-watch\.service: ([\d.]+) (\w+)/.exec(security.stdout);
    expect(Number(level?.[1])).toBeLessThan(3);
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_SYSLOG CAP_DAC_READ_SEARCH$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
  });

  it('the DaemonSet is unprivileged, read-only, and writes only its state directory', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes/ktriage-watch-daemonset.yaml'), 'utf8')).map((d) => d.toJS());
    const ds = docs.find((d) => d.kind === 'DaemonSet');
    const container = ds.spec.template.spec.containers[0];
    expect(container.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } });
    const writable = container.volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly).map((m: { mountPath: string }) => m.mountPath);
    expect(writable).toEqual(['/var/lib/ktriage-watch']);
    expect(container.args).toContain('--state-dir=/var/lib/ktriage-watch');
  });

  it('the Grafana dashboard queries only metrics the agent exports', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/ktriage-watch-dashboard.json'), 'utf8'));
    const exported = agentMetrics().render();
    const used = new Set<string>();
    for (const panel of dashboard.panels) for (const t of panel.targets) for (const m of t.expr.matchAll(/\b((?:ktriage_watch|process)_[a-z_]+)\{/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(exported).toContain(`# TYPE ${name} `);
  });
});
