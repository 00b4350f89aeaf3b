# tools/pvhboot/pvhboot.mk: builds build/pvhboot.efi, the bare PVH loader of the Linux boot
# benchmark (tools/bench/linux.sh), a GNU-EFI app separate from moat.efi. It shares Moat's PVH
# code (vmm/pvh_*.c, vmm/guest_image.c), the boot stage's file reader (boot/efi_files.c) and
# string/format helpers, compiled here on their own.
# Included at the end of the top Makefile; `make pvhboot` builds it.
PVHBOOT_OUT := $(BUILD)/pvhboot
PVHBOOT_C := tools/pvhboot/pvhboot.c tools/pvhboot/pvhboot_e820.c boot/efi_files.c vmm/pvh_note.c vmm/pvh_kernel.c \
	vmm/pvh_start_info.c vmm/guest_image.c kernel/string.c kernel/fmt.c
PVHBOOT_OBJS := $(PVHBOOT_C:%.c=$(PVHBOOT_OUT)/%.o) $(PVHBOOT_OUT)/tools/pvhboot/pvhboot_jump.asm.o
PVHBOOT_LDS := $(EFI_LIB)/elf_x86_64_efi.lds

.PHONY: pvhboot
pvhboot: $(BUILD)/pvhboot.efi

$(PVHBOOT_OUT)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_CFLAGS) -MMD -MP -c $< -o $@

$(PVHBOOT_OUT)/%.asm.o: %.asm | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

$(PVHBOOT_OUT)/pvhboot.so: $(PVHBOOT_OBJS)
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(PVHBOOT_LDS) $(EFI_CRT0) $(PVHBOOT_OBJS) \
		-o $@ -L$(EFI_LIB) -lefi -lgnuefi

$(BUILD)/pvhboot.efi: $(PVHBOOT_OUT)/pvhboot.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

-include $(PVHBOOT_OBJS:.o=.d)
