/* WebSocket client wire format (RFC 6455): the upgrade request, the check of the 101 answer,
 * masked client frames and the parser of server frames. No I/O here. */
#ifndef LOADGEN_WS_H
#define LOADGEN_WS_H

#include <stddef.h>
#include <stdint.h>

enum {
  WS_OP_CONT = 0x0,
  WS_OP_TEXT = 0x1,
  WS_OP_BINARY = 0x2,
  WS_OP_CLOSE = 0x8,
  WS_OP_PING = 0x9,
  WS_OP_PONG = 0xA,
};

/* Writes the upgrade request into buf; returns its length, or 0 if it does not fit. */
size_t ws_build_request(char *buf, size_t cap, const char *host, int port, const char *path,
                        const char *extra_headers);

/* Looks for a complete HTTP answer in buf[0..len).
 * Returns 0 when more bytes are needed, -1 when the answer is not a valid 101 upgrade,
 * otherwise the length of the header block (the bytes after it are already frames). */
long ws_check_response(const char *buf, size_t len);

/* Largest header of a client frame: 2 + 8 (length) + 4 (mask). */
#define WS_MAX_CLIENT_HEADER 14

/* Writes one masked frame (header + masked payload) into out, which must hold
 * WS_MAX_CLIENT_HEADER + len bytes. Returns the frame length. */
size_t ws_encode_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t len, uint32_t mask);

typedef struct ws_frame {
  int fin;
  int opcode;
  uint8_t *payload; /* points into the parsed buffer, unmasked in place */
  size_t len;
} ws_frame;

/* Parses one frame from buf[0..len). Returns the bytes consumed (frame complete), 0 if more
 * bytes are needed (*need_total is then the full frame size when known, else 0), or -1 on a
 * protocol violation. */
long ws_parse_frame(uint8_t *buf, size_t len, ws_frame *frame, size_t *need_total);

#endif
