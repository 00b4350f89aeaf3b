# tools/netboot/netboot.mk: builds build/netboot.efi, the bare runner of the NIC benchmark
# (tools/bench/net.sh), a GNU-EFI app separate from moat.efi. It compiles guests/net's sources and
# guests/lib's printf unchanged, with tools/netboot/net_bare.c standing in for Moat (see there).
# Included at the end of the top Makefile; `make netboot` builds it.
NETBOOT_OUT := $(BUILD)/netboot
NETBOOT_C := tools/netboot/netboot.c tools/netboot/net_bare.c guests/net/e1000.c guests/net/pci.c \
	guests/net/proto.c guests/net/dhcp.c guests/net/attack.c guests/net/irq.c guests/lib/guest_lib.c
NETBOOT_OBJS := $(NETBOOT_C:%.c=$(NETBOOT_OUT)/%.o)
# The guest code (all but netboot.c) is compiled as guests/guests.mk compiles net.elf, so that both runs
# execute the same instructions (Bochs ticks count instructions): GUEST_CFLAGS' code generation (SSE
# allowed, no forced frame pointer), plus what a relocated PE image needs (-fpic, hidden visibility).
NETBOOT_GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -fpic -fvisibility=hidden \
	-fno-stack-protector -mno-red-zone -fno-asynchronous-unwind-tables -Iguests/lib -Iguests/net

.PHONY: netboot
netboot: $(BUILD)/netboot.efi

$(NETBOOT_OUT)/tools/netboot/netboot.o: tools/netboot/netboot.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_CFLAGS) -MMD -MP -c $< -o $@

$(NETBOOT_OUT)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(NETBOOT_GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(NETBOOT_OUT)/netboot.so: $(NETBOOT_OBJS)
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds $(EFI_CRT0) \
		$(NETBOOT_OBJS) -o $@ -L$(EFI_LIB) -lefi -lgnuefi

$(BUILD)/netboot.efi: $(NETBOOT_OUT)/netboot.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

-include $(NETBOOT_OBJS:.o=.d)
