# drgn's answers for `ktriage vmcore ps/mod/bt` (ground truth for the inspection tests):
#   drgn -q -c VMCOREFILE -s vmlinux [-s module.ko ...] scripts/lab/drgn-inspect-truth.py > truth.json
# Prints one JSON object: tasks (pid, tgid, ppid, comm, state char, cpu), modules (name, base,
# size, taints), the crashed thread's and every D-state task's stack trace (function names,
# inlined frames marked).
import json
import sys

from drgn import cast
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

prog = globals()["prog"]
out = {}


def frames(trace):
    res = []
    for f in trace:
        name = getattr(f, "name", None)
        if name is None or name.startswith("0x"):
            try:
                name = f.symbol().name
            except LookupError:
                name = None
        try:
            pc = hex(f.pc)
        except LookupError:  # drgn could not unwind past here (e.g. an IRQ stack switch)
            res.append({"name": None, "inline": False, "pc": None, "unknown": True})
            break
        res.append({"name": name, "inline": bool(getattr(f, "is_inline", False)), "pc": pc})
    return res


tasks = []
for t in for_each_task(prog):
    parent = t.real_parent
    tasks.append({
        "pid": t.pid.value_(), "tgid": t.tgid.value_(), "ppid": parent.pid.value_(),
        "comm": t.comm.string_().decode(errors="replace"), "state": task_state_to_char(t),
        "cpu": task_cpu(t), "task": hex(t.value_()), "kthread": not t.mm.value_(),
    })
out["tasks"] = tasks

mods = []
for m in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
    if m.prog_.type("struct module").has_member("mem"):
        base = m.mem[0].base.value_()
        size = sum(m.mem[i].size.value_() for i in range(4))
    else:
        base = m.core_layout.base.value_()
        size = m.core_layout.size.value_()
    mods.append({"name": m.name.string_().decode(), "base": hex(base), "size": size, "taints": m.taints.value_(), "module": hex(m.value_())})
out["modules"] = mods

try:
    t = prog.crashed_thread()
    out["crashed"] = {"tid": t.tid, "frames": frames(t.stack_trace())}
except Exception as e:  # noqa: BLE001
    out["crashed"] = {"error": repr(e)}

blocked = []
for t in for_each_task(prog):
    if task_state_to_char(t) != "D":
        continue
    try:
        blocked.append({"pid": t.pid.value_(), "frames": frames(prog.stack_trace(t))})
    except Exception as e:  # noqa: BLE001
        blocked.append({"pid": t.pid.value_(), "error": repr(e)})
out["blocked"] = blocked

sleeping = []
for t in for_each_task(prog):
    if t.pid.value_() in (1, 2) or "khungtaskd" in t.comm.string_().decode():
        try:
            sleeping.append({"pid": t.pid.value_(), "frames": frames(prog.stack_trace(t))})
        except Exception as e:  # noqa: BLE001
            sleeping.append({"pid": t.pid.value_(), "error": repr(e)})
out["sleeping"] = sleeping
json.dump(out, sys.stdout, indent=1)
print()
