#!/usr/bin/env python3
"""tools/linux/kmods.py: picks kernel modules and their dependencies out of an unpacked Debian
kernel package for the test initramfs (tools/linux/fetch.sh), standard library only.

Debian's package ships no modules.dep (depmod makes it when the package is installed), so the
dependencies come from each module's own .modinfo section ("depends=a,b"); a dependency that
modules.builtin lists is built into the kernel and needs no file. Compressed modules (.ko.xz) are
decompressed, so that busybox insmod can load them as they are.

usage: kmods.py MODDIR OUTDIR NAME...
  MODDIR   lib/modules/<version> of the unpacked package (kernel/..., modules.builtin)
  OUTDIR   gets NAME.ko for every module needed, plus:
             order   one file name a line, dependencies first (load them in this order)
             deps    "NAME.ko: DEP.ko ..." a line (modules.dep's format): what NAME needs
                     loaded first, transitively, in load order
             alias   "PATTERN MODULE" a line: the PCI modalias globs each named module claims
                     (from its alias= fields), for /init to match /sys/bus/pci/devices/*/modalias
Exits 1 with one "kmods.py: ..." line when a module or a dependency cannot be found.
"""
import lzma
import os
import struct
import sys

ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2
SHDR_FMT = "<IIQQQQIIQQ"  # Elf64_Shdr
SUFFIXES = (".ko", ".ko.xz")


def die(msg):
    print(f"kmods.py: {msg}", file=sys.stderr)
    sys.exit(1)


def canon(name):
    return name.replace("-", "_")


def read_module(path):
    with open(path, "rb") as f:
        data = f.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def modinfo(data, path):
    """The key=value strings of the module's .modinfo section."""
    if data[:4] != ELF_MAGIC or data[4] != ELFCLASS64:
        die(f"{path}: not an ELF64 module")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    shdrs = [struct.unpack_from(SHDR_FMT, data, shoff + i * shentsize) for i in range(shnum)]
    strtab = shdrs[shstrndx]
    for sh in shdrs:
        name_off = strtab[4] + sh[0]
        name = data[name_off:data.index(b"\0", name_off)]
        if name == b".modinfo":
            raw = data[sh[4]:sh[4] + sh[5]]
            return [s.decode("ascii", "replace") for s in raw.split(b"\0") if b"=" in s]
    die(f"{path}: no .modinfo section")
    return []


def index_modules(moddir):
    found = {}
    for root, _, files in os.walk(os.path.join(moddir, "kernel")):
        for f in files:
            for suf in SUFFIXES:
                if f.endswith(suf):
                    found.setdefault(canon(f[: -len(suf)]), os.path.join(root, f))
    return found


def builtin_names(moddir):
    path = os.path.join(moddir, "modules.builtin")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {canon(os.path.basename(line.strip())[: -len(".ko")]) for line in f if line.strip()}


def main():
    if len(sys.argv) < 4 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n", 1)[1], file=sys.stderr)
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
    moddir, outdir, wanted = sys.argv[1], sys.argv[2], [canon(n) for n in sys.argv[3:]]
    modules, builtin = index_modules(moddir), builtin_names(moddir)
    os.makedirs(outdir, exist_ok=True)
    order, aliases, done, deps = [], [], set(), {}

    def add(name, chain):
        if name in done:
            return
        if name in chain:
            die(f"dependency loop: {' -> '.join(chain + [name])}")
        if name not in modules:
            if name in builtin:
                done.add(name)
                deps[name] = None
                return
            die(f"module '{name}' ({' -> '.join(chain + [name])}) is neither in {moddir}/kernel nor built in")
        data = read_module(modules[name])
        info = modinfo(data, modules[name])
        needs = []
        for field in info:
            if field.startswith("depends="):
                for dep in filter(None, field[len("depends="):].split(",")):
                    dep = canon(dep)
                    add(dep, chain + [name])
                    if deps[dep] is not None:
                        needs += [d for d in deps[dep] + [dep + ".ko"] if d not in needs]
        deps[name] = needs
        with open(os.path.join(outdir, name + ".ko"), "wb") as f:
            f.write(data)
        done.add(name)
        order.append(name + ".ko")
        if name in wanted:
            aliases.extend(f"{field[len('alias='):]} {name}" for field in info if field.startswith("alias=pci:"))

    for name in wanted:
        add(name, [])
    with open(os.path.join(outdir, "order"), "w") as f:
        f.write("".join(o + "\n" for o in order))
    with open(os.path.join(outdir, "deps"), "w") as f:
        f.write("".join(f"{o}: {' '.join(deps[o[:-3]])}".rstrip() + "\n" for o in order))
    with open(os.path.join(outdir, "alias"), "w") as f:
        f.write("".join(a + "\n" for a in aliases))


if __name__ == "__main__":
    main()
