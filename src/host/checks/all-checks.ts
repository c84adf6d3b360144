import type { CheckRow } from '../check-row.js';
import { BOOT_CHECKS } from './boot-checks.js';
import { CRASH_CAPTURE_CHECKS } from './crash-capture-checks.js';
import { DANGER_CHECKS } from './danger-checks.js';
import { LOG_CHECKS } from './log-checks.js';
import { PANIC_POLICY_CHECKS } from './panic-policy-checks.js';
import { SECURITY_CHECKS } from './security-checks.js';

/** Every readiness check, in the order doctor prints them. */
export const ALL_CHECKS: readonly CheckRow[] = [
  ...CRASH_CAPTURE_CHECKS,
  ...PANIC_POLICY_CHECKS,
  ...LOG_CHECKS,
  ...BOOT_CHECKS,
  ...DANGER_CHECKS,
  ...SECURITY_CHECKS,
];
