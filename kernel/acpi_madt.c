/* kernel/acpi_madt.c: MADT ("APIC") parser: local APIC address (and its 64-bit override), CPUs from
 * LAPIC and x2APIC entries, I/O APICs and interrupt source overrides. */
#include "acpi_internal.h"
#include "log.h"

struct madt_walk {
	struct acpi_info *ai;
	u32 dropped_cpus;
	u32 dropped_ioapics;
	u32 dropped_isos;
};

/* Smallest valid length of each entry type Moat reads; other types are skipped by their length. */
static u32 madt_min_len(u8 type)
{
	switch (type) {
	case ACPI_MADT_LAPIC:
		return sizeof(struct acpi_madt_lapic);
	case ACPI_MADT_IOAPIC:
		return sizeof(struct acpi_madt_ioapic);
	case ACPI_MADT_ISO:
		return sizeof(struct acpi_madt_iso);
	case ACPI_MADT_LAPIC_ADDR_OVERRIDE:
		return sizeof(struct acpi_madt_lapic_override);
	case ACPI_MADT_X2APIC:
		return sizeof(struct acpi_madt_x2apic);
	default:
		return sizeof(struct acpi_madt_entry);
	}
}

static void add_cpu(struct madt_walk *w, u32 apic_id, u32 uid, u32 flags)
{
	struct acpi_info *ai = w->ai;
	struct acpi_cpu *c;

	/* Neither enabled nor online-capable: the firmware says the CPU cannot be used. */
	if (!(flags & (ACPI_MADT_CPU_ENABLED | ACPI_MADT_CPU_ONLINE_CAPABLE)))
		return;
	for (u32 i = 0; i < ai->ncpus; i++) {
		if (ai->cpus[i].apic_id == apic_id) {
			pr_debug(ACPI_LOG, "table APIC: APIC id %u listed twice, second ignored", apic_id);
			return;
		}
	}
	if (ai->ncpus >= ACPI_MAX_CPUS) {
		w->dropped_cpus++;
		return;
	}
	c = &ai->cpus[ai->ncpus++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = flags & ACPI_MADT_CPU_ENABLED;
	c->online_capable = flags & ACPI_MADT_CPU_ONLINE_CAPABLE;
}

static void add_ioapic(struct madt_walk *w, const struct acpi_madt_ioapic *e)
{
	struct acpi_info *ai = w->ai;
	struct acpi_ioapic *io;

	if (ai->nioapics >= ACPI_MAX_IOAPICS) {
		w->dropped_ioapics++;
		return;
	}
	io = &ai->ioapics[ai->nioapics++];
	io->id = e->id;
	io->addr = e->address;
	io->gsi_base = e->gsi_base;
}

static void add_iso(struct madt_walk *w, const struct acpi_madt_iso *e)
{
	struct acpi_info *ai = w->ai;
	struct acpi_iso *iso;

	if (ai->nisos >= ACPI_MAX_ISOS) {
		w->dropped_isos++;
		return;
	}
	iso = &ai->isos[ai->nisos++];
	iso->bus = e->bus;
	iso->source = e->source;
	iso->gsi = e->gsi;
	iso->flags = e->flags;
}

static void madt_entry(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	switch (e->type) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = (const void *)e;
		if (l->apic_id != ACPI_MADT_LAPIC_ID_NONE)
			add_cpu(w, l->apic_id, l->acpi_uid, l->flags);
		break;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = (const void *)e;
		if (x->x2apic_id != UINT32_MAX)
			add_cpu(w, x->x2apic_id, x->acpi_uid, x->flags);
		break;
	}
	case ACPI_MADT_IOAPIC:
		add_ioapic(w, (const void *)e);
		break;
	case ACPI_MADT_ISO:
		add_iso(w, (const void *)e);
		break;
	case ACPI_MADT_LAPIC_ADDR_OVERRIDE:
		w->ai->lapic_addr = ((const struct acpi_madt_lapic_override *)(const void *)e)->address;
		break;
	default:
		break;
	}
}

void acpi_madt_parse(const struct acpi_sdt_header *t, struct acpi_info *ai)
{
	const struct acpi_madt *m = (const void *)t;
	const u8 *base = (const u8 *)t;
	struct madt_walk w = {.ai = ai};
	u32 len = t->length;
	u32 off;

	if (len < sizeof(*m)) {
		pr_warn(ACPI_LOG, "table APIC: too short (%u bytes), ignored", len);
		return;
	}
	ai->have_madt = true;
	ai->lapic_addr = m->lapic_address;
	ai->madt_flags = m->flags;
	for (off = sizeof(*m); off < len;) {
		const struct acpi_madt_entry *e = (const void *)(base + off);
		u32 left = len - off;

		if (left < sizeof(*e)) {
			pr_warn(ACPI_LOG, "table APIC: entry at offset 0x%x overruns the table, rest ignored",
				off);
			break;
		}
		if (e->length < sizeof(*e)) {
			pr_warn(ACPI_LOG, "table APIC: entry at offset 0x%x has length %u, rest ignored", off,
				e->length);
			break;
		}
		if (e->length > left) {
			pr_warn(
			    ACPI_LOG,
			    "table APIC: entry at offset 0x%x (length %u) overruns the table, rest ignored",
			    off, e->length);
			break;
		}
		if (e->length < madt_min_len(e->type)) {
			pr_warn(
			    ACPI_LOG,
			    "table APIC: entry at offset 0x%x (type %u) too short (%u bytes), rest ignored",
			    off, e->type, e->length);
			break;
		}
		madt_entry(&w, e);
		off += e->length;
	}
	if (w.dropped_cpus)
		pr_warn(ACPI_LOG, "table APIC: %u CPUs beyond %u ignored", w.dropped_cpus, ACPI_MAX_CPUS);
	if (w.dropped_ioapics)
		pr_warn(ACPI_LOG, "table APIC: %u I/O APICs beyond %u ignored", w.dropped_ioapics,
			ACPI_MAX_IOAPICS);
	if (w.dropped_isos)
		pr_warn(ACPI_LOG, "table APIC: %u interrupt overrides beyond %u ignored", w.dropped_isos,
			ACPI_MAX_ISOS);
}
