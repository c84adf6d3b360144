import type { Collector } from '../collector.js';

/** Filled in below (demo fleet). */
export async function seedDemoFleet(_collector: Collector): Promise<void> {}
