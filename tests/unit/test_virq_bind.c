/* tests/unit/test_virq_bind.c: the per-entry host vector's decision (vmm/virq_bind.c) together with
 * the kernel's pool (kernel/irq_vector.c), as vmm/vpci_irq.c wires them: two MSI-X entries of one
 * device get different host vectors, and an interrupt on one of them makes exactly that entry's guest
 * vector pending (vmm/virq.c), never the other's; an interrupt in flight after the entry was unbound,
 * one on a vector the binding does not hold, and one for a VM slot that has since been released
 * (generation bumped) reach no VM. */
#include "check.h"
#include "kernel/irq_vector.h"
#include "vmm/virq.h"
#include "vmm/virq_bind.h"

#define SLOTS 4
#define SLOT 2
#define ENTRIES 3

/* A stand-in for vpci_irq.c's handler: accept, then raise the entry's current guest vector. */
static struct virq pending[SLOTS];
static u32 gens[SLOTS];
static u8 gvec[ENTRIES];

static void on_vector(void *ctx, u8 vector)
{
	const struct virq_bind *b = ctx;
	if (virq_bind_accept(b, vector, gens, SLOTS))
		virq_raise(&pending[b->slot], gvec[b->source]);
}

static struct irq_vector_pool pool;
static struct virq_bind binds[ENTRIES];

static void setup(void)
{
	irq_pool_init(&pool);
	for (u32 i = 0; i < SLOTS; i++) {
		virq_clear(&pending[i]);
		gens[i] = 7;
	}
	for (u32 e = 0; e < ENTRIES; e++) {
		binds[e] = (struct virq_bind){0};
		gvec[e] = (u8)(0x41 + e);
		int v = irq_pool_alloc(&pool, on_vector, &binds[e]);
		CHECK(v > 0);
		virq_bind_set(&binds[e], NULL, SLOT, (u16)e, gens[SLOT], (u8)v);
	}
}

static u32 npending(const struct virq *q)
{
	u32 n = 0;
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		n += (u32)__builtin_popcountll(q->pending[w]);
	return n;
}

static void each_entry_its_own_vector_and_only_its_guest_vector(void)
{
	setup();
	CHECK(binds[0].vector != binds[1].vector);
	CHECK(binds[1].vector != binds[2].vector);
	CHECK(irq_pool_dispatch(&pool, binds[1].vector));
	CHECK_EQ(npending(&pending[SLOT]), 1);
	CHECK_EQ(virq_take(&pending[SLOT]), 0x42); /* entry 1's, not 0's or 2's */
	for (u32 i = 0; i < SLOTS; i++)
		CHECK_EQ(npending(&pending[i]), 0);
	/* the guest rewrote entry 0's data while unmasked: the next interrupt carries the new vector */
	gvec[0] = 0x77;
	CHECK(irq_pool_dispatch(&pool, binds[0].vector));
	CHECK_EQ(virq_take(&pending[SLOT]), 0x77);
	CHECK_EQ(virq_take(&pending[SLOT]), -1);
}

static void stale_interrupts_reach_no_vm(void)
{
	setup();
	u8 v2 = binds[2].vector;
	/* torn down (IRTE gone, then the binding cleared, then the vector freed): one in flight */
	CHECK_EQ(virq_bind_clear(&binds[2]), v2);
	CHECK_EQ(virq_bind_clear(&binds[2]), 0); /* cleared once */
	CHECK(irq_pool_dispatch(&pool, v2));	 /* still registered: the binding refuses it */
	CHECK_EQ(irq_pool_free(&pool, v2), 0);
	CHECK(!irq_pool_dispatch(&pool, v2)); /* freed: the pool drops it */
	CHECK_EQ(npending(&pending[SLOT]), 0);
	/* a binding never delivers for a vector it does not hold */
	CHECK(!virq_bind_accept(&binds[0], binds[1].vector, gens, SLOTS));
	CHECK(virq_bind_accept(&binds[0], binds[0].vector, gens, SLOTS));
	/* the slot's VM released its devices (generation bumped) before this binding went away */
	gens[SLOT]++;
	CHECK(irq_pool_dispatch(&pool, binds[0].vector));
	CHECK_EQ(npending(&pending[SLOT]), 0);
	/* a slot out of range never indexes the generations */
	struct virq_bind odd = {0};
	virq_bind_set(&odd, NULL, SLOTS, 0, 0, 0x50);
	CHECK(!virq_bind_accept(&odd, 0x50, gens, SLOTS));
	CHECK(!virq_bind_live(&binds[2]));
	CHECK(virq_bind_live(&binds[1]));
}

static const struct unit_test virq_bind_tests[] = {
    UNIT_TEST(each_entry_its_own_vector_and_only_its_guest_vector),
    UNIT_TEST(stale_interrupts_reach_no_vm),
};
UNIT_SUITE(virq_bind_suite, virq_bind_tests);
