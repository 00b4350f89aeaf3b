#!/usr/bin/env python3
"""tools/linux/vmlinux.py: extracts the ELF `vmlinux` from a Linux x86 bzImage (XZ payload) and
writes a trimmed copy for guests. Standard library only (Debian 12's python3).

usage: vmlinux.py BZIMAGE VMLINUX [TRIMMED]

- VMLINUX: the payload exactly as the kernel's own decompressor would see it (an ELF64 file,
  possibly followed by the relocation table the kernel appends after it).
- TRIMMED: the same program as a compact ELF64: only the ELF header, the program headers and
  the segment bytes, each PT_LOAD without its trailing zero bytes (p_filesz shrinks, p_memsz
  stays, so a loader zero-fills them as it must anyway), the PT_NOTE data copied after them,
  and no section headers. What a PVH loader puts in memory is byte-for-byte the same; the file
  is about half the size, which matters when the firmware reads it from an emulated disk.

Exits 1 with a one-line reason ("vmlinux.py: ...") on anything unexpected.
"""
import lzma
import struct
import sys

# Linux x86 boot protocol (Documentation/x86/boot.rst): offsets in the real-mode setup header.
SETUP_SECTS_OFF = 0x1F1
HDRS_MAGIC_OFF = 0x202
HDRS_MAGIC = b"HdrS"
VERSION_OFF = 0x206
PAYLOAD_OFF = 0x248  # u32 payload_offset, then u32 payload_length (protocol 2.08+)
MIN_PAYLOAD_VERSION = 0x208
SECTOR = 512
DEFAULT_SETUP_SECTS = 4  # setup_sects == 0 means 4
XZ_MAGIC = b"\xfd7zXZ\x00"
SIZE_TRAILER = 4  # the kernel build appends the uncompressed size (u32 LE) after the stream

ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2
ELFDATA2LSB = 1
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1
PT_NOTE = 4
TRIM_ALIGN = 4096  # file offsets stay congruent to p_vaddr modulo this (the new p_align)
NOTE_ALIGN = 8


def die(msg):
    print(f"vmlinux.py: {msg}", file=sys.stderr)
    sys.exit(1)


def payload(bz, name):
    if len(bz) < PAYLOAD_OFF + 8 or bz[HDRS_MAGIC_OFF:HDRS_MAGIC_OFF + 4] != HDRS_MAGIC:
        die(f"{name}: not a bzImage (no 'HdrS' setup header)")
    version = struct.unpack_from("<H", bz, VERSION_OFF)[0]
    if version < MIN_PAYLOAD_VERSION:
        die(f"{name}: boot protocol {version >> 8}.{version & 0xff} has no payload fields (need 2.08+)")
    setup_sects = bz[SETUP_SECTS_OFF] or DEFAULT_SETUP_SECTS
    offset, length = struct.unpack_from("<II", bz, PAYLOAD_OFF)
    start = (setup_sects + 1) * SECTOR + offset
    if start + length > len(bz):
        die(f"{name}: payload (offset {start}, {length} bytes) runs past the end of the file ({len(bz)} bytes)")
    data = bz[start:start + length]
    if not data.startswith(XZ_MAGIC):
        die(f"{name}: payload is not XZ (magic {data[:6].hex()}); only XZ kernels are supported")
    return data


def decompress(data, name):
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    try:
        out = dec.decompress(data)
    except lzma.LZMAError as e:
        die(f"{name}: XZ payload is corrupt: {e}")
    if not dec.eof:
        die(f"{name}: XZ payload is truncated")
    trailer = dec.unused_data
    if len(trailer) == SIZE_TRAILER and struct.unpack("<I", trailer)[0] != len(out):
        die(f"{name}: size trailer says {struct.unpack('<I', trailer)[0]} bytes, decompressed {len(out)}")
    if not out.startswith(ELF_MAGIC) or out[4] != ELFCLASS64 or out[5] != ELFDATA2LSB:
        die(f"{name}: the payload is not a little-endian ELF64 vmlinux")
    return out


def trim(elf):
    eh = list(EHDR.unpack_from(elf, 0))
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    if phentsize != PHDR.size or phoff + phnum * PHDR.size > len(elf):
        die("vmlinux: program headers lie outside the file")
    phdrs = [list(PHDR.unpack_from(elf, phoff + i * PHDR.size)) for i in range(phnum)]
    out = bytearray(EHDR.size + phnum * PHDR.size)
    for ph in phdrs:
        ptype, _, off, vaddr, _, filesz, _, _ = ph
        if ptype not in (PT_LOAD, PT_NOTE) or filesz == 0:
            ph[2] = 0
            continue
        if off + filesz > len(elf):
            die(f"vmlinux: segment at file offset {off:#x} runs past the end of the file")
        data = elf[off:off + filesz]
        if ptype == PT_LOAD:
            data = data.rstrip(b"\0")
            ph[7] = TRIM_ALIGN
            out += bytes((vaddr - len(out)) % TRIM_ALIGN)
        else:
            out += bytes(-len(out) % NOTE_ALIGN)
        ph[2] = len(out)
        ph[5] = len(data)
        out += data
    eh[5] = EHDR.size
    eh[6] = 0  # e_shoff
    eh[11] = 0  # e_shentsize
    eh[12] = 0  # e_shnum
    eh[13] = 0  # e_shstrndx
    EHDR.pack_into(out, 0, *eh)
    for i, ph in enumerate(phdrs):
        PHDR.pack_into(out, EHDR.size + i * PHDR.size, *ph)
    return bytes(out)


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    name = sys.argv[1]
    try:
        with open(name, "rb") as f:
            bz = f.read()
    except OSError as e:
        die(f"cannot read {name}: {e.strerror}")
    elf = decompress(payload(bz, name), name)
    with open(sys.argv[2], "wb") as f:
        f.write(elf)
    if len(sys.argv) == 4:
        with open(sys.argv[3], "wb") as f:
            f.write(trim(elf))


if __name__ == "__main__":
    main()
