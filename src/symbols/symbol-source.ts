import { KtError } from '../errors.js';
import { DEFAULT_DEBUG_DIRS, findByBuildId } from './build-id-files.js';
import { fetchDebuginfo } from './debuginfod-client.js';
import { ModuleDirectory, decompressXz, moduleKey, openModuleFile } from './module-files.js';
import { SystemMap } from './system-map.js';
import { SymbolFile, type SymbolFileOptions } from './symbol-file.js';

/** Where the symbolizer finds the kernel's and the modules' symbol files. */
export interface SymbolSource {
  vmlinux(): SymbolFile | undefined;
  /** A module by name, or by the build id the kernel printed after its name. */
  module(name: string, buildId?: string): SymbolFile | undefined;
  /** Function names only (System.map or a kallsyms copy), for when there is no vmlinux. */
  systemMap(): SystemMap | undefined;
  /** Problems met while opening files (a module that is missing or unreadable); not fatal. */
  readonly notes: string[];
}

export interface FileSymbolSourceOptions {
  vmlinux?: string;
  modules?: string;
  /** Directory of the answer cache (answer-cache.ts). */
  cacheDir?: string;
  /** Directories with a `.build-id/` tree (default /usr/lib/debug). */
  debugDirs?: string[];
  /** System.map or a copy of /proc/kallsyms. */
  systemMap?: string;
}

/** A vmlinux path and/or a modules directory, each opened on first use and kept. */
export class FileSymbolSource implements SymbolSource {
  private kernel?: SymbolFile | null;
  private readonly modules = new Map<string, SymbolFile | null>();
  private readonly dir?: ModuleDirectory;
  readonly notes: string[] = [];

  private readonly byId = new Map<string, string>();
  private readonly xzContents = new Map<string, Buffer>();

  /** Decompresses the `.ko.xz` files of these modules now (xz decoding is asynchronous). */
  async prefetchModules(names: Iterable<string>): Promise<void> {
    for (const name of new Set(names)) {
      const file = this.dir?.find(name);
      if (!file?.endsWith('.xz') || this.xzContents.has(file)) continue;
      try {
        this.xzContents.set(file, await decompressXz(file));
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        this.notes.push(`module ${name}: ${e.message}`);
      }
    }
  }
  private map?: SystemMap | null;

  constructor(private readonly options: FileSymbolSourceOptions) {
    if (options.modules) this.dir = new ModuleDirectory(options.modules);
  }

  systemMap(): SystemMap | undefined {
    if (this.map === undefined) this.map = this.options.systemMap ? SystemMap.read(this.options.systemMap) : null;
    return this.map ?? undefined;
  }

  /**
   * Downloads from debuginfod (`DEBUGINFOD_URLS`) the files of build ids that no debug
   * directory has, before the (synchronous) symbolization that uses them.
   */
  async prefetch(buildIds: Iterable<string>, urls: readonly string[], cacheDir: string): Promise<void> {
    for (const id of new Set(buildIds)) {
      if (this.byId.has(id) || findByBuildId(id, this.debugDirs())) continue;
      const file = await fetchDebuginfo(id, urls, cacheDir, this.notes);
      if (file) this.byId.set(id, file);
    }
  }

  private debugDirs(): readonly string[] {
    return this.options.debugDirs ?? DEFAULT_DEBUG_DIRS;
  }

  /** The symbol file of a build id: a debug directory's `.build-id/` tree, then debuginfod downloads. */
  byBuildId(buildId: string): SymbolFile | undefined {
    const file = this.byId.get(buildId) ?? findByBuildId(buildId, this.debugDirs());
    if (!file) return undefined;
    try {
      return this.openFile(file);
    } catch (e) {
      if (!(e instanceof KtError)) throw e;
      this.notes.push(`build id ${buildId}: ${e.message}`);
      return undefined;
    }
  }

  private openFile(path: string): SymbolFile {
    return SymbolFile.open(path, this.fileOptions());
  }

  private fileOptions(): SymbolFileOptions {
    return this.options.cacheDir !== undefined ? { cacheDir: this.options.cacheDir } : {};
  }

  /** Writes the answer caches of every file opened. */
  saveCaches(): void {
    if (this.kernel) this.kernel.saveCache();
    for (const m of this.modules.values()) m?.saveCache();
  }

  vmlinux(): SymbolFile | undefined {
    if (this.kernel === undefined) {
      if (!this.options.vmlinux) this.kernel = this.dir ? this.fromModulesDir() : null;
      else this.kernel = this.openFile(this.options.vmlinux);
    }
    return this.kernel ?? undefined;
  }

  /** Debian's debug package puts vmlinux at the top of the modules directory. */
  private fromModulesDir(): SymbolFile | null {
    try {
      return this.openFile(`${this.options.modules}/vmlinux`);
    } catch (e) {
      if (e instanceof KtError && e.code === 'KT_E_NO_SUCH_FILE') return null;
      throw e;
    }
  }

  module(name: string, buildId?: string): SymbolFile | undefined {
    if (buildId) {
      const byId = this.byBuildId(buildId);
      if (byId) return byId;
    }
    const key = moduleKey(name);
    const hit = this.modules.get(key);
    if (hit !== undefined) return hit ?? undefined;
    let file: SymbolFile | null = null;
    const found = this.dir?.find(name);
    if (!found) {
      if (this.dir) this.notes.push(`module ${name}: no ${name}.ko under ${this.dir.root}`);
    } else {
      try {
        file = new SymbolFile(openModuleFile(found, this.xzContents.get(found)), this.fileOptions());
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        this.notes.push(`module ${name}: ${e.message}`);
      }
    }
    this.modules.set(key, file);
    return file ?? undefined;
  }
}
