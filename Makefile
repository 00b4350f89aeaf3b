# Makefile: builds moat.efi and its ESP tree, runs Moat in the emulators, and runs the tests.
# `make` builds; `make run` boots in QEMU (RUN=bochs: Bochs, RUN=pxe: iPXE netboot);
# `make run-kvm` on an Intel host with nested VMX (`make run-kvm-linux`: the Linux guest with the
# e1000e and DHCP); `make test`; `make bench`; `make image`.

BUILD := build
ESP := $(BUILD)/esp
RUN ?= qemu
CFG ?= tools/default.cfg

CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

# Warnings are errors; code is position independent (the firmware relocates moat.efi);
# no red zone and no SSE in Moat's own code (interrupts share its stacks).
COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -fpic \
	-fvisibility=hidden -fshort-wchar -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64
KERNEL_CFLAGS := $(COMMON_CFLAGS) -fstack-protector-strong
BOOT_CFLAGS := $(COMMON_CFLAGS) -fno-stack-protector
NASMFLAGS := -f elf64 -Werror
# BearSSL (Debian's libbearssl-dev), linked statically: its objects are PIC (GOTPCREL/PLT32 only),
# so they join the -shared link; kernel/crypto_libc.c supplies the hosted symbols it needs.
BEARSSL_LIB := /usr/lib/x86_64-linux-gnu/libbearssl.a

BOOT_C := $(wildcard boot/*.c)
KERNEL_C := $(wildcard kernel/*.c) $(wildcard iommu/*.c) $(wildcard vmm/*.c)
ASM := $(wildcard boot/*.asm) $(wildcard kernel/*.asm) $(wildcard vmm/*.asm)
OBJS := $(BOOT_C:%.c=$(BUILD)/obj/%.o) $(KERNEL_C:%.c=$(BUILD)/obj/%.o) $(ASM:%.asm=$(BUILD)/obj/%.asm.o)
DEPS := $(OBJS:.o=.d)

# Guest programs (guests/guests.mk) add their built images to GUEST_IMAGES; they are copied
# into the ESP's \moat folder beside moat.cfg.
GUEST_IMAGES :=
-include guests/guests.mk

.PHONY: all deps esp esp-linux image run run-kvm run-kvm-linux test unit bench clean fuzz format linux
all: esp

deps:
	@tools/deps.sh

$(BUILD)/.deps-ok: tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/obj/boot/%.o: boot/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.asm.o: %.asm | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/obj/boot/embedded_cfg.asm.o: boot/default.cfg

$(BUILD)/moat.so: $(OBJS) linker.ld
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T linker.ld $(EFI_CRT0) $(OBJS) \
		-o $@ $(BEARSSL_LIB) -L$(EFI_LIB) -lefi -lgnuefi

$(BUILD)/moat.efi: $(BUILD)/moat.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

esp: $(BUILD)/moat.efi $(CFG) $(GUEST_IMAGES)
	@mkdir -p $(ESP)/EFI/BOOT $(ESP)/moat
	cp $(BUILD)/moat.efi $(ESP)/EFI/BOOT/BOOTX64.EFI
	cp $(CFG) $(ESP)/moat/moat.cfg
	rm -f $(ESP)/moat/sealed.bin # written by Moat on first boot (boot/measure.c); stale after a rebuild
	$(if $(GUEST_IMAGES),cp $(GUEST_IMAGES) $(ESP)/moat/)

image: esp
	tools/mkimage.sh $(ESP) $(BUILD)/moat.img

# make run RUN=bochs: the ESP plus the Linux guest's files and tools/linux.cfg (unless CFG= is given).
LINUX_ESP := $(BUILD)/esp-linux
LINUX_CFG := tools/linux.cfg
esp-linux: esp linux
	rm -rf $(LINUX_ESP) && cp -R $(ESP) $(LINUX_ESP)
	cp $(BUILD)/linux/vmlinux.pvh $(BUILD)/linux/initramfs.cpio.gz $(LINUX_ESP)/moat/
	$(if $(filter command line,$(origin CFG)),,cp $(LINUX_CFG) $(LINUX_ESP)/moat/moat.cfg)

run: esp $(if $(filter bochs,$(RUN)),esp-linux)
ifeq ($(RUN),bochs)
	tools/bochs.sh --esp $(LINUX_ESP) --interactive --mem 512
else ifeq ($(RUN),pxe)
	tools/qemu.sh --pxe $(ESP)
else
	tools/qemu.sh --esp $(ESP)
endif

run-kvm: esp
	tools/run-kvm.sh --esp $(ESP)

# The Linux guest under QEMU/KVM with QEMU's e1000e assigned (tools/linux-kvm.cfg, or KVM_CFG=...);
# tools/run-kvm.sh checks the host and the build first. KVM_ARGS=--dry-run prints the command line.
KVM_CFG ?= tools/linux-kvm.cfg
run-kvm-linux: esp linux
	tools/run-kvm.sh --linux $(KVM_CFG) $(KVM_ARGS)

unit: $(BUILD)/.deps-ok
	$(MAKE) -C tests/unit

# The stock Debian kernel and initramfs the Linux-guest scenarios boot (build/linux: apt-get download at
# test time, never committed; tools/linux/fetch.sh is idempotent and quick once done).
linux:
	tools/linux/fetch.sh

test: esp linux
	tests/run_all.sh

bench: esp
	tools/bench.sh

fuzz: $(BUILD)/.deps-ok
	$(MAKE) -C tests/fuzz fuzz-smoke

format:
	clang-format -i $(wildcard boot/*.[ch] kernel/*.[ch] iommu/*.[ch] vmm/*.[ch] guests/*/*.[ch] tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

-include tools/pvhboot/pvhboot.mk
-include tools/netboot/netboot.mk
-include $(DEPS)
