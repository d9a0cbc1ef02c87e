#include "ws.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Every connection uses the RFC 6455 sample key, so the expected accept value is a constant. */
static const char KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char ACCEPT[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

size_t ws_build_request(char *buf, size_t cap, const char *host, int port, const char *path,
                        const char *extra_headers) {
  int n = snprintf(buf, cap,
                   "GET %s HTTP/1.1\r\n"
                   "Host: %s:%d\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n"
                   "%s"
                   "\r\n",
                   path, host, port, KEY, extra_headers ? extra_headers : "");
  if (n < 0 || (size_t)n >= cap) return 0;
  return (size_t)n;
}

/* Finds header `name` (case-insensitive) in the header block and returns its trimmed value. */
static int header_value(const char *head, size_t head_len, const char *name, const char **value,
                        size_t *value_len) {
  size_t name_len = strlen(name);
  const char *p = head;
  const char *end = head + head_len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    if ((size_t)(eol - p) > name_len && strncasecmp(p, name, name_len) == 0 && p[name_len] == ':') {
      const char *v = p + name_len + 1;
      const char *ve = eol;
      while (v < ve && (*v == ' ' || *v == '\t')) v++;
      while (ve > v && isspace((unsigned char)ve[-1])) ve--;
      *value = v;
      *value_len = (size_t)(ve - v);
      return 1;
    }
    p = eol + 1;
  }
  return 0;
}

long ws_check_response(const char *buf, size_t len) {
  const char *end = NULL;
  for (size_t i = 3; i < len; i++) {
    if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
      end = buf + i + 1;
      break;
    }
  }
  if (!end) return len > 16384 ? -1 : 0;
  size_t head_len = (size_t)(end - buf);
  if (head_len < 12 || strncmp(buf, "HTTP/1.1 101", 12) != 0) return -1;
  const char *v;
  size_t vl;
  if (!header_value(buf, head_len, "upgrade", &v, &vl) || vl != 9 || strncasecmp(v, "websocket", 9) != 0)
    return -1;
  if (!header_value(buf, head_len, "sec-websocket-accept", &v, &vl) || vl != sizeof ACCEPT - 1 ||
      memcmp(v, ACCEPT, vl) != 0)
    return -1;
  return (long)head_len;
}

size_t ws_encode_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t len, uint32_t mask) {
  size_t h = 0;
  out[h++] = (uint8_t)(0x80 | (opcode & 0x0F));
  if (len < 126) {
    out[h++] = (uint8_t)(0x80 | len);
  } else if (len <= 0xFFFF) {
    out[h++] = 0x80 | 126;
    out[h++] = (uint8_t)(len >> 8);
    out[h++] = (uint8_t)len;
  } else {
    out[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) out[h++] = (uint8_t)((uint64_t)len >> (8 * i));
  }
  uint8_t m[4] = {(uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8), (uint8_t)mask};
  memcpy(out + h, m, 4);
  h += 4;
  for (size_t i = 0; i < len; i++) out[h + i] = payload[i] ^ m[i & 3];
  return h + len;
}

long ws_parse_frame(uint8_t *buf, size_t len, ws_frame *frame, size_t *need_total) {
  *need_total = 0;
  if (len < 2) return 0;
  int fin = buf[0] & 0x80;
  int rsv = buf[0] & 0x70;
  int opcode = buf[0] & 0x0F;
  int masked = buf[1] & 0x80;
  uint64_t plen = buf[1] & 0x7F;
  size_t h = 2;
  if (rsv) return -1; /* no extension is negotiated */
  if (plen == 126) {
    if (len < 4) return 0;
    plen = ((uint64_t)buf[2] << 8) | buf[3];
    h = 4;
  } else if (plen == 127) {
    if (len < 10) return 0;
    plen = 0;
    for (int i = 0; i < 8; i++) plen = (plen << 8) | buf[2 + i];
    h = 10;
    if (plen >> 62) return -1;
  }
  if (opcode >= 8 && (plen > 125 || !fin)) return -1;
  size_t mask_at = h;
  if (masked) h += 4;
  size_t total = h + (size_t)plen;
  if (len < total) {
    *need_total = total;
    return 0;
  }
  uint8_t *p = buf + h;
  if (masked) {
    const uint8_t *m = buf + mask_at;
    for (size_t i = 0; i < plen; i++) p[i] ^= m[i & 3];
  }
  frame->fin = fin != 0;
  frame->opcode = opcode;
  frame->payload = p;
  frame->len = (size_t)plen;
  return (long)total;
}
