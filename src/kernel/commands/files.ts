import { KtError } from '../../errors.js';
import type { KernelObject } from '../kernel-object.js';
import type { KernelView } from '../kernel-view.js';
import { allTasks } from '../loaded.js';

/** S_IFMT kinds (include/uapi/linux/stat.h: #defines, not in BTF) as crash names them. */
const FILE_TYPES: readonly [number, string][] = [
  [0o140000, 'SOCK'], [0o120000, 'LNK'], [0o100000, 'REG'], [0o060000, 'BLK'], [0o040000, 'DIR'], [0o020000, 'CHR'], [0o010000, 'PIPE'],
];
const S_IFMT = 0o170000;
const FDS_MAX = 65536;
const PATH_DEPTH_MAX = 256;

export interface OpenFile {
  fd: number;
  file: bigint;
  dentry: bigint;
  inode: bigint;
  type: string;
  /** Absent for pipes and sockets, as in crash. */
  path?: string;
}

export interface TaskFiles {
  task: { pid: number; address: bigint; cpu: number; comm: string };
  root?: string;
  cwd?: string;
  files: OpenFile[];
}

/** `files PID`: the task's root, cwd and open file descriptors with their paths. */
export function filesCommand(view: KernelView, pid: number): TaskFiles {
  const info = allTasks(view).find((t) => t.pid === pid);
  if (!info) throw new KtError('KT_E_USAGE', `${view.source}: no task with PID ${pid}`);
  const task = view.object(info.address, 'struct task_struct');
  const out: TaskFiles = { task: { pid, address: info.address, cpu: info.cpu, comm: info.comm }, files: [] };
  const fs = task.member('fs').deref();
  if (fs.address !== 0n) {
    out.root = pathOf(view, fs.member('root'));
    out.cwd = pathOf(view, fs.member('pwd'));
  }
  const files = task.member('files').deref();
  if (files.address === 0n) return out;
  const fdt = files.member('fdt').deref();
  const max = Math.min(fdt.member('max_fds').number(), FDS_MAX);
  const fds = fdt.member('fd').value();
  const table = view.mem.read(fds, max * 8);
  for (let fd = 0; fd < max; fd++) {
    const file = table.readBigUInt64LE(fd * 8);
    if (file === 0n) continue;
    try {
      out.files.push(openFile(view, fd, view.object(file, 'struct file')));
    } catch {
      view.unknowns.push(`fd ${fd} of PID ${pid}`);
    }
  }
  return out;
}

function openFile(view: KernelView, fd: number, file: KernelObject): OpenFile {
  const inode = file.member('f_inode').value();
  const mode = inode === 0n ? 0 : view.object(inode, 'struct inode').member('i_mode').number();
  const type = FILE_TYPES.find(([bits]) => (mode & S_IFMT) === bits)?.[1] ?? '?';
  const entry: OpenFile = { fd, file: file.address, dentry: file.member('f_path.dentry').value(), inode, type };
  if (type !== 'PIPE' && type !== 'SOCK') entry.path = pathOf(view, file.member('f_path'));
  return entry;
}

/** d_path(): the dentry's names up to its mount's root, then across each mount point to `/`. */
export function pathOf(view: KernelView, path: KernelObject): string {
  let dentry = path.member('dentry').value();
  const vfsmount = path.member('mnt').value();
  if (dentry === 0n || vfsmount === 0n) return '?';
  let mount = view.containerOf(vfsmount, 'struct mount', 'mnt');
  const names: string[] = [];
  for (let i = 0; i < PATH_DEPTH_MAX; i++) {
    const d = view.object(dentry, 'struct dentry');
    const root = mount.member('mnt.mnt_root').value();
    if (dentry === root) {
      const parent = mount.member('mnt_parent').value();
      if (parent === mount.address) break;
      dentry = mount.member('mnt_mountpoint').value();
      mount = view.object(parent, mount.type);
      continue;
    }
    const up = d.member('d_parent').value();
    if (up === dentry) break;
    names.push(d.member('d_name.name').string(256));
    dentry = up;
  }
  return `/${names.reverse().join('/')}`;
}
