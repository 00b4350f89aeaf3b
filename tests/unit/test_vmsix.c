/* tests/unit/test_vmsix.c: the shadow MSI-X table (vmm/vmsix.c): classifying accesses on the trapped
 * page (table, PBA, other registers to forward), reads from the shadow, the program/mask decisions on
 * the vector-control writes, with non-interrupt addresses refused; and Linux 6.1's own sequences
 * (msix_capability_init, request_irq, an affinity change, free_irq, pci_disable_msix, resume) replayed
 * against a model of vpci_msix.c's glue and of the device (real entries, pending bits). */
#include "check.h"
#include "vmm/vmsix.h"

#define TABLE_OFF 0x2000
#define PBA_OFF 0x3000
#define ENTRIES 5
#define GUEST_ADDR 0xfee00000u
#define GUEST_VECTOR 0x41

static void classify(void)
{
	struct vmsix x;
	CHECK_EQ(vmsix_init(&x, 0, TABLE_OFF, PBA_OFF), -1);
	CHECK_EQ(vmsix_init(&x, VMSIX_MAX_ENTRIES + 1, TABLE_OFF, PBA_OFF), -1);
	CHECK_EQ(vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF), 0);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF, 4), VMSIX_TABLE);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF + ENTRIES * 16 - 4, 4), VMSIX_TABLE);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF + ENTRIES * 16, 4), VMSIX_OTHER); /* same page, a device register */
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF - 4, 4), VMSIX_OTHER);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF - 2, 4), VMSIX_OTHER); /* straddles: not the table's */
	CHECK_EQ(vmsix_classify(&x, PBA_OFF, 8), VMSIX_PBA);
	CHECK_EQ(vmsix_classify(&x, PBA_OFF + 8, 4), VMSIX_OTHER);
}

static void shadow_and_unmask(void)
{
	struct vmsix x;
	u32 ent = 99;
	vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF);
	u64 e2 = TABLE_OFF + 2 * VMSIX_ENTRY_SIZE;
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_CTRL), VMSIX_CTRL_MASKED); /* masked after reset */
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_ADDR_LO, 4, GUEST_ADDR, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_ADDR_HI, 4, 0, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_DATA, 4, GUEST_VECTOR, &ent), VMSIX_NOTHING);
	CHECK_EQ(ent, 2);
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_ADDR_LO), GUEST_ADDR);
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_DATA), GUEST_VECTOR);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0, &ent), VMSIX_PROGRAM);
	CHECK_EQ(vmsix_vector(&x, ent), GUEST_VECTOR);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0, &ent), VMSIX_NOTHING); /* already unmasked */
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, VMSIX_CTRL_MASKED, &ent), VMSIX_MASK);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0xfffffffe, &ent), VMSIX_PROGRAM); /* reserved bits dropped */
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_CTRL), 0);
	/* PBA: reads 0, writes ignored */
	CHECK_EQ(vmsix_read(&x, PBA_OFF), 0);
	CHECK_EQ(vmsix_write(&x, PBA_OFF, 4, 0xffffffff, &ent), VMSIX_NOTHING);
}

static void refusals(void)
{
	struct vmsix x;
	u32 ent = 0;
	vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF);
	/* unmasking an entry whose address is RAM: the real entry stays masked */
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + VMSIX_ADDR_LO, 4, 0x100000, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + VMSIX_CTRL, 4, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_ADDR_LO, 4, GUEST_ADDR, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_ADDR_HI, 4, 1, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_CTRL, 4, 0, &ent), VMSIX_REFUSED);
	/* sizes and alignment Moat does not emulate */
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 2, 4, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF, 8, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + ENTRIES * 16, 4, 0, &ent), VMSIX_REFUSED); /* not the table's: forward */
	CHECK_EQ(vmsix_read(&x, TABLE_OFF + 1), 0);
	CHECK_EQ(vmsix_vector(&x, ENTRIES), 0);
}

/* --- Linux's sequences. The model: what vpci_msix.c does with vmsix's answers (program = a real entry
 * holding Moat's own message, gvec = what Moat injects), and a device that holds a message of a
 * masked real entry in its pending bit and sends it when the entry is programmed again. */
#define E1000E_ENTRIES 5 /* QEMU's e1000e table; Linux uses entries 0-2 (rx, tx, other) */
#define E1000E_USED 3
#define PLACEHOLDER 0xef /* MANAGED_IRQ_SHUTDOWN_VECTOR: the vector before request_irq */
#define MOAT_MSG_ADDR 0xfee00010u /* stands for Moat's remappable message */
#define PCI_MSIX_FLAGS_MASKALL 0x4000u
#define PCI_MSIX_FLAGS_ENABLE 0x8000u

struct model {
	struct vmsix x;
	bool programmed[E1000E_ENTRIES];
	u32 real_addr[E1000E_ENTRIES]; /* what the device's entry holds */
	u8 gvec[E1000E_ENTRIES];
	bool dev_pending[E1000E_ENTRIES];
	u32 programs, masks, injected[256];
};

static void deliver(struct model *m, u32 e) { m->injected[m->gvec[e]]++; }

static void sync(struct model *m, u32 e)
{
	enum vmsix_act a = vmsix_sync(&m->x, e, m->programmed[e]);
	if (a == VMSIX_PROGRAM) {
		m->programmed[e] = true;
		m->real_addr[e] = MOAT_MSG_ADDR;
		m->gvec[e] = vmsix_vector(&m->x, e);
		m->programs++;
		if (m->dev_pending[e]) { /* unmasked with its pending bit set: the device sends now */
			m->dev_pending[e] = false;
			deliver(m, e);
		}
	} else if (a == VMSIX_MASK) {
		m->programmed[e] = false;
		m->masks++;
	}
}

/* vpci_msix.c's table_dword for a guest writel. */
static void writel(struct model *m, u64 off, u32 val)
{
	u32 e = 0;
	enum vmsix_act a = vmsix_write(&m->x, off, 4, val, &e);
	if (a == VMSIX_REFUSED)
		return;
	if (a != VMSIX_NOTHING || m->programmed[e])
		sync(m, e);
	if (m->programmed[e])
		m->gvec[e] = vmsix_vector(&m->x, e);
}

static u32 readl(struct model *m, u64 off) { return vmsix_read(&m->x, off); }

/* vpci_msix_write: a configuration write of Message Control. */
static void msgctl(struct model *m, u16 val)
{
	vmsix_set_control(&m->x, val);
	for (u32 e = 0; e < m->x.n; e++)
		sync(m, e);
}

/* The device signals entry e: through a programmed entry to that entry's own host vector
 * (vpci_msix_fired injects it while it is live), else into its pending bit. */
static void fire(struct model *m, u32 e)
{
	if (m->programmed[e]) {
		if (vmsix_live(&m->x, e))
			deliver(m, e);
	} else {
		m->dev_pending[e] = true;
	}
}

static u64 entry(u32 e, u32 field) { return TABLE_OFF + (u64)e * VMSIX_ENTRY_SIZE + field; }

/* __pci_write_msi_msg for an MSI-X entry (6.1): masked around the writes when it was unmasked. */
static void write_msg(struct model *m, u32 e, u32 lo, u32 data, bool unmasked)
{
	if (unmasked)
		writel(m, entry(e, VMSIX_CTRL), VMSIX_CTRL_MASKED);
	writel(m, entry(e, VMSIX_ADDR_LO), lo);
	writel(m, entry(e, VMSIX_ADDR_HI), 0);
	writel(m, entry(e, VMSIX_DATA), data);
	if (unmasked)
		writel(m, entry(e, VMSIX_CTRL), 0);
	(void)readl(m, entry(e, VMSIX_DATA)); /* the flush */
}

static u8 linux_vector(u32 e) { return (u8)(0x22 + e); }

/* pci_enable_msix_range(3) on QEMU's e1000e, then e1000_request_msix. */
static void linux_enable(struct model *m)
{
	vmsix_init(&m->x, E1000E_ENTRIES, TABLE_OFF, PBA_OFF);
	msgctl(m, PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	for (u32 e = 0; e < E1000E_USED; e++) /* msix_setup_msi_descs: the reset state is masked */
		CHECK_EQ(readl(m, entry(e, VMSIX_CTRL)), VMSIX_CTRL_MASKED);
	for (u32 e = 0; e < E1000E_USED; e++) /* early activation, reservation mode */
		write_msg(m, e, GUEST_ADDR, PLACEHOLDER, false);
	for (u32 e = 0; e < E1000E_ENTRIES; e++) /* msix_mask_all */
		writel(m, entry(e, VMSIX_CTRL), VMSIX_CTRL_MASKED);
	msgctl(m, PCI_MSIX_FLAGS_ENABLE); /* MASKALL cleared */
	CHECK_EQ(m->programs, 0);
	for (u32 e = 0; e < E1000E_USED; e++) { /* request_irq: affinity (masked), then unmask */
		write_msg(m, e, GUEST_ADDR, linux_vector(e), false);
		CHECK(!m->programmed[e]);
		writel(m, entry(e, VMSIX_CTRL), 0);
		CHECK(m->programmed[e]);
	}
}

static void linux_msix_enable(void)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	linux_enable(&m);
	CHECK_EQ(m.programs, E1000E_USED);
	for (u32 e = 0; e < E1000E_USED; e++) {
		CHECK_EQ(m.gvec[e], linux_vector(e)); /* the real vector, not the placeholder */
		CHECK_EQ(m.real_addr[e], MOAT_MSG_ADDR); /* Moat's message, never the guest's */
		CHECK_EQ(readl(&m, entry(e, VMSIX_ADDR_LO)), GUEST_ADDR); /* the guest reads its own */
		CHECK_EQ(readl(&m, entry(e, VMSIX_DATA)), linux_vector(e));
	}
	for (u32 e = E1000E_USED; e < E1000E_ENTRIES; e++)
		CHECK(!m.programmed[e]);
	fire(&m, 2); /* e1000e_up: ICS LSC|OTHER on the "other" vector */
	CHECK_EQ(m.injected[linux_vector(2)], 1);
	CHECK_EQ(m.injected[PLACEHOLDER], 0);
}

static void linux_msix_mask_pending(void)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	linux_enable(&m);
	/* disable_irq(rx): pci_msix_mask then readl(mask_base) */
	writel(&m, entry(0, VMSIX_CTRL), VMSIX_CTRL_MASKED);
	(void)readl(&m, TABLE_OFF);
	CHECK(!m.programmed[0]);
	fire(&m, 0);
	CHECK_EQ(m.injected[linux_vector(0)], 0); /* masked: not delivered */
	CHECK(m.dev_pending[0]);                  /* but held by the device */
	fire(&m, 1);
	CHECK_EQ(m.injected[linux_vector(1)], 1); /* the other entries go on */
	writel(&m, entry(0, VMSIX_CTRL), 0);      /* enable_irq: the held message arrives */
	CHECK_EQ(m.injected[linux_vector(0)], 1);
	CHECK(!m.dev_pending[0]);
	/* the function mask (__pci_restore_msix_state sets it) holds every entry */
	msgctl(&m, PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	for (u32 e = 0; e < E1000E_USED; e++)
		CHECK(!m.programmed[e] && !vmsix_live(&m.x, e));
	fire(&m, 1);
	CHECK_EQ(m.injected[linux_vector(1)], 1);
	/* resume rewrites each message with the mask dance while MASKALL is set: nothing programmed */
	for (u32 e = 0; e < E1000E_USED; e++)
		write_msg(&m, e, GUEST_ADDR, linux_vector(e), true);
	CHECK(!m.programmed[1]);
	msgctl(&m, PCI_MSIX_FLAGS_ENABLE);
	for (u32 e = 0; e < E1000E_USED; e++)
		CHECK(m.programmed[e]);
	CHECK_EQ(m.injected[linux_vector(1)], 2);
}

static void linux_msix_affinity_and_teardown(void)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	linux_enable(&m);
	u32 programs = m.programs;
	/* an affinity change on an unmasked entry: mask, new address/data, unmask */
	write_msg(&m, 1, GUEST_ADDR | 0x1000u, 0x41, true);
	CHECK(m.programmed[1]);
	CHECK_EQ(m.gvec[1], 0x41);
	CHECK_EQ(m.programs, programs + 1);
	fire(&m, 1);
	CHECK_EQ(m.injected[0x41], 1);
	CHECK_EQ(m.injected[linux_vector(1)], 0);
	/* a guest that changes data while unmasked (older kernels): the new vector, no reprogramming */
	writel(&m, entry(1, VMSIX_DATA), 0x42);
	CHECK_EQ(m.gvec[1], 0x42);
	CHECK_EQ(m.programs, programs + 1);
	/* ... or points it away from the interrupt window: the real entry is masked */
	writel(&m, entry(1, VMSIX_ADDR_LO), 0x100000u);
	CHECK(!m.programmed[1]);
	/* free_irq: mask + flush, then msi_domain_deactivate writes a zero message while masked */
	for (u32 e = 0; e < E1000E_USED; e++) {
		writel(&m, entry(e, VMSIX_CTRL), VMSIX_CTRL_MASKED);
		(void)readl(&m, TABLE_OFF);
		write_msg(&m, e, 0, 0, false);
		CHECK(!m.programmed[e]);
	}
	fire(&m, 0);
	CHECK_EQ(m.injected[0], 0);
	/* pci_disable_msix: every entry masked, enable cleared */
	msgctl(&m, 0);
	for (u32 e = 0; e < E1000E_ENTRIES; e++)
		CHECK(!m.programmed[e] && !vmsix_live(&m.x, e));
	CHECK_EQ(m.x.ctrl, 0);
}

static void control_bits(void)
{
	struct vmsix x;
	u32 ent;
	vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF);
	vmsix_write(&x, TABLE_OFF + VMSIX_ADDR_LO, 4, GUEST_ADDR, &ent);
	vmsix_write(&x, TABLE_OFF + VMSIX_CTRL, 4, 0, &ent);
	CHECK(!vmsix_live(&x, 0)); /* MSI-X off */
	vmsix_set_control(&x, 0x7ff | PCI_MSIX_FLAGS_ENABLE); /* the size field is not the guest's */
	CHECK_EQ(x.ctrl, PCI_MSIX_FLAGS_ENABLE);
	CHECK(vmsix_live(&x, 0));
	CHECK(!vmsix_live(&x, 1)); /* still masked */
	CHECK(!vmsix_live(&x, ENTRIES));
	CHECK_EQ(vmsix_sync(&x, 0, false), VMSIX_PROGRAM);
	CHECK_EQ(vmsix_sync(&x, 0, true), VMSIX_NOTHING);
	vmsix_set_control(&x, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	CHECK_EQ(vmsix_sync(&x, 0, true), VMSIX_MASK);
	CHECK_EQ(vmsix_sync(&x, 0, false), VMSIX_NOTHING);
}

static const struct unit_test vmsix_tests[] = {
	UNIT_TEST(linux_msix_enable),
	UNIT_TEST(linux_msix_mask_pending),
	UNIT_TEST(linux_msix_affinity_and_teardown),
	UNIT_TEST(control_bits),
	UNIT_TEST(classify),
	UNIT_TEST(shadow_and_unmask),
	UNIT_TEST(refusals),
};
UNIT_SUITE(vmsix_suite, vmsix_tests);
