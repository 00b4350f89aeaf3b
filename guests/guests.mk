# guests/guests.mk: builds Moat's freestanding test guests into $(BUILD)/guests and adds them
# to GUEST_IMAGES (copied to the ESP's \moat folder). Included by the top Makefile, before its
# first target: only pattern rules and variables here, so that `all` stays the default goal.
#   hello.elf, attacker.elf, bench.elf  ELF64, long-mode entry, linked at 1 MiB (guests/lib)
#   control.elf, worker.elf             ELF64: export/restore through the control hypercalls
#   prot32.elf                          ELF32, protected-mode entry, linked at 1 MiB
#   real16.bin                          flat binary, real-mode entry at 0x1000
GUEST_OUT := $(BUILD)/guests
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -static \
	-fno-pic -no-pie -fno-stack-protector -mno-red-zone -fno-asynchronous-unwind-tables \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Iguests/lib
GUEST_LIB64 := guests/lib/start64.S guests/lib/guest_lib.c guests/lib/idt64.c
GUEST_DEPS := $(GUEST_LIB64) guests/lib/guest.h guests/lib/guest64.ld guests/prot32/guest32.ld \
	vmm/hypercall_abi.h guests/guests.mk

# Per-image settings (target-specific variables; the default is a 64-bit guest).
GUEST_ARCH = -m64 -T guests/lib/guest64.ld
GUEST_LIB = $(GUEST_LIB64)
$(GUEST_OUT)/prot32.elf: GUEST_ARCH = -m32 -march=i686 -Wl,-m,elf_i386 -T guests/prot32/guest32.ld
$(GUEST_OUT)/prot32.elf: GUEST_LIB =
# worker keeps a value in xmm5 across its export and restore: the compiler must not use SSE registers
$(GUEST_OUT)/worker.elf: GUEST_ARCH = -m64 -T guests/lib/guest64.ld -mgeneral-regs-only

# net.elf (issue 8): the assigned-NIC guest, several files (guests/net).
NET_GUEST_SRC := guests/net/e1000.c guests/net/pci.c guests/net/paging.c guests/net/proto.c guests/net/dhcp.c \
	guests/net/attack.c guests/net/irq.c
$(GUEST_OUT)/net.elf: GUEST_LIB = $(GUEST_LIB64) $(NET_GUEST_SRC)
# no explicit rule here (`all` must stay the default goal); before the pattern rule below, which expands
# GUEST_DEPS as it is read: after it, editing guests/net would not rebuild net.elf
GUEST_DEPS += $(NET_GUEST_SRC) guests/net/net.h

$(GUEST_OUT)/%.elf: guests/%/main.c $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_ARCH) -o $@ $< $(GUEST_LIB)

$(GUEST_OUT)/%.bin: guests/%/main.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

GUEST_IMAGES += $(GUEST_OUT)/hello.elf $(GUEST_OUT)/attacker.elf $(GUEST_OUT)/bench.elf \
	$(GUEST_OUT)/prot32.elf $(GUEST_OUT)/real16.bin $(GUEST_OUT)/control.elf $(GUEST_OUT)/worker.elf

GUEST_IMAGES += $(GUEST_OUT)/net.elf
