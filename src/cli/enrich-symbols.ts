import type { CrashReport } from '../reports/crash-report.js';
import { debuginfodUrls } from '../symbols/debuginfod-client.js';
import { FileSymbolSource } from '../symbols/symbol-source.js';
import { symbolizeReports } from '../symbols/symbolize-reports.js';
import type { AnalyzeOptions } from './parse-args.js';

/** Resolves every frame of the reports to file:line with the symbol files the options name. */
export async function enrichWithSymbols(reports: CrashReport[], options: AnalyzeOptions): Promise<CrashReport[]> {
  const source = new FileSymbolSource({
    ...(options.vmlinux !== undefined && { vmlinux: options.vmlinux }),
    ...(options.modules !== undefined && { modules: options.modules }),
    ...(options.symbolCache !== undefined && { cacheDir: options.symbolCache }),
    ...(options.debugDirs !== undefined && { debugDirs: options.debugDirs }),
    ...(options.systemMap !== undefined && { systemMap: options.systemMap }),
  });
  const urls = debuginfodUrls(process.env);
  if (urls.length > 0 && options.symbolCache !== undefined) {
    const ids = reports.flatMap((r) => (r.ip?.buildId ? [r.ip.buildId] : []));
    await source.prefetch(ids, urls, `${options.symbolCache}/debuginfod`);
  }
  await source.prefetchModules(reports.flatMap((r) => [...(r.ip?.module ? [r.ip.module] : []), ...r.stacks.flatMap((s) => s.frames.flatMap((f) => (f.module ? [f.module] : [])))]));
  const symbolized = symbolizeReports(reports, source);
  source.saveCaches();
  return symbolized;
}
