import type { HostReader } from './host-reader.js';
import { known, unknown, type Fact } from './fact.js';

export interface SmartHealth {
  device: string;
  /** `PASSED`, `OK` (SCSI), `FAILED!`, or what smartctl said when it could not tell. */
  health: string;
  ok: boolean | undefined;
}

/** `smartctl --scan` then `smartctl -H` per device; skipped when smartmontools is absent. */
export async function gatherSmart(reader: HostReader): Promise<Fact<SmartHealth[]>> {
  const scan = await reader.run(['smartctl', '--scan']);
  if (!scan.ok) return unknown('smartctl --scan', scan.why, scan.detail);
  const devices = scan.result.stdout
    .split('\n')
    .map((l) => /^(\/dev\/\S+)\s+-d\s+(\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ device: m[1] ?? '', type: m[2] ?? '' }));
  const out: SmartHealth[] = [];
  for (const { device, type } of devices.slice(0, 64)) {
    const r = await reader.run(['smartctl', '-H', '-d', type, device]);
    if (!r.ok) {
      out.push({ device, health: r.detail, ok: undefined });
      continue;
    }
    const text = r.result.stdout;
    const verdict = /overall-health self-assessment test result:\s*(\S+)/.exec(text)?.[1] ?? /SMART Health Status:\s*(\S+)/.exec(text)?.[1];
    const said = verdict ?? (text.trim().split('\n').at(-1) || `status ${r.result.status}`);
    out.push({ device, health: said, ok: verdict === undefined ? undefined : /^(PASSED|OK)$/.test(verdict) });
  }
  return known(out, 'smartctl --scan; smartctl -H');
}
