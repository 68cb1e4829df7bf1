/*
 * A minimal bounds-checked msgpack pull reader (see tf_msgpack_read.h).
 */
#include <string.h>

#include "tf/tf_msgpack_read.h"

static bool need(const mp_reader *r, size_t n) {
  return r->len - r->pos >= n;
}

static uint64_t be(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

/* Reads an n-byte big-endian length or value. */
static int read_be(mp_reader *r, int n, uint64_t *out) {
  if (!need(r, (size_t)n)) return -1;
  *out = be(r->p + r->pos, n);
  r->pos += (size_t)n;
  return 0;
}

static int payload(mp_reader *r, mp_item *it, mp_kind kind, uint64_t len) {
  if (!need(r, len)) return -1;
  it->kind = kind;
  it->len = (uint32_t)len;
  it->data = r->p + r->pos;
  r->pos += len;
  return 0;
}

/* Each element takes at least one byte, so a count larger than the bytes left
 * is a lie; rejecting it bounds all later work by the input size. */
static int container(mp_reader *r, mp_item *it, mp_kind kind, uint64_t n) {
  uint64_t min_bytes = kind == MP_MAP ? n * 2 : n;
  if (min_bytes > r->len - r->pos) return -1;
  it->kind = kind;
  it->len = (uint32_t)n;
  return 0;
}

static int ext(mp_reader *r, mp_item *it, uint64_t len) {
  if (!need(r, 1)) return -1;
  it->ext_type = (int8_t)r->p[r->pos++];
  return payload(r, it, MP_EXT, len);
}

int mp_read(mp_reader *r, mp_item *it) {
  memset(it, 0, sizeof(*it));
  if (!need(r, 1)) return -1;
  uint8_t c = r->p[r->pos++];
  uint64_t v;

  if (c <= 0x7f) {
    it->kind = MP_UINT;
    it->u = c;
    return 0;
  }
  if (c >= 0xe0) {
    it->kind = MP_INT;
    it->i = (int8_t)c;
    return 0;
  }
  if ((c & 0xf0) == 0x80) return container(r, it, MP_MAP, c & 0x0f);
  if ((c & 0xf0) == 0x90) return container(r, it, MP_ARRAY, c & 0x0f);
  if ((c & 0xe0) == 0xa0) return payload(r, it, MP_STR, c & 0x1f);

  switch (c) {
  case 0xc0:
    it->kind = MP_NIL;
    return 0;
  case 0xc2:
  case 0xc3:
    it->kind = MP_BOOL;
    it->b = c == 0xc3;
    return 0;
  case 0xc4:
  case 0xc5:
  case 0xc6:
    if (read_be(r, 1 << (c - 0xc4), &v) < 0) return -1;
    return payload(r, it, MP_BIN, v);
  case 0xc7:
  case 0xc8:
  case 0xc9:
    if (read_be(r, 1 << (c - 0xc7), &v) < 0) return -1;
    return ext(r, it, v);
  case 0xca: {
    if (read_be(r, 4, &v) < 0) return -1;
    uint32_t bits = (uint32_t)v;
    float f;
    memcpy(&f, &bits, sizeof(f));
    it->kind = MP_FLOAT;
    it->f = f;
    return 0;
  }
  case 0xcb: {
    if (read_be(r, 8, &v) < 0) return -1;
    double d;
    memcpy(&d, &v, sizeof(d));
    it->kind = MP_FLOAT;
    it->f = d;
    return 0;
  }
  case 0xcc:
  case 0xcd:
  case 0xce:
  case 0xcf:
    if (read_be(r, 1 << (c - 0xcc), &v) < 0) return -1;
    it->kind = MP_UINT;
    it->u = v;
    return 0;
  case 0xd0:
  case 0xd1:
  case 0xd2:
  case 0xd3: {
    int n = 1 << (c - 0xd0);
    if (read_be(r, n, &v) < 0) return -1;
    it->kind = MP_INT;
    /* sign-extend from n bytes */
    if (n < 8 && (v >> (n * 8 - 1)) & 1) v |= ~(uint64_t)0 << (n * 8);
    it->i = (int64_t)v;
    return 0;
  }
  case 0xd4:
  case 0xd5:
  case 0xd6:
  case 0xd7:
  case 0xd8:
    return ext(r, it, (uint64_t)1 << (c - 0xd4));
  case 0xd9:
  case 0xda:
  case 0xdb:
    if (read_be(r, 1 << (c - 0xd9), &v) < 0) return -1;
    return payload(r, it, MP_STR, v);
  case 0xdc:
  case 0xdd:
    if (read_be(r, c == 0xdc ? 2 : 4, &v) < 0) return -1;
    return container(r, it, MP_ARRAY, v);
  case 0xde:
  case 0xdf:
    if (read_be(r, c == 0xde ? 2 : 4, &v) < 0) return -1;
    return container(r, it, MP_MAP, v);
  default:
    return -1; /* 0xc1 is never used */
  }
}

int mp_skip(mp_reader *r, int max_depth) {
  /* Iterative: a stack of element counts still to skip per open container. */
  uint64_t stack[64];
  int top = 0;
  uint64_t pending = 1;
  int depth = 0;
  for (;;) {
    while (pending == 0) {
      if (top == 0) return 0;
      pending = stack[--top];
      depth--;
    }
    mp_item it;
    if (mp_read(r, &it) < 0) return -1;
    pending--;
    if (it.kind == MP_ARRAY || it.kind == MP_MAP) {
      uint64_t n = it.kind == MP_MAP ? (uint64_t)it.len * 2 : it.len;
      if (n == 0) continue;
      if (depth + 1 > max_depth || top == (int)(sizeof(stack) / sizeof(stack[0]))) return -1;
      stack[top++] = pending;
      pending = n;
      depth++;
    }
  }
}

const char *mp_kind_name(mp_kind k) {
  switch (k) {
  case MP_NIL:
    return "nil";
  case MP_BOOL:
    return "bool";
  case MP_UINT:
  case MP_INT:
    return "integer";
  case MP_FLOAT:
    return "float";
  case MP_STR:
    return "string";
  case MP_BIN:
    return "binary";
  case MP_ARRAY:
    return "array";
  case MP_MAP:
    return "map";
  case MP_EXT:
    return "extension";
  }
  return "?";
}
