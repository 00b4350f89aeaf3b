; boot/embedded_cfg.asm: the default moat.cfg built into moat.efi, used when the boot volume has none.
bits 64
section .rodata
global boot_embedded_cfg
global boot_embedded_cfg_end
boot_embedded_cfg:
	incbin "boot/default.cfg"
boot_embedded_cfg_end:
	db 0

section .note.GNU-stack noalloc noexec nowrite progbits
