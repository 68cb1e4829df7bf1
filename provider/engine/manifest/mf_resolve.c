/* engine/manifest — plain scalar resolution exactly as gopkg.in/yaml.v2
 * (resolve.go) does it: booleans, null, ints, floats, timestamps, merge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/manifest/mf_internal.h"

#define T_STR MF_TAG_PREFIX "str"
#define T_BOOL MF_TAG_PREFIX "bool"
#define T_INT MF_TAG_PREFIX "int"
#define T_FLOAT MF_TAG_PREFIX "float"
#define T_NULL MF_TAG_PREFIX "null"
#define T_TIMESTAMP MF_TAG_PREFIX "timestamp"
#define T_BINARY MF_TAG_PREFIX "binary"
#define T_MERGE MF_TAG_PREFIX "merge"

static const struct {
  const char *s;
  mf_rkind kind;
  int v; /* bool value, or float: 1 = +inf, -1 = -inf, 0 = nan */
} resolve_map[] = {
    {"y", MF_R_BOOL, 1},       {"Y", MF_R_BOOL, 1},       {"yes", MF_R_BOOL, 1},
    {"Yes", MF_R_BOOL, 1},     {"YES", MF_R_BOOL, 1},     {"true", MF_R_BOOL, 1},
    {"True", MF_R_BOOL, 1},    {"TRUE", MF_R_BOOL, 1},    {"on", MF_R_BOOL, 1},
    {"On", MF_R_BOOL, 1},      {"ON", MF_R_BOOL, 1},      {"n", MF_R_BOOL, 0},
    {"N", MF_R_BOOL, 0},       {"no", MF_R_BOOL, 0},      {"No", MF_R_BOOL, 0},
    {"NO", MF_R_BOOL, 0},      {"false", MF_R_BOOL, 0},   {"False", MF_R_BOOL, 0},
    {"FALSE", MF_R_BOOL, 0},   {"off", MF_R_BOOL, 0},     {"Off", MF_R_BOOL, 0},
    {"OFF", MF_R_BOOL, 0},     {"", MF_R_NULL, 0},        {"~", MF_R_NULL, 0},
    {"null", MF_R_NULL, 0},    {"Null", MF_R_NULL, 0},    {"NULL", MF_R_NULL, 0},
    {".nan", MF_R_FLOAT, 0},   {".NaN", MF_R_FLOAT, 0},   {".NAN", MF_R_FLOAT, 0},
    {".inf", MF_R_FLOAT, 1},   {".Inf", MF_R_FLOAT, 1},   {".INF", MF_R_FLOAT, 1},
    {"+.inf", MF_R_FLOAT, 1},  {"+.Inf", MF_R_FLOAT, 1},  {"+.INF", MF_R_FLOAT, 1},
    {"-.inf", MF_R_FLOAT, -1}, {"-.Inf", MF_R_FLOAT, -1}, {"-.INF", MF_R_FLOAT, -1},
    {"<<", MF_R_MERGE, 0},
};

static char hint_of(unsigned char c) {
  if (c == '+' || c == '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if (strchr("yYnNtTfFoO~", c) && c) return 'M';
  if (c == '.') return '.';
  return 0;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Go's getnum(s, fixed=false): one or two digits. */
static bool getnum(const char **s, const char *end, int *v) {
  const char *p = *s;
  if (p >= end || !is_digit(*p)) return false;
  if (p + 1 >= end || !is_digit(p[1])) {
    *v = *p - '0';
    *s = p + 1;
    return true;
  }
  *v = (p[0] - '0') * 10 + (p[1] - '0');
  *s = p + 2;
  return true;
}

static int days_in(int month, int year) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return d[month - 1];
}

/* One of yaml.v2's allowedTimestampFormats, as time.Parse reads them:
 * "2006-1-2T15:4:5.999999999Z07:00", the same with 't', "2006-1-2
 * 15:4:5.999999999" and "2006-1-2". */
bool mf_go_is_timestamp(const char *s, size_t len) {
  const char *p = s, *end = s + len;
  if (len < 5) return false;
  for (int i = 0; i < 4; i++)
    if (!is_digit(p[i])) return false;
  int year = atoi((char[]){p[0], p[1], p[2], p[3], 0});
  p += 4;
  int month, day;
  if (p >= end || *p++ != '-' || !getnum(&p, end, &month) || month < 1 || month > 12) return false;
  if (p >= end || *p++ != '-' || !getnum(&p, end, &day)) return false;
  if (day < 1 || day > days_in(month, year)) return false;
  if (p == end) return true; /* "2006-1-2" */
  char sep = *p;
  bool tz;
  if (sep == 'T' || sep == 't') {
    tz = true;
    p++;
  } else if (sep == ' ') {
    tz = false;
    while (p < end && *p == ' ')
      p++;
  } else {
    return false;
  }
  int h, m, sec;
  if (!getnum(&p, end, &h) || h >= 24) return false;
  if (p >= end || *p++ != ':' || !getnum(&p, end, &m) || m >= 60) return false;
  if (p >= end || *p++ != ':' || !getnum(&p, end, &sec) || sec >= 60) return false;
  if (end - p >= 2 && (*p == '.' || *p == ',') && is_digit(p[1])) {
    p++;
    while (p < end && is_digit(*p))
      p++;
  }
  if (!tz) return p == end;
  if (p < end && *p == 'Z') return p + 1 == end;
  if (end - p != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':') return false;
  if (!is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[4]) || !is_digit(p[5])) return false;
  int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
  return oh <= 24 && om <= 60;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
bool mf_is_base60_float(const char *s) {
  if (!s || !*s) return false;
  const char *p = s;
  if (!(*p == '+' || *p == '-' || is_digit(*p)) || !strchr(s, ':')) return false;
  if (*p == '+' || *p == '-') p++;
  if (!is_digit(*p)) return false;
  p++;
  while (is_digit(*p) || *p == '_')
    p++;
  int groups = 0;
  while (*p == ':') {
    p++;
    const char *d = p;
    while (is_digit(*p))
      p++;
    size_t n = (size_t)(p - d);
    if (n == 1 || (n == 2 && d[0] <= '5'))
      groups++;
    else
      return false;
  }
  if (!groups) return false;
  if (*p == '.') {
    p++;
    while (is_digit(*p) || *p == '_')
      p++;
  }
  return *p == '\0';
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s) {
  const char *p = s;
  if (*p == '+' || *p == '-') p++;
  if (*p == '.') {
    p++;
    if (!is_digit(*p)) return false;
    while (is_digit(*p))
      p++;
  } else {
    if (!is_digit(*p)) return false;
    while (is_digit(*p))
      p++;
    if (*p == '.') {
      p++;
      while (is_digit(*p))
        p++;
    }
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!is_digit(*p)) return false;
    while (is_digit(*p))
      p++;
  }
  return *p == '\0';
}

static void set_int(mf_resolved *out, int64_t v) {
  out->kind = MF_R_INT;
  out->i = v;
  out->is_unsigned = false;
  snprintf(out->num, sizeof(out->num), "%lld", (long long)v);
}

static void set_uint(mf_resolved *out, uint64_t v) {
  out->kind = MF_R_INT;
  out->u = v;
  out->is_unsigned = true;
  snprintf(out->num, sizeof(out->num), "%llu", (unsigned long long)v);
}

/* Numbers for hints 'D' and 'S' (after timestamps). Returns true if
 * resolved; plain has no underscores. */
static bool resolve_number(const char *plain, mf_resolved *out) {
  int64_t iv;
  uint64_t uv;
  if (mf_go_parse_int(plain, &iv)) {
    set_int(out, iv);
    return true;
  }
  if (mf_go_parse_uint(plain, &uv)) {
    set_uint(out, uv);
    return true;
  }
  if (yaml_style_float(plain)) {
    double f;
    if (mf_go_parse_float(plain, &f)) {
      out->kind = MF_R_FLOAT;
      out->f = f;
      if (!strpbrk(plain, ".eE")) {
        /* An integer beyond 64 bits: yaml.v2 holds a float64;
         * we keep every digit. */
        const char *d = plain;
        bool neg = *d == '-';
        if (*d == '+' || *d == '-') d++;
        while (d[0] == '0' && d[1])
          d++;
        if (strlen(d) + 2 <= sizeof(out->num)) {
          snprintf(out->num, sizeof(out->num), "%s%s", neg ? "-" : "", d);
          out->kind = MF_R_BIGINT;
        }
      }
      return true;
    }
  }
  if (strncmp(plain, "0b", 2) == 0) {
    char tmp[80];
    if (strlen(plain) + 1 < sizeof(tmp)) {
      /* base 2 without prefix: reuse the base-0 parser with "0b" */
      if (mf_go_parse_int(plain, &iv)) {
        set_int(out, iv);
        return true;
      }
      if (mf_go_parse_uint(plain, &uv)) {
        set_uint(out, uv);
        return true;
      }
    }
  } else if (strncmp(plain, "-0b", 3) == 0) {
    if (mf_go_parse_int(plain, &iv)) {
      set_int(out, iv);
      return true;
    }
  }
  return false;
}

static bool resolvable(const char *tag) {
  return !*tag || !strcmp(tag, T_STR) || !strcmp(tag, T_BOOL) || !strcmp(tag, T_INT) ||
         !strcmp(tag, T_FLOAT) || !strcmp(tag, T_NULL) || !strcmp(tag, T_TIMESTAMP);
}

static mf_rkind kind_of_tag(const char *tag) {
  if (!strcmp(tag, T_BOOL)) return MF_R_BOOL;
  if (!strcmp(tag, T_INT)) return MF_R_INT;
  if (!strcmp(tag, T_FLOAT)) return MF_R_FLOAT;
  if (!strcmp(tag, T_NULL)) return MF_R_NULL;
  if (!strcmp(tag, T_TIMESTAMP)) return MF_R_TIMESTAMP;
  return MF_R_STR;
}

static int resolve_plain(const char *tag, const char *in, size_t len, mf_resolved *out) {
  memset(out, 0, sizeof(*out));
  out->kind = MF_R_STR;
  if (!resolvable(tag)) {
    if (!strcmp(tag, T_BINARY)) out->kind = MF_R_BINARY;
    return 0;
  }
  char hint = len ? hint_of((unsigned char)in[0]) : 'N';
  if (!hint || !strcmp(tag, T_STR)) return 0;
  for (size_t i = 0; i < sizeof(resolve_map) / sizeof(resolve_map[0]); i++) {
    if (strlen(resolve_map[i].s) == len && memcmp(resolve_map[i].s, in, len) == 0) {
      out->kind = resolve_map[i].kind;
      if (out->kind == MF_R_BOOL)
        out->b = resolve_map[i].v;
      else if (out->kind == MF_R_FLOAT)
        out->f = resolve_map[i].v ? resolve_map[i].v * INFINITY : NAN;
      return 0;
    }
  }
  if (memchr(in, '\0', len) || len > 1000) return 0; /* far too long for a number; a string */
  char s[1024];
  memcpy(s, in, len);
  s[len] = '\0';
  if (hint == '.') {
    double f;
    if (mf_go_parse_float(s, &f)) {
      out->kind = MF_R_FLOAT;
      out->f = f;
    }
    return 0;
  }
  if (hint == 'D' || hint == 'S') {
    if ((!*tag || !strcmp(tag, T_TIMESTAMP)) && mf_go_is_timestamp(s, len)) {
      out->kind = MF_R_TIMESTAMP;
      return 0;
    }
    char plain[1024];
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
      if (s[i] != '_') plain[n++] = s[i];
    plain[n] = '\0';
    resolve_number(plain, out);
  }
  return 0;
}

int mf_resolve(const char *tag, const char *in, size_t len, mf_resolved *out) {
  if (!tag) tag = "";
  resolve_plain(tag, in, len, out);
  if (!*tag || !strcmp(tag, T_STR) || !strcmp(tag, T_BINARY) || !resolvable(tag)) return 0;
  mf_rkind want = kind_of_tag(tag);
  mf_rkind got = out->kind == MF_R_BIGINT ? MF_R_FLOAT : out->kind;
  if (want == got) return 0;
  if (want == MF_R_FLOAT && out->kind == MF_R_INT && !out->is_unsigned) {
    /* !!float on an int: float64(v) */
    out->kind = MF_R_FLOAT;
    out->f = (double)out->i;
    return 0;
  }
  return -1;
}

const char *mf_short_tag(const char *tag, char *buf, size_t cap) {
  size_t n = strlen(MF_TAG_PREFIX);
  if (tag && strncmp(tag, MF_TAG_PREFIX, n) == 0)
    snprintf(buf, cap, "!!%s", tag + n);
  else
    snprintf(buf, cap, "%s", tag ? tag : "");
  return buf;
}
