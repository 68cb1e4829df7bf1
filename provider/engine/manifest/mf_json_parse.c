/* engine/manifest — strict JSON (RFC 8259) -> cJSON with exact numbers
 * (raw items), line:column errors, duplicate keys rejected. Used for *.json
 * manifest files, which Argo CD reads with encoding/json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_yaml.h"

typedef struct jp {
  const char *s;
  size_t n, i;
  int line;
  size_t line_start;
  const char *file;
  const mf_parse_opts *opts;
  mf_error *err;
} jp;

static int col(const jp *p) {
  return (int)(p->i - p->line_start) + 1;
}

static int jfail(jp *p, int code, const char *what) {
  return mf_err_set(p->err, code, p->file, p->line, col(p), "error parsing JSON: %s", what);
}

static int jfail_char(jp *p) {
  char msg[80];
  if (p->i >= p->n) return jfail(p, MF_ESYNTAX, "unexpected end of JSON input");
  unsigned char c = (unsigned char)p->s[p->i];
  if (c >= 0x20 && c < 0x7f)
    snprintf(msg, sizeof(msg), "invalid character '%c'", c);
  else
    snprintf(msg, sizeof(msg), "invalid character 0x%02x", c);
  return jfail(p, MF_ESYNTAX, msg);
}

static void ws(jp *p) {
  while (p->i < p->n) {
    char c = p->s[p->i];
    if (c == '\n') {
      p->line++;
      p->line_start = p->i + 1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    p->i++;
  }
}

static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

static void put_utf8(mf_buf *b, unsigned cp) {
  char u[4];
  if (cp < 0x80) {
    mf_buf_putc(b, (char)cp);
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
    mf_buf_put(b, u, 2);
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
    u[2] = (char)(0x80 | (cp & 0x3F));
    mf_buf_put(b, u, 3);
  } else {
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
    mf_buf_put(b, u, 4);
  }
}

/* At the opening quote; returns a malloc'd string. */
static int string(jp *p, char **out) {
  mf_buf b = {0};
  p->i++;
  for (;;) {
    if (p->i >= p->n) {
      mf_buf_free(&b);
      return jfail(p, MF_ESYNTAX, "unexpected end of JSON input in a string");
    }
    unsigned char c = (unsigned char)p->s[p->i];
    if (c == '"') {
      p->i++;
      break;
    }
    if (c < 0x20) {
      mf_buf_free(&b);
      return jfail(p, MF_ESYNTAX, "invalid character in string literal");
    }
    if (c == '\\') {
      if (p->i + 1 >= p->n) {
        p->i++;
        mf_buf_free(&b);
        return jfail(p, MF_ESYNTAX, "unexpected end of JSON input in a string");
      }
      char e = p->s[p->i + 1];
      const char *m = strchr("\"\\/bfnrt", e);
      if (m && e) {
        static const char rep[] = "\"\\/\b\f\n\r\t";
        mf_buf_putc(&b, rep[m - "\"\\/bfnrt"]);
        p->i += 2;
        continue;
      }
      unsigned cp, lo;
      size_t esc = p->i;
      if (e != 'u' || p->i + 6 > p->n || hex4(p->s + p->i + 2, &cp)) {
        p->i++;
        mf_buf_free(&b);
        return jfail(p, MF_ESYNTAX, "invalid character in string escape code");
      }
      p->i += 6;
      if (cp >= 0xD800 && cp < 0xDC00 && p->i + 6 <= p->n && p->s[p->i] == '\\' &&
          p->s[p->i + 1] == 'u' && !hex4(p->s + p->i + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p->i += 6;
      } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD; /* lone surrogate, as Go */
      }
      if (cp == 0) {
        p->i = esc;
        mf_buf_free(&b);
        return jfail(p, MF_EVALUE, "strings with NUL characters are not supported");
      }
      put_utf8(&b, cp);
      continue;
    }
    if (c < 0x80) {
      mf_buf_putc(&b, (char)c);
      p->i++;
      continue;
    }
    uint32_t cp;
    size_t k = mf_utf8_seq((const unsigned char *)p->s + p->i, p->n - p->i, &cp);
    if (k) {
      mf_buf_put(&b, p->s + p->i, k);
      p->i += k;
    } else {
      mf_buf_puts(&b, "\xEF\xBF\xBD");
      p->i++;
    }
  }
  if (!(*out = mf_buf_detach(&b))) return mf_err_oom(p->err, p->file);
  return 0;
}

static int number(jp *p, cJSON **out) {
  size_t st = p->i, i = p->i;
  if (i < p->n && p->s[i] == '-') i++;
  while (i < p->n && strchr("0123456789.eE+-", p->s[i]) && p->s[i])
    i++;
  size_t len = i - st;
  if (!mf_is_json_number(p->s + st, len) || len > 1000) return jfail_char(p);
  char *t = malloc(len + 1);
  if (!t) return mf_err_oom(p->err, p->file);
  memcpy(t, p->s + st, len);
  t[len] = '\0';
  if (!strpbrk(t, ".eE")) {
    *out = mf_raw_number(strcmp(t, "-0") ? t : "0");
  } else {
    double v = strtod(t, NULL);
    if (!isfinite(v)) {
      char msg[120];
      snprintf(msg, sizeof(msg), "cannot unmarshal number %.40s into Go value of type float64", t);
      free(t);
      return jfail(p, MF_EVALUE, msg);
    }
    char num[64];
    mf_fmt_go_json(v, num, sizeof(num));
    *out = mf_raw_number(num);
  }
  free(t);
  p->i = i;
  return *out ? 0 : mf_err_oom(p->err, p->file);
}

static int value(jp *p, int depth, cJSON **out);

static int object(jp *p, int depth, cJSON **out) {
  cJSON *o = cJSON_CreateObject();
  mf_strmap keys = {0};
  int rc = 0;
  if (!o) return mf_err_oom(p->err, p->file);
  p->i++;
  ws(p);
  if (p->i < p->n && p->s[p->i] == '}') {
    p->i++;
    *out = o;
    return 0;
  }
  for (;;) {
    ws(p);
    if (p->i >= p->n || p->s[p->i] != '"') {
      rc = jfail_char(p);
      break;
    }
    int kline = p->line, kcol = col(p);
    char *key;
    if ((rc = string(p, &key))) break;
    bool created;
    mf_strmap_ent *e = mf_strmap_put(&keys, key, strlen(key), &created);
    if (!e) {
      free(key);
      rc = mf_err_oom(p->err, p->file);
      break;
    }
    if (!created) {
      rc = mf_err_set(p->err, MF_EDUPKEY, p->file, kline, kcol,
                      "error parsing JSON: mapping key \"%s\" already defined at line %d", key,
                      e->line);
      free(key);
      break;
    }
    e->line = kline;
    ws(p);
    if (p->i >= p->n || p->s[p->i] != ':') {
      free(key);
      rc = jfail_char(p);
      break;
    }
    p->i++;
    cJSON *v;
    if ((rc = value(p, depth + 1, &v))) {
      free(key);
      break;
    }
    if (!cJSON_AddItemToObject(o, key, v)) {
      cJSON_Delete(v);
      free(key);
      rc = mf_err_oom(p->err, p->file);
      break;
    }
    free(key);
    ws(p);
    if (p->i < p->n && p->s[p->i] == ',') {
      p->i++;
      continue;
    }
    if (p->i < p->n && p->s[p->i] == '}') {
      p->i++;
      break;
    }
    rc = jfail_char(p);
    break;
  }
  mf_strmap_free(&keys);
  if (rc) {
    cJSON_Delete(o);
    return rc;
  }
  *out = o;
  return 0;
}

static int array(jp *p, int depth, cJSON **out) {
  cJSON *a = cJSON_CreateArray();
  int rc = 0;
  if (!a) return mf_err_oom(p->err, p->file);
  p->i++;
  ws(p);
  if (p->i < p->n && p->s[p->i] == ']') {
    p->i++;
    *out = a;
    return 0;
  }
  for (;;) {
    cJSON *v;
    if ((rc = value(p, depth + 1, &v))) break;
    if (!cJSON_AddItemToArray(a, v)) {
      cJSON_Delete(v);
      rc = mf_err_oom(p->err, p->file);
      break;
    }
    ws(p);
    if (p->i < p->n && p->s[p->i] == ',') {
      p->i++;
      continue;
    }
    if (p->i < p->n && p->s[p->i] == ']') {
      p->i++;
      break;
    }
    rc = jfail_char(p);
    break;
  }
  if (rc) {
    cJSON_Delete(a);
    return rc;
  }
  *out = a;
  return 0;
}

static int literal(jp *p, const char *word, cJSON *item, cJSON **out) {
  size_t n = strlen(word);
  if (p->n - p->i < n || memcmp(p->s + p->i, word, n) != 0) {
    cJSON_Delete(item);
    return jfail_char(p);
  }
  p->i += n;
  *out = item;
  return item ? 0 : mf_err_oom(p->err, p->file);
}

static int value(jp *p, int depth, cJSON **out) {
  *out = NULL;
  ws(p);
  if (depth > p->opts->max_depth) {
    char msg[64];
    snprintf(msg, sizeof(msg), "nesting deeper than %d levels", p->opts->max_depth);
    return jfail(p, MF_ELIMIT, msg);
  }
  if (p->i >= p->n) return jfail(p, MF_ESYNTAX, "unexpected end of JSON input");
  char c = p->s[p->i];
  switch (c) {
  case '{':
    return object(p, depth, out);
  case '[':
    return array(p, depth, out);
  case '"': {
    char *s;
    int rc = string(p, &s);
    if (rc) return rc;
    *out = cJSON_CreateString(s);
    free(s);
    return *out ? 0 : mf_err_oom(p->err, p->file);
  }
  case 't':
    return literal(p, "true", cJSON_CreateTrue(), out);
  case 'f':
    return literal(p, "false", cJSON_CreateFalse(), out);
  case 'n':
    return literal(p, "null", cJSON_CreateNull(), out);
  default:
    if (c == '-' || (c >= '0' && c <= '9')) return number(p, out);
    return jfail_char(p);
  }
}

int mf_json_value(const char *buf, size_t len, const char *file, const mf_parse_opts *opts,
                  cJSON **out, mf_error *err) {
  jp p = {
      .s = buf ? buf : "", .n = buf ? len : 0, .line = 1, .file = file, .opts = opts, .err = err};
  cJSON *v;
  int rc = value(&p, 0, &v);
  if (rc) return rc;
  ws(&p);
  if (p.i < p.n) {
    cJSON_Delete(v);
    return jfail(&p, MF_ESYNTAX, "invalid character after top-level value");
  }
  *out = v;
  return 0;
}

int mf_parse_json(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                  mf_docs *out, mf_error *err) {
  mf_parse_opts def;
  if (err) memset(err, 0, sizeof(*err));
  if (!opts) {
    mf_parse_opts_default(&def);
    opts = &def;
  }
  if (!out || (!buf && len)) return mf_err_set(err, MF_EINVAL, filename, 0, 0, "invalid argument");
  size_t before = out->count;
  bool had = out->items != NULL;
  cJSON *v;
  int rc = mf_json_value(buf, len, filename, opts, &v, err);
  if (rc) return rc;
  rc = mf_docs_add_document(out, v, 1, filename, opts, err);
  if (rc) mf_docs_restore(out, before, had);
  return rc;
}
