/* Log-linear latency histogram: 32 sub-buckets per power of two, so any recorded value is
 * reported within ~3% of its true value. Values are nanoseconds. Not thread-safe: each thread
 * keeps its own and they are merged at the end. */
#ifndef LOADGEN_HIST_H
#define LOADGEN_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

typedef struct hist {
  uint64_t counts[HIST_BUCKETS];
  uint64_t total;
  uint64_t max;
  double sum;
} hist;

void hist_record(hist *h, uint64_t value_ns);
void hist_merge(hist *into, const hist *from);
/* Value at quantile q (0..1), in nanoseconds; 0 when empty. */
uint64_t hist_quantile(const hist *h, double q);
double hist_mean(const hist *h);

#endif
