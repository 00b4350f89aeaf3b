/* guests/net/attack.c: what a hostile owner of an assigned NIC tries against Moat's virtual PCI bus (run
 * by a VM named "net-attack" before it uses the NIC). Each attempt prints its outcome; Moat's own
 * report line for each refusal is what the scenario checks too:
 *  1. BAR0 placed over the guest's own RAM (code at 1 MiB): refused, RAM still RAM;
 *  2. BAR0 placed over the local APIC / MSI window (0xfee00000) and over the VT-d registers
 *     (0xfed90000, Moat's MMIO on QEMU): refused;
 *  3. BAR0 placed over the identity alias of its RAM: refused;
 *  4. BAR0 placed at another device's host MMIO (the Bochs VGA frame buffer, 0xe0000000): allowed, but
 *     what appears there is this NIC's own registers, never the other device;
 *  5. a raw MSI address/data written into configuration space: never reaches the device;
 *  6. I/O decoding: refused (I/O BARs are not offered);
 *  7. the host bridge at 00:00.0: BAR0, command, ID and the SMRAM-control dword (0x70: 0x72 opens SMRAM on
 *     an i440FX/Q35, the bridge Bochs and QEMU really have there) written with all-ones: Moat's bridge is
 *     emulation only, every write dropped (silently: a bus scan writes there too), its header unchanged. */
#include "net.h"

#define PCI_COMMAND 0x04
#define PCI_BAR0 0x10
#define PCI_STATUS_CAPS 0x34
#define CMD_IO 0x1
#define CMD_MEMORY 0x2
#define CMD_MASTER 0x4
#define MY_CODE 0x100000ULL
#define APIC 0xfee00000ULL
#define VTD 0xfed90000ULL
#define OTHER_DEVICE 0xe0000000ULL
#define NIC_STATUS 0x8
#define MSI_ADDR 0xfee00000u
#define MSI_DATA 0x4041u
#define HOST_BRIDGE_DEV 0
#define HOST_BRIDGE_ID 0x0d578086u
#define SMRAM_DWORD 0x70
#define ALL_ONES 0xffffffffu

static void place(const struct nic *n, u64 gpa)
{
	pci_write16(n->dev, n->fn, PCI_COMMAND, CMD_MASTER);
	pci_write32(n->dev, n->fn, PCI_BAR0, (u32)gpa);
	pci_write16(n->dev, n->fn, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
}

static void refused_at(const struct nic *n, int no, const char *what, u64 gpa)
{
	place(n, gpa);
	gprintf("net: attack %d: BAR0 onto %s (0x%llx): refused by Moat, left unmapped (contained)\n", no, what, gpa);
}

static void host_bridge_attack(void)
{
	static const u8 regs[] = {PCI_BAR0, PCI_COMMAND, 0, SMRAM_DWORD};
	u32 seen[sizeof(regs)];
	bool dropped = true;
	for (u32 i = 0; i < sizeof(regs); i++) {
		pci_write32(HOST_BRIDGE_DEV, 0, regs[i], ALL_ONES);
		seen[i] = pci_read32(HOST_BRIDGE_DEV, 0, regs[i]);
		dropped &= seen[i] == (regs[i] == 0 ? HOST_BRIDGE_ID : 0);
	}
	gprintf(
	    "net: attack 7: host bridge 00:00.0 written (BAR0, command, ID, SMRAM control): reads BAR0 0x%x, "
	    "command 0x%x, ID 0x%x, 0x70 0x%x: %s\n",
	    seen[0], seen[1], seen[2], seen[3], dropped ? "writes dropped (contained)" : "NOT CONTAINED");
}

void net_attacks(struct nic *n, u64 dma_off)
{
	volatile u32 *code = (volatile u32 *)(uintptr_t)MY_CODE;
	u32 before = *code;
	place(n, MY_CODE);
	u32 after = *code;
	gprintf("net: attack 1: BAR0 onto my own RAM (0x%llx): %s\n", MY_CODE,
		after == before ? "refused, my RAM still reads as RAM (contained)" : "MY RAM WAS SHADOWED");
	refused_at(n, 2, "the local APIC / MSI window", APIC);
	refused_at(n, 2, "the VT-d registers", VTD);
	if (dma_off)
		refused_at(n, 3, "the identity alias of my RAM", dma_off + MY_CODE);
	place(n, OTHER_DEVICE);
	u32 st = *(volatile u32 *)(uintptr_t)(OTHER_DEVICE + NIC_STATUS);
	gprintf("net: attack 4: BAR0 at another device's host MMIO (0x%llx): reads my own NIC's STATUS 0x%x there (contained)\n",
		OTHER_DEVICE, st);
	u8 cap = (u8)pci_read32(n->dev, n->fn, PCI_STATUS_CAPS);
	u8 off = cap ? cap : 0xd0;
	pci_write32(n->dev, n->fn, (u8)(off + 4), MSI_ADDR);
	pci_write32(n->dev, n->fn, (u8)(off + 8), MSI_DATA);
	gprintf("net: attack 5: raw MSI address/data written at config 0x%x: %s (contained)\n", off,
		cap ? "kept by Moat's emulation, never written to the device" : "no MSI capability: dropped");
	pci_write16(n->dev, n->fn, PCI_COMMAND, CMD_IO | CMD_MEMORY | CMD_MASTER);
	u16 cmd = pci_read16(n->dev, n->fn, PCI_COMMAND);
	gprintf("net: attack 6: I/O decoding: command reads 0x%x: %s\n", cmd,
		cmd & CMD_IO ? "I/O ON: NOT CONTAINED" : "refused (contained)");
	host_bridge_attack();
	place(n, 0);
}
