/*
 * loadgen: WebSocket load generator for Sprocket's benchmarks. Linux, epoll, one event loop per
 * thread, connections spread round-robin over the threads. Talks to 127.0.0.1 only.
 *
 *   loadgen echo      --port P [--path /echo] --conns C --window W --size B --duration S
 *   loadgen subscribe --port P [--path /] --conns C [--init TEXT]... [--reply FROM=TO]...
 *                     [--expect N] [--notify-port U]
 *
 * echo: every connection keeps W text messages of B bytes in flight; each message starts with
 * its send time (16 hex digits, CLOCK_MONOTONIC ns); the echo's arrival gives one round trip.
 * After --warmup seconds, counts messages and records round trips for --duration seconds.
 *
 * subscribe: connections only receive (after sending the --init frames, if any). Every
 * occurrence of `"seq":N,"t":T` in a received message is one delivery of publication N,
 * published at T (CLOCK_MONOTONIC ns, e.g. Node's process.hrtime.bigint()). Records the latency
 * of every delivery, and of the last delivery of each publication (the --expect'th, default
 * --conns); when a publication is complete its seq goes, as a text line, in a UDP datagram to
 * 127.0.0.1:--notify-port so the publisher can keep a fixed number in flight. Runs until
 * SIGTERM/SIGINT (or --max-seconds).
 *
 * Progress goes to stderr as JSON lines ({"event":"ready",...} once every connection is open or
 * failed); the result is one JSON object on stdout. The process's own CPU use over the measured
 * window is part of the result, so a caller can check that the generator was not the bottleneck.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"
#include "ws.h"

#define MAX_SEQ (1u << 22)
#define READ_BUF_BYTES (256 * 1024)
#define NOTIFY_BYTES 1200
#define MAX_RULES 16
#define MAX_INIT 16

enum { MODE_ECHO, MODE_SUBSCRIBE };
enum { ST_IDLE, ST_CONNECTING, ST_HANDSHAKE, ST_OPEN, ST_CLOSED };

typedef struct text {
  char *data;
  size_t len;
} text;

static struct {
  int mode;
  int port;
  const char *path;
  int conns;
  int threads;
  int window;
  int size;
  int binary;
  double duration_s;
  double warmup_s;
  double max_s;
  double connect_timeout_s;
  int connect_burst;
  long expect;
  int notify_port;
  text init[MAX_INIT];
  int n_init;
  text reply_from[MAX_RULES];
  text reply_to[MAX_RULES];
  int n_rules;
  char headers[4096];
} cfg = {
    .mode = -1,
    .path = "/",
    .conns = 100,
    .threads = 1,
    .window = 1,
    .size = 32,
    .duration_s = 5,
    .warmup_s = 1,
    .max_s = 300,
    .connect_timeout_s = 60,
    .connect_burst = 128,
    .expect = 0,
    .notify_port = 0,
};

static char g_request[8192];
static size_t g_request_len;
static atomic_int g_stop;
static atomic_int g_measuring;
static atomic_int g_go; /* echo: every connection is open, start sending */
static atomic_uint_fast64_t g_first_rx_ns;
static _Atomic uint32_t *g_seq_counts;
static struct sockaddr_in g_notify_addr;

typedef struct conn {
  int fd;
  int state;
  int want_out;
  uint8_t *in;
  size_t in_len, in_cap;
  uint8_t *msg;
  size_t msg_len, msg_cap;
  int msg_op;
  uint8_t *out;
  size_t out_len, out_off, out_cap;
} conn;

typedef struct worker {
  int id;
  pthread_t tid;
  int epfd;
  int notify_fd;
  conn *conns;
  int n_conns;
  int next_connect;
  int pending;
  uint8_t *rbuf;
  uint64_t rng;
  hist lat;      /* echo round trips, or subscribe per-delivery latency */
  hist done_lat; /* subscribe: publish -> last delivery */
  uint64_t rx_msgs;
  uint64_t deliveries;
  uint64_t seqs_complete;
  uint64_t other_msgs;
  uint64_t bad_msgs;
  uint64_t last_rx_ns;
  char notify[NOTIFY_BYTES];
  size_t notify_len;
  atomic_int opened;
  atomic_int failed;
  atomic_int closed;
} worker;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

static uint32_t next_mask(worker *w) {
  w->rng ^= w->rng << 13;
  w->rng ^= w->rng >> 7;
  w->rng ^= w->rng << 17;
  return (uint32_t)w->rng;
}

static void die(const char *msg) {
  fprintf(stderr, "loadgen: %s\n", msg);
  exit(2);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (!q && n) die("out of memory");
  return q;
}

static void reserve(uint8_t **buf, size_t *cap, size_t need) {
  if (need <= *cap) return;
  size_t c = *cap ? *cap : 256;
  while (c < need) c *= 2;
  *buf = xrealloc(*buf, c);
  *cap = c;
}

/* ---- connection lifecycle ---- */

static void set_events(worker *w, conn *c, int want_out) {
  if (c->want_out == want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = want_out;
}

static void conn_close(worker *w, conn *c, int failed) {
  if (c->state == ST_CLOSED) return;
  if (c->state == ST_CONNECTING || c->state == ST_HANDSHAKE) {
    w->pending--;
    atomic_fetch_add(&w->failed, 1);
  } else if (c->state == ST_OPEN) {
    atomic_fetch_add(&w->closed, 1);
  }
  (void)failed;
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->state = ST_CLOSED;
  free(c->in);
  free(c->msg);
  free(c->out);
  c->in = c->msg = c->out = NULL;
  c->in_len = c->in_cap = c->msg_len = c->msg_cap = c->out_len = c->out_off = c->out_cap = 0;
}

static void conn_flush(worker *w, conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_off += (size_t)n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_events(w, c, 1);
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    conn_close(w, c, 1);
    return;
  }
  c->out_off = c->out_len = 0;
  if (c->state == ST_OPEN || c->state == ST_HANDSHAKE) set_events(w, c, 0);
}

static void conn_queue_raw(conn *c, const void *data, size_t len) {
  reserve(&c->out, &c->out_cap, c->out_len + len);
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

static void conn_queue_frame(worker *w, conn *c, int opcode, const uint8_t *payload, size_t len) {
  reserve(&c->out, &c->out_cap, c->out_len + WS_MAX_CLIENT_HEADER + len);
  c->out_len += ws_encode_frame(c->out + c->out_len, opcode, payload, len, next_mask(w));
}

static void start_connects(worker *w) {
  while (w->pending < cfg.connect_burst && w->next_connect < w->n_conns) {
    conn *c = &w->conns[w->next_connect++];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      atomic_fetch_add(&w->failed, 1);
      c->state = ST_CLOSED;
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = fd;
    c->state = ST_CONNECTING;
    c->want_out = 1;
    w->pending++;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
      conn_close(w, c, 1);
      continue;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
  }
}

/* ---- what the modes do with messages ---- */

static void echo_send(worker *w, conn *c) {
  uint8_t payload[65536];
  size_t n = (size_t)cfg.size;
  snprintf((char *)payload, 17, "%016llx", (unsigned long long)now_ns());
  memset(payload + 16, 'x', n - 16);
  conn_queue_frame(w, c, cfg.binary ? WS_OP_BINARY : WS_OP_TEXT, payload, n);
}

static int parse_hex16(const uint8_t *p, size_t len, uint64_t *out) {
  if (len < 16) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 16; i++) {
    uint8_t ch = p[i];
    unsigned d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else return 0;
    v = (v << 4) | d;
  }
  *out = v;
  return 1;
}

static const uint8_t *parse_u64(const uint8_t *p, const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  const uint8_t *s = p;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
  if (p == s) return NULL;
  *out = v;
  return p;
}

static void notify_flush(worker *w) {
  if (!w->notify_len) return;
  sendto(w->notify_fd, w->notify, w->notify_len, 0, (struct sockaddr *)&g_notify_addr,
         sizeof g_notify_addr);
  w->notify_len = 0;
}

static void seq_complete(worker *w, uint64_t seq, uint64_t latency_ns) {
  w->seqs_complete++;
  hist_record(&w->done_lat, latency_ns);
  if (!cfg.notify_port) return;
  if (w->notify_len + 24 > NOTIFY_BYTES) notify_flush(w);
  w->notify_len += (size_t)snprintf(w->notify + w->notify_len, 24, "%llu\n", (unsigned long long)seq);
}

static void subscribe_message(worker *w, conn *c, const uint8_t *p, size_t len, uint64_t now) {
  for (int i = 0; i < cfg.n_rules; i++) {
    if (len == cfg.reply_from[i].len && memcmp(p, cfg.reply_from[i].data, len) == 0) {
      conn_queue_frame(w, c, WS_OP_TEXT, (const uint8_t *)cfg.reply_to[i].data, cfg.reply_to[i].len);
      return;
    }
  }
  const uint8_t *end = p + len;
  const uint8_t *s = p;
  int found = 0;
  while ((s = memmem(s, (size_t)(end - s), "\"seq\":", 6)) != NULL) {
    uint64_t seq, t;
    s += 6;
    const uint8_t *q = parse_u64(s, end, &seq);
    if (!q || end - q < 5 || memcmp(q, ",\"t\":", 5) != 0) {
      w->bad_msgs++;
      continue;
    }
    q = parse_u64(q + 5, end, &t);
    if (!q) {
      w->bad_msgs++;
      continue;
    }
    s = q;
    found = 1;
    uint64_t lat = now > t ? now - t : 0;
    w->deliveries++;
    hist_record(&w->lat, lat);
    if (seq < MAX_SEQ) {
      uint32_t n = atomic_fetch_add_explicit(&g_seq_counts[seq], 1, memory_order_relaxed) + 1;
      if (n == (uint32_t)cfg.expect) seq_complete(w, seq, lat);
    }
  }
  if (!found) {
    w->other_msgs++;
    return;
  }
  uint_fast64_t first = atomic_load_explicit(&g_first_rx_ns, memory_order_relaxed);
  while (first == 0 && !atomic_compare_exchange_weak(&g_first_rx_ns, &first, now)) {
  }
  w->last_rx_ns = now;
}

static void on_message(worker *w, conn *c, const uint8_t *p, size_t len, uint64_t now) {
  if (cfg.mode == MODE_SUBSCRIBE) {
    subscribe_message(w, c, p, len, now);
    return;
  }
  uint64_t sent;
  if (!parse_hex16(p, len, &sent)) {
    w->bad_msgs++;
  } else if (atomic_load_explicit(&g_measuring, memory_order_relaxed)) {
    w->rx_msgs++;
    hist_record(&w->lat, now - sent);
  }
  if (!atomic_load_explicit(&g_stop, memory_order_relaxed)) echo_send(w, c);
}

static void on_open(worker *w, conn *c) {
  if (cfg.mode == MODE_ECHO) {
    /* Echo traffic starts only once every connection is open (see start_echo), so the
     * handshakes do not compete with it. */
    (void)w;
    (void)c;
  } else {
    for (int i = 0; i < cfg.n_init; i++)
      conn_queue_frame(w, c, WS_OP_TEXT, (const uint8_t *)cfg.init[i].data, cfg.init[i].len);
  }
}

/* Returns 0 if the connection was closed while handling the frame. */
static int on_frame(worker *w, conn *c, ws_frame *f, uint64_t now) {
  switch (f->opcode) {
  case WS_OP_TEXT:
  case WS_OP_BINARY:
    if (c->msg_len || c->msg_op) { /* a new data frame inside a fragmented message */
      conn_close(w, c, 1);
      return 0;
    }
    if (f->fin) {
      on_message(w, c, f->payload, f->len, now);
    } else {
      c->msg_op = f->opcode;
      reserve(&c->msg, &c->msg_cap, f->len);
      memcpy(c->msg, f->payload, f->len);
      c->msg_len = f->len;
    }
    return 1;
  case WS_OP_CONT:
    if (!c->msg_op) {
      conn_close(w, c, 1);
      return 0;
    }
    reserve(&c->msg, &c->msg_cap, c->msg_len + f->len);
    memcpy(c->msg + c->msg_len, f->payload, f->len);
    c->msg_len += f->len;
    if (f->fin) {
      on_message(w, c, c->msg, c->msg_len, now);
      c->msg_len = 0;
      c->msg_op = 0;
    }
    return 1;
  case WS_OP_PING:
    conn_queue_frame(w, c, WS_OP_PONG, f->payload, f->len);
    return 1;
  case WS_OP_PONG:
    return 1;
  case WS_OP_CLOSE:
    conn_queue_frame(w, c, WS_OP_CLOSE, f->payload, f->len >= 2 ? 2 : 0);
    conn_flush(w, c);
    conn_close(w, c, 0);
    return 0;
  default:
    conn_close(w, c, 1);
    return 0;
  }
}

/* Parses every complete frame in buf; returns the bytes consumed, or -1 if the conn closed. */
static long parse_frames(worker *w, conn *c, uint8_t *buf, size_t len, uint64_t now) {
  size_t off = 0;
  while (off < len) {
    ws_frame f;
    size_t need;
    long r = ws_parse_frame(buf + off, len - off, &f, &need);
    if (r < 0) {
      conn_close(w, c, 1);
      return -1;
    }
    if (r == 0) break;
    if (!on_frame(w, c, &f, now)) return -1;
    off += (size_t)r;
  }
  return (long)off;
}

/* Feeds freshly read bytes (in the worker's read buffer) to an open connection. */
static void feed_open(worker *w, conn *c, uint8_t *data, size_t n, uint64_t now) {
  uint8_t *buf = data;
  size_t len = n;
  if (c->in_len) {
    reserve(&c->in, &c->in_cap, c->in_len + n);
    memcpy(c->in + c->in_len, data, n);
    c->in_len += n;
    buf = c->in;
    len = c->in_len;
  }
  long used = parse_frames(w, c, buf, len, now);
  if (used < 0) return;
  size_t rest = len - (size_t)used;
  if (buf == c->in) {
    memmove(c->in, c->in + used, rest);
  } else if (rest) {
    reserve(&c->in, &c->in_cap, rest);
    memcpy(c->in, buf + used, rest);
  }
  c->in_len = rest;
}

static void feed_handshake(worker *w, conn *c, uint8_t *data, size_t n, uint64_t now) {
  reserve(&c->in, &c->in_cap, c->in_len + n);
  memcpy(c->in + c->in_len, data, n);
  c->in_len += n;
  long head = ws_check_response((const char *)c->in, c->in_len);
  if (head == 0) return;
  if (head < 0) {
    conn_close(w, c, 1);
    return;
  }
  c->state = ST_OPEN;
  w->pending--;
  atomic_fetch_add(&w->opened, 1);
  size_t rest = c->in_len - (size_t)head;
  memmove(c->in, c->in + head, rest);
  c->in_len = 0;
  on_open(w, c);
  if (rest) {
    memcpy(w->rbuf, c->in, rest);
    feed_open(w, c, w->rbuf, rest, now);
  }
}

static void on_readable(worker *w, conn *c) {
  for (int round = 0; round < 4 && c->state != ST_CLOSED; round++) {
    ssize_t n = recv(c->fd, w->rbuf, READ_BUF_BYTES, 0);
    if (n == 0) {
      conn_close(w, c, 1);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      conn_close(w, c, 1);
      return;
    }
    uint64_t now = now_ns();
    if (c->state == ST_HANDSHAKE) feed_handshake(w, c, w->rbuf, (size_t)n, now);
    else feed_open(w, c, w->rbuf, (size_t)n, now);
    if ((size_t)n < READ_BUF_BYTES) break;
  }
  if (c->state != ST_CLOSED) conn_flush(w, c);
}

static void on_writable(worker *w, conn *c) {
  if (c->state == ST_CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      conn_close(w, c, 1);
      return;
    }
    c->state = ST_HANDSHAKE;
    conn_queue_raw(c, g_request, g_request_len);
  }
  conn_flush(w, c);
}

static void start_echo(worker *w) {
  for (int i = 0; i < w->n_conns; i++) {
    conn *c = &w->conns[i];
    if (c->state != ST_OPEN) continue;
    for (int k = 0; k < cfg.window; k++) echo_send(w, c);
    conn_flush(w, c);
  }
}

static void *worker_main(void *arg) {
  worker *w = arg;
  struct epoll_event evs[512];
  int started = 0;
  while (!atomic_load(&g_stop)) {
    start_connects(w);
    if (cfg.mode == MODE_ECHO && !started && atomic_load(&g_go)) {
      started = 1;
      start_echo(w);
    }
    int n = epoll_wait(w->epfd, evs, 512, 20);
    for (int i = 0; i < n; i++) {
      conn *c = evs[i].data.ptr;
      if (c->state == ST_CLOSED) continue;
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (c->state == ST_CONNECTING) on_writable(w, c);
        if (c->state != ST_CLOSED && c->state != ST_CONNECTING) on_readable(w, c);
      }
      if (c->state != ST_CLOSED && (evs[i].events & EPOLLOUT)) on_writable(w, c);
    }
    notify_flush(w);
  }
  return NULL;
}

/* ---- options, setup, report ---- */

static text unescape(const char *s) {
  size_t n = strlen(s);
  text t = {.data = malloc(n + 1), .len = 0};
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
      t.data[t.len++] = s[i + 1] == 'n' ? '\n' : '\\';
      i++;
    } else {
      t.data[t.len++] = s[i];
    }
  }
  t.data[t.len] = 0;
  return t;
}

static text read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open --init-file");
  text t = {.data = NULL, .len = 0};
  size_t cap = 0;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    reserve((uint8_t **)&t.data, &cap, t.len + n + 1);
    memcpy(t.data + t.len, chunk, n);
    t.len += n;
  }
  fclose(f);
  if (!t.data) t.data = calloc(1, 1);
  return t;
}

static void usage(void) {
  fputs("usage: loadgen echo|subscribe --port P [--path PATH] [--conns C] [--threads T]\n"
        "  echo:      [--window W] [--size BYTES] [--binary] [--warmup S] [--duration S]\n"
        "  subscribe: [--init TEXT]... [--init-file F] [--reply FROM=TO]... [--expect N]\n"
        "             [--notify-port UDP_PORT] [--max-seconds S]\n"
        "  both:      [--header 'Name: value']... [--connect-burst N] [--connect-timeout S]\n"
        "TEXT and FROM=TO understand \\n. Connects to 127.0.0.1 only.\n",
        stderr);
  exit(2);
}

static void parse_args(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "echo") == 0) cfg.mode = MODE_ECHO;
  else if (strcmp(argv[1], "subscribe") == 0) cfg.mode = MODE_SUBSCRIBE;
  else usage();
  static const struct option opts[] = {
      {"port", 1, 0, 'p'},        {"path", 1, 0, 'P'},          {"conns", 1, 0, 'c'},
      {"threads", 1, 0, 't'},     {"window", 1, 0, 'w'},        {"size", 1, 0, 's'},
      {"binary", 0, 0, 'b'},      {"duration", 1, 0, 'd'},      {"warmup", 1, 0, 'W'},
      {"init", 1, 0, 'i'},        {"init-file", 1, 0, 'I'},     {"reply", 1, 0, 'r'},
      {"expect", 1, 0, 'e'},      {"notify-port", 1, 0, 'n'},   {"max-seconds", 1, 0, 'm'},
      {"header", 1, 0, 'H'},      {"connect-burst", 1, 0, 'B'}, {"connect-timeout", 1, 0, 'T'},
      {0, 0, 0, 0},
  };
  optind = 2;
  int o;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (o) {
    case 'p': cfg.port = atoi(optarg); break;
    case 'P': cfg.path = optarg; break;
    case 'c': cfg.conns = atoi(optarg); break;
    case 't': cfg.threads = atoi(optarg); break;
    case 'w': cfg.window = atoi(optarg); break;
    case 's': cfg.size = atoi(optarg); break;
    case 'b': cfg.binary = 1; break;
    case 'd': cfg.duration_s = atof(optarg); break;
    case 'W': cfg.warmup_s = atof(optarg); break;
    case 'i':
      if (cfg.n_init == MAX_INIT) die("too many --init");
      cfg.init[cfg.n_init++] = unescape(optarg);
      break;
    case 'I':
      if (cfg.n_init == MAX_INIT) die("too many --init");
      cfg.init[cfg.n_init++] = read_file(optarg);
      break;
    case 'r': {
      if (cfg.n_rules == MAX_RULES) die("too many --reply");
      text t = unescape(optarg);
      char *eq = memchr(t.data, '=', t.len);
      if (!eq) die("--reply wants FROM=TO");
      cfg.reply_from[cfg.n_rules] = (text){.data = t.data, .len = (size_t)(eq - t.data)};
      cfg.reply_to[cfg.n_rules] = (text){.data = eq + 1, .len = t.len - (size_t)(eq - t.data) - 1};
      cfg.n_rules++;
      break;
    }
    case 'e': cfg.expect = atol(optarg); break;
    case 'n': cfg.notify_port = atoi(optarg); break;
    case 'm': cfg.max_s = atof(optarg); break;
    case 'H': {
      size_t used = strlen(cfg.headers);
      if (used + strlen(optarg) + 3 >= sizeof cfg.headers) die("headers too long");
      snprintf(cfg.headers + used, sizeof cfg.headers - used, "%s\r\n", optarg);
      break;
    }
    case 'B': cfg.connect_burst = atoi(optarg); break;
    case 'T': cfg.connect_timeout_s = atof(optarg); break;
    default: usage();
    }
  }
  if (cfg.port <= 0 || cfg.port > 65535) die("--port is required");
  if (cfg.conns <= 0 || cfg.threads <= 0 || cfg.threads > 64) die("bad --conns/--threads");
  if (cfg.window <= 0 || cfg.size < 16 || cfg.size > 65536) die("bad --window/--size (size 16..65536)");
  if (cfg.connect_burst <= 0) die("bad --connect-burst");
  if (cfg.expect <= 0) cfg.expect = cfg.conns;
}

static void raise_nofile(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if ((rlim_t)cfg.conns + 32 + (rlim_t)cfg.threads * 2 > rl.rlim_cur) {
    fprintf(stderr, "loadgen: %d connections do not fit the open-file limit %llu\n", cfg.conns,
            (unsigned long long)rl.rlim_cur);
    exit(2);
  }
}

static int sum_field(worker *ws, size_t offset) {
  int total = 0;
  for (int i = 0; i < cfg.threads; i++) total += atomic_load((atomic_int *)((char *)&ws[i] + offset));
  return total;
}

/* Sleeps up to `seconds`, returning early (1) on SIGTERM/SIGINT. */
static int wait_signal(const sigset_t *set, double seconds) {
  struct timespec ts = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
  int s = sigtimedwait(set, NULL, &ts);
  return s > 0;
}

static void print_hist(const char *prefix, const hist *h) {
  printf("\"%s_count\":%llu,\"%s_p50_us\":%.1f,\"%s_p90_us\":%.1f,\"%s_p99_us\":%.1f,"
         "\"%s_p999_us\":%.1f,\"%s_max_us\":%.1f,\"%s_mean_us\":%.1f",
         prefix, (unsigned long long)h->total, prefix, hist_quantile(h, 0.5) / 1e3, prefix,
         hist_quantile(h, 0.9) / 1e3, prefix, hist_quantile(h, 0.99) / 1e3, prefix,
         hist_quantile(h, 0.999) / 1e3, prefix, h->max / 1e3, prefix, hist_mean(h) / 1e3);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  raise_nofile();
  signal(SIGPIPE, SIG_IGN);
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);

  g_request_len = ws_build_request(g_request, sizeof g_request, "127.0.0.1", cfg.port, cfg.path, cfg.headers);
  if (!g_request_len) die("request too long");
  if (cfg.mode == MODE_SUBSCRIBE) {
    g_seq_counts = calloc(MAX_SEQ, sizeof *g_seq_counts);
    if (!g_seq_counts) die("out of memory");
  }
  g_notify_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.notify_port)};
  g_notify_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  worker *ws = calloc((size_t)cfg.threads, sizeof *ws);
  conn *all = calloc((size_t)cfg.conns, sizeof *all);
  if (!ws || !all) die("out of memory");
  int base = 0;
  for (int i = 0; i < cfg.threads; i++) {
    worker *w = &ws[i];
    w->id = i;
    w->n_conns = cfg.conns / cfg.threads + (i < cfg.conns % cfg.threads ? 1 : 0);
    w->conns = all + base;
    base += w->n_conns;
    for (int k = 0; k < w->n_conns; k++) w->conns[k].fd = -1;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->notify_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    w->rbuf = malloc(READ_BUF_BYTES);
    w->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(i + 1) * now_ns());
    if (w->epfd < 0 || w->notify_fd < 0 || !w->rbuf) die("setup failed");
  }
  uint64_t t_start = now_ns();
  for (int i = 0; i < cfg.threads; i++) pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);

  /* Wait until every connection is open or failed. */
  int interrupted = 0;
  for (;;) {
    int opened = sum_field(ws, offsetof(worker, opened));
    int failed = sum_field(ws, offsetof(worker, failed));
    if (opened + failed >= cfg.conns) break;
    if ((now_ns() - t_start) / 1e9 > cfg.connect_timeout_s) break;
    if (wait_signal(&sigs, 0.02)) {
      interrupted = 1;
      break;
    }
  }
  double connect_s = (now_ns() - t_start) / 1e9;
  int opened = sum_field(ws, offsetof(worker, opened));
  int failed = sum_field(ws, offsetof(worker, failed));
  fprintf(stderr, "{\"event\":\"ready\",\"opened\":%d,\"failed\":%d,\"connect_s\":%.3f}\n", opened, failed,
          connect_s);
  fflush(stderr);

  uint64_t t0 = 0, t1 = 0;
  double cpu0 = 0, cpu1 = 0;
  if (cfg.mode == MODE_ECHO) {
    atomic_store(&g_go, 1);
    if (!interrupted && !wait_signal(&sigs, cfg.warmup_s)) {
      cpu0 = cpu_seconds();
      t0 = now_ns();
      atomic_store(&g_measuring, 1);
      wait_signal(&sigs, cfg.duration_s);
      atomic_store(&g_measuring, 0);
      t1 = now_ns();
      cpu1 = cpu_seconds();
    }
  } else if (!interrupted) {
    /* Measure CPU from the first delivery to the stop signal. */
    double deadline = cfg.max_s;
    int have_first = 0;
    for (;;) {
      if (!have_first && atomic_load(&g_first_rx_ns)) {
        have_first = 1;
        cpu0 = cpu_seconds();
        t0 = now_ns();
      }
      if (wait_signal(&sigs, 0.02)) break;
      if ((now_ns() - t_start) / 1e9 > deadline) break;
    }
    t1 = now_ns();
    cpu1 = cpu_seconds();
    if (!have_first) t0 = t1;
  }
  atomic_store(&g_stop, 1);
  for (int i = 0; i < cfg.threads; i++) pthread_join(ws[i].tid, NULL);

  hist lat = {0}, done_lat = {0};
  uint64_t rx = 0, deliveries = 0, complete = 0, other = 0, bad = 0, last_rx = 0;
  for (int i = 0; i < cfg.threads; i++) {
    hist_merge(&lat, &ws[i].lat);
    hist_merge(&done_lat, &ws[i].done_lat);
    rx += ws[i].rx_msgs;
    deliveries += ws[i].deliveries;
    complete += ws[i].seqs_complete;
    other += ws[i].other_msgs;
    bad += ws[i].bad_msgs;
    if (ws[i].last_rx_ns > last_rx) last_rx = ws[i].last_rx_ns;
  }
  int closed = sum_field(ws, offsetof(worker, closed));
  double wall_s = t1 > t0 ? (t1 - t0) / 1e9 : 0;
  double cpu_s = cpu1 - cpu0;
  double cores = wall_s > 0 ? cpu_s / wall_s : 0;

  printf("{\"mode\":\"%s\",\"conns\":%d,\"opened\":%d,\"failed\":%d,\"closed_during_run\":%d,"
         "\"threads\":%d,\"connect_s\":%.3f,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"cpu_cores\":%.3f,"
         "\"cpu_headroom\":%.3f,\"bad_msgs\":%llu,",
         cfg.mode == MODE_ECHO ? "echo" : "subscribe", cfg.conns, opened, failed, closed, cfg.threads,
         connect_s, wall_s, cpu_s, cores, 1.0 - cores / cfg.threads, (unsigned long long)bad);
  if (cfg.mode == MODE_ECHO) {
    printf("\"window\":%d,\"size\":%d,\"msgs\":%llu,\"msgs_per_s\":%.1f,", cfg.window, cfg.size,
           (unsigned long long)rx, wall_s > 0 ? rx / wall_s : 0);
    print_hist("rtt", &lat);
  } else {
    uint64_t first = atomic_load(&g_first_rx_ns);
    double span_s = last_rx > first && first ? (last_rx - first) / 1e9 : 0;
    printf("\"deliveries\":%llu,\"seqs_complete\":%llu,\"other_msgs\":%llu,\"expect\":%ld,"
           "\"span_s\":%.3f,\"deliveries_per_s\":%.1f,",
           (unsigned long long)deliveries, (unsigned long long)complete, (unsigned long long)other,
           cfg.expect, span_s, span_s > 0 ? deliveries / span_s : 0);
    print_hist("delivery", &lat);
    putchar(',');
    print_hist("last_delivery", &done_lat);
  }
  puts("}");
  fflush(stdout);
  return 0;
}
