#include "hist.h"

static unsigned bucket_of(uint64_t v) {
  if (v < HIST_SUB) return (unsigned)v;
  unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= HIST_SUB_BITS */
  unsigned sub = (unsigned)(v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1);
  return (e - HIST_SUB_BITS + 1) * HIST_SUB + sub;
}

/* Middle of the bucket's range. */
static uint64_t value_of(unsigned idx) {
  if (idx < HIST_SUB) return idx;
  unsigned e = idx / HIST_SUB + HIST_SUB_BITS - 1;
  unsigned sub = idx % HIST_SUB;
  uint64_t low = ((uint64_t)HIST_SUB + sub) << (e - HIST_SUB_BITS);
  uint64_t width = (uint64_t)1 << (e - HIST_SUB_BITS);
  return low + width / 2;
}

void hist_record(hist *h, uint64_t v) {
  h->counts[bucket_of(v)]++;
  h->total++;
  h->sum += (double)v;
  if (v > h->max) h->max = v;
}

void hist_merge(hist *into, const hist *from) {
  for (unsigned i = 0; i < HIST_BUCKETS; i++) into->counts[i] += from->counts[i];
  into->total += from->total;
  into->sum += from->sum;
  if (from->max > into->max) into->max = from->max;
}

uint64_t hist_quantile(const hist *h, double q) {
  if (h->total == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)h->total);
  if (rank >= h->total) rank = h->total - 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen > rank) {
      uint64_t v = value_of(i);
      return v > h->max ? h->max : v;
    }
  }
  return h->max;
}

double hist_mean(const hist *h) { return h->total ? h->sum / (double)h->total : 0.0; }
