import { KtError } from '../errors.js';
import { ModuleDirectory, moduleKey, openModuleFile } from './module-files.js';
import { SymbolFile, type SymbolFileOptions } from './symbol-file.js';

/** Where the symbolizer finds the kernel's and the modules' symbol files. */
export interface SymbolSource {
  vmlinux(): SymbolFile | undefined;
  module(name: string): SymbolFile | undefined;
  /** Problems met while opening files (a module that is missing or unreadable); not fatal. */
  readonly notes: string[];
}

/** A vmlinux path and/or a modules directory, each opened on first use and kept. */
export class FileSymbolSource implements SymbolSource {
  private kernel?: SymbolFile | null;
  private readonly modules = new Map<string, SymbolFile | null>();
  private readonly dir?: ModuleDirectory;
  readonly notes: string[] = [];

  constructor(private readonly options: { vmlinux?: string; modules?: string; cacheDir?: string }) {
    if (options.modules) this.dir = new ModuleDirectory(options.modules);
  }

  private openFile(path: string): SymbolFile {
    return SymbolFile.open(path, this.fileOptions());
  }

  private fileOptions(): SymbolFileOptions {
    return this.options.cacheDir !== undefined ? { cacheDir: this.options.cacheDir } : {};
  }

  /** Writes the answer caches of every file opened. */
  saveCaches(): void {
    if (this.kernel) this.kernel.cache?.save();
    for (const m of this.modules.values()) m?.cache?.save();
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

  module(name: string): SymbolFile | undefined {
    const key = moduleKey(name);
    const hit = this.modules.get(key);
    if (hit !== undefined) return hit ?? undefined;
    let file: SymbolFile | null = null;
    const found = this.dir?.find(name);
    if (!found) {
      if (this.dir) this.notes.push(`module ${name}: no ${name}.ko under ${this.dir.root}`);
    } else {
      try {
        file = new SymbolFile(openModuleFile(found), this.fileOptions());
      } catch (e) {
        if (!(e instanceof KtError)) throw e;
        this.notes.push(`module ${name}: ${e.message}`);
      }
    }
    this.modules.set(key, file);
    return file ?? undefined;
  }
}
