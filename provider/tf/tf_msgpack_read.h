/*
 * A minimal pull reader for msgpack, used by the decoder.
 *
 * msgpack-c's own unpacker (msgpack_unpack) is not used for decoding because
 * its C template has a compiled-in nesting limit of 32 containers
 * (MSGPACK_EMBED_STACK_SIZE; Kubernetes manifests in dynamic attributes go
 * deeper) and it allocates the element array a header claims before reading
 * any element, so a 5-byte input claiming 2^32 elements asks for 64 GiB.
 * This reader never allocates and checks every length against the bytes left.
 */
#ifndef TF_MSGPACK_READ_H
#define TF_MSGPACK_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  MP_NIL,
  MP_BOOL,
  MP_UINT,
  MP_INT,
  MP_FLOAT, /* float32 or float64, widened to double */
  MP_STR,
  MP_BIN,
  MP_ARRAY,
  MP_MAP,
  MP_EXT
} mp_kind;

typedef struct {
  mp_kind kind;
  bool b;
  uint64_t u;
  int64_t i;
  double f;
  const uint8_t *data; /* STR/BIN/EXT payload */
  uint32_t len;        /* STR/BIN/EXT payload length, ARRAY/MAP element count */
  int8_t ext_type;
} mp_item;

typedef struct {
  const uint8_t *p;
  size_t len, pos;
} mp_reader;

/* Reads the next item header (and the payload of str/bin/ext). Returns 0, or
 * -1 on truncated or malformed input. Containers are not entered: their
 * elements follow as the next items. */
int mp_read(mp_reader *r, mp_item *it);
/* Skips one complete value; -1 on malformed input or nesting beyond max_depth. */
int mp_skip(mp_reader *r, int max_depth);
const char *mp_kind_name(mp_kind k);

#endif
