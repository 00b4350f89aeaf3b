#!/usr/bin/env python3
"""tools/linux/initramfs.py: writes a gzip-compressed initramfs (cpio "newc" format) from a list
of entries, reproducibly (every timestamp 0, owner root, entries in the order given). Standard
library only, so it needs neither the cpio package nor root (device nodes are just headers).

usage: initramfs.py OUT.cpio.gz ENTRY...
  dir:PATH:MODE                 a directory                  dir:/proc:755
  file:PATH:MODE:HOSTFILE       a regular file's contents    file:/init:755:tools/linux/init.sh
  link:PATH:TARGET              a symbolic link              link:/bin/sh:busybox
  cdev:PATH:MODE:MAJOR:MINOR    a character device node      cdev:/dev/console:600:5:1
MODE is octal permission bits. Exits 1 with a one-line reason on a bad entry or unreadable file.
"""
import gzip
import stat
import sys

NEWC_MAGIC = b"070701"
HEADER_FIELDS = 13  # magic is followed by 13 eight-digit hex fields
ALIGN = 4
TRAILER = "TRAILER!!!"
GZIP_LEVEL = 9


def die(msg):
    print(f"initramfs.py: {msg}", file=sys.stderr)
    sys.exit(1)


def pad(n):
    return b"\0" * (-n % ALIGN)


def record(ino, mode, name, data=b"", nlink=1, rmajor=0, rminor=0):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rmajor, rminor, len(name_b), 0]
    assert len(fields) == HEADER_FIELDS
    hdr = NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)
    return hdr + name_b + pad(len(hdr) + len(name_b)) + data + pad(len(data))


def octal(s, entry):
    try:
        return int(s, 8)
    except ValueError:
        die(f"'{entry}': MODE '{s}' is not octal")


def build(entries):
    out = bytearray()
    for ino, entry in enumerate(entries, start=1):
        kind, _, rest = entry.partition(":")
        parts = rest.split(":")
        path = parts[0].lstrip("/")
        if not path:
            die(f"'{entry}': empty path")
        if kind == "dir" and len(parts) == 2:
            out += record(ino, stat.S_IFDIR | octal(parts[1], entry), path, nlink=2)
        elif kind == "file" and len(parts) == 3:
            try:
                with open(parts[2], "rb") as f:
                    data = f.read()
            except OSError as e:
                die(f"'{entry}': cannot read {parts[2]}: {e.strerror}")
            out += record(ino, stat.S_IFREG | octal(parts[1], entry), path, data)
        elif kind == "link" and len(parts) == 2:
            out += record(ino, stat.S_IFLNK | 0o777, path, parts[1].encode())
        elif kind == "cdev" and len(parts) == 4:
            out += record(ino, stat.S_IFCHR | octal(parts[1], entry), path, rmajor=int(parts[2]),
                          rminor=int(parts[3]))
        else:
            die(f"bad entry '{entry}' (see --help)")
    out += record(0, 0, TRAILER)
    return bytes(out)


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n", 1)[1], file=sys.stderr)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    data = gzip.compress(build(sys.argv[2:]), compresslevel=GZIP_LEVEL, mtime=0)
    with open(sys.argv[1], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
