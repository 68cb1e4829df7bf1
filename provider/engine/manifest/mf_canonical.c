/* engine/manifest — canonical JSON (the bytes Go's json.Marshal prints for
 * the same value: map keys sorted, no whitespace, Go's string escaping)
 * and its SHA-256 digest. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "engine/manifest/mf_internal.h"

static void put_string(mf_buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), i = 0, start = 0;
  mf_buf_putc(b, '"');
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        i++;
        continue;
      }
      mf_buf_put(b, s + start, i - start);
      switch (c) {
      case '"':
        mf_buf_puts(b, "\\\"");
        break;
      case '\\':
        mf_buf_puts(b, "\\\\");
        break;
      case '\b':
        mf_buf_puts(b, "\\b");
        break;
      case '\f':
        mf_buf_puts(b, "\\f");
        break;
      case '\n':
        mf_buf_puts(b, "\\n");
        break;
      case '\r':
        mf_buf_puts(b, "\\r");
        break;
      case '\t':
        mf_buf_puts(b, "\\t");
        break;
      default:
        mf_buf_puts(b, "\\u00");
        mf_buf_putc(b, hex[c >> 4]);
        mf_buf_putc(b, hex[c & 0xF]);
      }
      start = ++i;
      continue;
    }
    uint32_t cp;
    size_t k = mf_utf8_seq(p + i, n - i, &cp);
    if (!k) {
      mf_buf_put(b, s + start, i - start);
      mf_buf_puts(b, "\\ufffd");
      start = ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      mf_buf_put(b, s + start, i - start);
      mf_buf_printf(b, "\\u%04x", (unsigned)cp);
      start = i + k;
    }
    i += k;
  }
  mf_buf_put(b, s + start, n - start);
  mf_buf_putc(b, '"');
}

static int cmp_items(const void *a, const void *b) {
  const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
  return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static int put_value(mf_buf *b, const cJSON *v, int depth) {
  if (depth > 10000) return MF_ELIMIT;
  if (cJSON_IsNull(v)) {
    mf_buf_puts(b, "null");
  } else if (cJSON_IsTrue(v)) {
    mf_buf_puts(b, "true");
  } else if (cJSON_IsFalse(v)) {
    mf_buf_puts(b, "false");
  } else if (cJSON_IsString(v)) {
    put_string(b, v->valuestring ? v->valuestring : "");
  } else if (mf_is_number(v)) {
    char num[400];
    if (cJSON_IsRaw(v)) {
      mf_buf_puts(b, v->valuestring);
    } else {
      if (mf_number_text(v, num, sizeof(num))) return MF_EVALUE;
      mf_buf_puts(b, num);
    }
  } else if (cJSON_IsArray(v)) {
    mf_buf_putc(b, '[');
    for (const cJSON *c = v->child; c; c = c->next) {
      if (c != v->child) mf_buf_putc(b, ',');
      int rc = put_value(b, c, depth + 1);
      if (rc) return rc;
    }
    mf_buf_putc(b, ']');
  } else if (cJSON_IsObject(v)) {
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
      n++;
    const cJSON **items = n ? malloc(n * sizeof(*items)) : NULL;
    if (n && !items) return MF_ENOMEM;
    n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
      items[n++] = c;
    if (n > 1) qsort(items, n, sizeof(*items), cmp_items);
    mf_buf_putc(b, '{');
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
      if (i) mf_buf_putc(b, ',');
      put_string(b, items[i]->string ? items[i]->string : "");
      mf_buf_putc(b, ':');
      rc = put_value(b, items[i], depth + 1);
    }
    free(items);
    if (rc) return rc;
    mf_buf_putc(b, '}');
  } else {
    return MF_EVALUE; /* invalid item or non-number raw */
  }
  return b->oom ? MF_ENOMEM : 0;
}

char *mf_canonical_json(const cJSON *obj) {
  if (!obj) return NULL;
  mf_buf b = {0};
  if (put_value(&b, obj, 0)) {
    mf_buf_free(&b);
    return NULL;
  }
  return mf_buf_detach(&b);
}

int mf_digest(const cJSON *obj, char out[65]) {
  if (!obj || !out) return MF_EINVAL;
  mf_buf b = {0};
  int rc = put_value(&b, obj, 0);
  if (rc) {
    mf_buf_free(&b);
    return rc;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!EVP_Digest(b.ptr ? b.ptr : "", b.len, md, &mdlen, EVP_sha256(), NULL)) {
    mf_buf_free(&b);
    return MF_ENOMEM;
  }
  mf_buf_free(&b);
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < mdlen && i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 0xF];
  }
  out[64] = '\0';
  return 0;
}
