/* tests/unit/test_irq_vector.c: the pool of run-time host vectors (kernel/irq_vector.c): distinct
 * vectors inside the documented range, exhaustion, free and reuse order (next-fit: a freed vector is
 * handed out last), dispatch to the vector's own handler with its own context, and stale interrupts
 * (freed, never allocated, out of range, or arriving while the vector is being changed) reaching no
 * handler. */
#include "check.h"
#include "kernel/irq_vector.h"

struct seen {
	u32 calls;
	u8 last_vector;
};

static void record(void *ctx, u8 vector)
{
	struct seen *s = ctx;
	s->calls++;
	s->last_vector = vector;
}

static void other(void *ctx, u8 vector)
{
	(void)vector;
	*(u32 *)ctx += 100;
}

static void alloc_distinct_in_range_until_exhausted(void)
{
	static struct irq_vector_pool p;
	irq_pool_init(&p);
	u8 seen[256] = {0};
	struct seen s = {0};
	for (u32 i = 0; i < IRQ_VECTOR_COUNT; i++) {
		int v = irq_pool_alloc(&p, record, &s);
		CHECK(v >= IRQ_VECTOR_FIRST && v <= IRQ_VECTOR_LAST);
		if (v < 0)
			return;
		CHECK_EQ(seen[v], 0);
		seen[v] = 1;
	}
	CHECK_EQ(irq_pool_in_use(&p), IRQ_VECTOR_COUNT);
	CHECK_EQ(irq_pool_alloc(&p, record, &s), -1); /* exhausted */
	CHECK_EQ(irq_pool_free(&p, IRQ_VECTOR_FIRST + 7), 0);
	CHECK_EQ(irq_pool_alloc(&p, record, &s), IRQ_VECTOR_FIRST + 7); /* the only free one */
	CHECK_EQ(irq_pool_alloc(&p, record, &s), -1);
	CHECK_EQ(irq_pool_alloc(&p, NULL, &s), -1); /* no handler: refused */
}

static void free_rules_and_reuse_order(void)
{
	static struct irq_vector_pool p;
	irq_pool_init(&p);
	struct seen s = {0};
	int a = irq_pool_alloc(&p, record, &s), b = irq_pool_alloc(&p, record, &s);
	CHECK_EQ(a, IRQ_VECTOR_FIRST);
	CHECK_EQ(b, IRQ_VECTOR_FIRST + 1);
	CHECK_EQ(irq_pool_free(&p, (u8)a), 0);
	CHECK_EQ(irq_pool_free(&p, (u8)a), -1);		       /* twice */
	CHECK_EQ(irq_pool_free(&p, IRQ_VECTOR_LAST), -1);      /* never allocated */
	CHECK_EQ(irq_pool_free(&p, IRQ_VECTOR_FIRST - 1), -1); /* outside the range */
	CHECK_EQ(irq_pool_free(&p, IRQ_VECTOR_LAST + 1), -1);
	/* the freed vector is not the next one handed out: the search goes on past b */
	int c = irq_pool_alloc(&p, record, &s);
	CHECK_EQ(c, IRQ_VECTOR_FIRST + 2);
	/* nor is the one freed just now */
	CHECK_EQ(irq_pool_free(&p, (u8)c), 0);
	CHECK_EQ(irq_pool_alloc(&p, record, &s), IRQ_VECTOR_FIRST + 3);
	CHECK_EQ(irq_pool_in_use(&p), 2);
}

static void dispatch_goes_to_own_handler_and_context(void)
{
	static struct irq_vector_pool p;
	irq_pool_init(&p);
	struct seen s1 = {0}, s2 = {0};
	u32 counter = 0;
	int v1 = irq_pool_alloc(&p, record, &s1), v2 = irq_pool_alloc(&p, record, &s2);
	int v3 = irq_pool_alloc(&p, other, &counter);
	CHECK(irq_pool_dispatch(&p, (u8)v2));
	CHECK_EQ(s2.calls, 1);
	CHECK_EQ(s2.last_vector, v2);
	CHECK_EQ(s1.calls, 0); /* the other vector's owner saw nothing */
	CHECK_EQ(counter, 0);
	CHECK(irq_pool_dispatch(&p, (u8)v1));
	CHECK(irq_pool_dispatch(&p, (u8)v3));
	CHECK_EQ(s1.calls, 1);
	CHECK_EQ(s1.last_vector, v1);
	CHECK_EQ(s2.calls, 1);
	CHECK_EQ(counter, 100);
	CHECK_EQ(p.dispatched, 3);
}

static void stale_interrupts_reach_nobody(void)
{
	static struct irq_vector_pool p;
	irq_pool_init(&p);
	struct seen s = {0};
	int v = irq_pool_alloc(&p, record, &s);
	CHECK_EQ(irq_pool_free(&p, (u8)v), 0);
	CHECK(!irq_pool_dispatch(&p, (u8)v));		     /* in flight when it was freed */
	CHECK(!irq_pool_dispatch(&p, IRQ_VECTOR_LAST));	     /* never allocated */
	CHECK(!irq_pool_dispatch(&p, IRQ_VECTOR_FIRST - 1)); /* not a pool vector */
	CHECK_EQ(s.calls, 0);
	CHECK_EQ(p.stale, 3);
	/* a writer half-way (sequence odd) on this very CPU: dropped, never waited for */
	int w = irq_pool_alloc(&p, record, &s);
	p.slot[w - IRQ_VECTOR_FIRST].seq++;
	CHECK(!irq_pool_dispatch(&p, (u8)w));
	p.slot[w - IRQ_VECTOR_FIRST].seq++;
	CHECK(irq_pool_dispatch(&p, (u8)w));
	CHECK_EQ(s.calls, 1);
}

static const struct unit_test irq_vector_tests[] = {
    UNIT_TEST(alloc_distinct_in_range_until_exhausted),
    UNIT_TEST(free_rules_and_reuse_order),
    UNIT_TEST(dispatch_goes_to_own_handler_and_context),
    UNIT_TEST(stale_interrupts_reach_nobody),
};
UNIT_SUITE(irq_vector_suite, irq_vector_tests);
