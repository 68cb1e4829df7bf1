/* Go's fmt and strconv formatting for template values. */
#include "engine/gotmpl/tmpl_internal.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <wctype.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------- UTF-8 ---------------- */
int utf8_decode(const char *s, size_t n, int32_t *r) {
  const unsigned char *p = (const unsigned char *)s;
  if (n == 0) {
    *r = 0xFFFD;
    return 1;
  }
  unsigned c = p[0];
  if (c < 0x80) {
    *r = (int32_t)c;
    return 1;
  }
  int need;
  int32_t v, min;
  if ((c & 0xE0) == 0xC0) {
    need = 1;
    v = c & 0x1F;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    need = 2;
    v = c & 0x0F;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    need = 3;
    v = c & 0x07;
    min = 0x10000;
  } else {
    *r = 0xFFFD;
    return 1;
  }
  if ((size_t)need >= n) {
    *r = 0xFFFD;
    return 1;
  }
  for (int i = 1; i <= need; i++) {
    if ((p[i] & 0xC0) != 0x80) {
      *r = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (p[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    *r = 0xFFFD;
    return 1;
  }
  *r = v;
  return need + 1;
}

int utf8_encode(char *out, int32_t r) {
  unsigned char *o = (unsigned char *)out;
  if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    o[0] = (unsigned char)r;
    return 1;
  }
  if (r < 0x800) {
    o[0] = (unsigned char)(0xC0 | (r >> 6));
    o[1] = (unsigned char)(0x80 | (r & 0x3F));
    return 2;
  }
  if (r < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (r >> 12));
    o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (r & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (r >> 18));
  o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (r & 0x3F));
  return 4;
}

size_t utf8_count(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n;) {
    int32_t r;
    i += (size_t)utf8_decode(s + i, n - i, &r);
    c++;
  }
  return c;
}

/* ---------------- strconv.Quote ---------------- */
/* Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and
 * the ASCII space (not other spaces, format or private-use characters) */
static locale_t fmt_loc;
static pthread_once_t fmt_loc_once = PTHREAD_ONCE_INIT;
static void fmt_loc_init(void) {
  fmt_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static bool is_printable(int32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA1 || r == 0xAD) return false;
  if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) ||
      (r >= 0x0600 && r <= 0x0605) || r == 0x061C || r == 0x06DD || r == 0x070F || r == 0x180E ||
      r == 0x110BD || (r >= 0x1D173 && r <= 0x1D17A) || r == 0xE0001 ||
      (r >= 0xE0020 && r <= 0xE007F))
    return false;
  if ((r >= 0xD800 && r <= 0xF8FF) || r >= 0xF0000 || r == 0xFFFD + 0x10000) return false;
  if (r == 0xFFFD) return true;
  pthread_once(&fmt_loc_once, fmt_loc_init);
  return fmt_loc ? iswgraph_l((wint_t)r, fmt_loc) != 0 : true;
}

static void quote_with(sb *b, const char *s, size_t n, char q, bool ascii_only) {
  static const char hex[] = "0123456789abcdef";
  sb_putc(b, q);
  for (size_t i = 0; i < n;) {
    int32_t r;
    int w = utf8_decode(s + i, n - i, &r);
    if (w == 1 && r == 0xFFFD) {
      sb_puts(b, "\\x");
      sb_putc(b, hex[(unsigned char)s[i] >> 4]);
      sb_putc(b, hex[(unsigned char)s[i] & 15]);
      i++;
      continue;
    }
    i += (size_t)w;
    if (r == q || r == '\\') {
      sb_putc(b, '\\');
      sb_putc(b, (char)r);
      continue;
    }
    if (ascii_only ? (r < 0x7F && r >= 0x20) : is_printable(r)) {
      char u[4];
      sb_putn(b, u, (size_t)utf8_encode(u, r));
      continue;
    }
    switch (r) {
    case '\a':
      sb_puts(b, "\\a");
      continue;
    case '\b':
      sb_puts(b, "\\b");
      continue;
    case '\f':
      sb_puts(b, "\\f");
      continue;
    case '\n':
      sb_puts(b, "\\n");
      continue;
    case '\r':
      sb_puts(b, "\\r");
      continue;
    case '\t':
      sb_puts(b, "\\t");
      continue;
    case '\v':
      sb_puts(b, "\\v");
      continue;
    }
    if (r < ' ' || r == 0x7F) {
      sb_puts(b, "\\x");
      sb_putc(b, hex[(r >> 4) & 15]);
      sb_putc(b, hex[r & 15]);
    } else if (r < 0x10000) {
      sb_printf(b, "\\u%04x", (unsigned)r);
    } else {
      sb_printf(b, "\\U%08x", (unsigned)r);
    }
  }
  sb_putc(b, q);
}

void gofmt_quote(sb *b, const char *s, size_t n) {
  quote_with(b, s, n, '"', false);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int go_unquote(const char *s, size_t n, sb *out) {
  if (n < 2) return -1;
  char q = s[0];
  if (q != s[n - 1]) return -1;
  if (q == '`') {
    for (size_t i = 1; i + 1 < n; i++)
      if (s[i] != '\r') sb_putc(out, s[i]);
    if (!out->p) sb_putn(out, "", 0);
    return 0;
  }
  if (q != '"' && q != '\'') return -1;
  sb_putn(out, "", 0);
  size_t nr = 0;
  for (size_t i = 1; i + 1 < n;) {
    char c = s[i];
    if (c == q && q == '\'') return -1;
    if (c == '\n') return -1;
    nr++;
    if (c != '\\') {
      sb_putc(out, c);
      i++;
      continue;
    }
    i++;
    if (i + 1 > n - 1) return -1;
    c = s[i++];
    switch (c) {
    case 'a':
      sb_putc(out, '\a');
      break;
    case 'b':
      sb_putc(out, '\b');
      break;
    case 'f':
      sb_putc(out, '\f');
      break;
    case 'n':
      sb_putc(out, '\n');
      break;
    case 'r':
      sb_putc(out, '\r');
      break;
    case 't':
      sb_putc(out, '\t');
      break;
    case 'v':
      sb_putc(out, '\v');
      break;
    case '\\':
      sb_putc(out, '\\');
      break;
    case '\'':
    case '"':
      if (c != q) return -1;
      sb_putc(out, c);
      break;
    case 'x':
    case 'u':
    case 'U': {
      int len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + (size_t)len > n - 1) return -1;
      uint32_t v = 0;
      for (int k = 0; k < len; k++) {
        int h = hexval(s[i + (size_t)k]);
        if (h < 0) return -1;
        v = v * 16 + (uint32_t)h;
      }
      i += (size_t)len;
      if (c == 'x') {
        sb_putc(out, (char)v);
      } else {
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return -1;
        char u[4];
        sb_putn(out, u, (size_t)utf8_encode(u, (int32_t)v));
      }
      break;
    }
    default:
      if (c >= '0' && c <= '7') {
        if (i + 2 > n - 1) return -1;
        int v = c - '0';
        for (int k = 0; k < 2; k++) {
          char d = s[i++];
          if (d < '0' || d > '7') return -1;
          v = v * 8 + (d - '0');
        }
        if (v > 255) return -1;
        sb_putc(out, (char)v);
        break;
      }
      return -1;
    }
  }
  if (q == '\'' && nr != 1) {
    /* a multi-byte UTF-8 rune counts as one */
    if (utf8_count(out->p, out->n) != 1) return -1;
  }
  return 0;
}

/* ---------------- floats ---------------- */
/* Shortest decimal digits that round-trip: digits in d (no dot), decimal
 * exponent dp such that value = 0.d * 10^dp. */
static int shortest_digits(double f, char *d, int *dp) {
  char buf[64];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
    if (strtod(buf, NULL) == f || prec == 17) break;
  }
  /* buf = "D.DDDDe±XX" */
  int n = 0;
  char *p = buf;
  if (*p == '-') p++;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') d[n++] = *p;
  int e = atoi(p + 1);
  while (n > 1 && d[n - 1] == '0')
    n--;
  d[n] = 0;
  *dp = e + 1;
  return n;
}

static void fmt_exp(sb *b, int e, char ec, int min_digits) {
  sb_putc(b, ec);
  sb_putc(b, e < 0 ? '-' : '+');
  if (e < 0) e = -e;
  char t[16];
  snprintf(t, sizeof t, "%0*d", min_digits, e);
  sb_puts(b, t);
}

/* digits d[0..n) with decimal point position dp: format %e with prec digits
 * after the point (-1: all digits). */
static void fmt_e_digits(sb *b, const char *d, int n, int dp, int prec, char ec) {
  sb_putc(b, d[0]);
  int after = prec < 0 ? n - 1 : prec;
  if (after > 0) {
    sb_putc(b, '.');
    for (int i = 1; i <= after; i++)
      sb_putc(b, i < n ? d[i] : '0');
  }
  int e = (n == 1 && d[0] == '0') ? 0 : dp - 1;
  fmt_exp(b, e, ec, 2);
}

static void fmt_f_digits(sb *b, const char *d, int n, int dp, int prec) {
  if (dp <= 0)
    sb_putc(b, '0');
  else
    for (int i = 0; i < dp; i++)
      sb_putc(b, i < n ? d[i] : '0');
  int after = prec < 0 ? (n - dp > 0 ? n - dp : 0) : prec;
  if (after > 0) {
    sb_putc(b, '.');
    for (int i = 0; i < after; i++) {
      int idx = dp + i;
      sb_putc(b, idx >= 0 && idx < n ? d[idx] : '0');
    }
  }
}

void gofmt_float(sb *b, double f, char fmtc, int prec) {
  if (isnan(f)) {
    sb_puts(b, "NaN");
    return;
  }
  if (isinf(f)) {
    sb_puts(b, f > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (signbit(f)) {
    sb_putc(b, '-');
    f = -f;
  }
  char d[40];
  int dp, n;
  if (prec < 0) {
    if (f == 0) {
      d[0] = '0';
      d[1] = 0;
      n = 1;
      dp = 1;
    } else
      n = shortest_digits(f, d, &dp);
    switch (fmtc) {
    case 'e':
    case 'E':
      fmt_e_digits(b, d, n, dp, -1, fmtc);
      return;
    case 'f':
      fmt_f_digits(b, d, n, dp, -1);
      return;
    case 'g':
    case 'G': {
      /* strconv/ftoa.go, shortest: eprec = 6; %e if exp < -4 || exp >= eprec */
      int exp = f == 0 ? 0 : dp - 1;
      if (exp < -4 || exp >= 6) {
        fmt_e_digits(b, d, n, dp, n - 1, fmtc == 'g' ? 'e' : 'E');
      } else {
        fmt_f_digits(b, d, n, dp, n - dp > 0 ? n - dp : 0);
      }
      return;
    }
    }
    return;
  }
  /* fixed precision */
  char buf[512];
  switch (fmtc) {
  case 'e':
  case 'E':
  case 'f':
    if (prec > 300) prec = 300;
    snprintf(buf, sizeof buf, fmtc == 'e' ? "%.*e" : fmtc == 'E' ? "%.*E" : "%.*f", prec, f);
    sb_puts(b, buf);
    return;
  case 'g':
  case 'G': {
    if (prec == 0) prec = 1;
    if (prec > 300) prec = 300;
    /* Go: %e if exp < -4 || exp >= eprec, eprec=prec (or nd if
     * nd < prec && nd >= dp); trailing zeros are removed. */
    snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
    char dd[400];
    int nn = 0;
    char *p = buf;
    for (; *p && *p != 'e'; p++)
      if (*p != '.') dd[nn++] = *p;
    int e = atoi(p + 1);
    while (nn > 1 && dd[nn - 1] == '0')
      nn--;
    int ddp = e + 1;
    int eprec = prec;
    if (eprec > nn && nn >= ddp) eprec = nn;
    if (f == 0) e = 0;
    if (e < -4 || e >= eprec)
      fmt_e_digits(b, dd, nn, ddp, nn - 1, fmtc == 'g' ? 'e' : 'E');
    else
      fmt_f_digits(b, dd, nn, ddp, nn - ddp > 0 ? nn - ddp : 0);
    return;
  }
  }
}

/* ---------------- %v ---------------- */
static void fmt_value_verb(sb *b, const tval *v, char verb, bool top);
static void fmt_value_inner(sb *b, const tval *v, bool top);

void gofmt_value(sb *b, const tval *v) {
  fmt_value_verb(b, v, 'v', true);
}

static void print_struct_fields(sb *b, const tval *v) {
  /* struct { chart.Metadata; IsRoot bool } prints as {{…} true} */
  bool chart = v->tname && !strncmp(v->tname, "struct { chart.Metadata", 23);
  sb_putc(b, '{');
  if (chart) sb_putc(b, '{');
  const tval *isroot = NULL;
  bool first = true;
  for (size_t i = 0; i < v->u.m->nord; i++) {
    const char *k = v->u.m->ord[i];
    const tval *f = tm_get(v, k, strlen(k));
    if (!f) continue;
    if (chart && !strcmp(k, "IsRoot")) {
      isroot = f;
      continue;
    }
    if (!first) sb_putc(b, ' ');
    first = false;
    fmt_value_verb(b, f, 'v', false);
  }
  if (chart) {
    sb_puts(b, "} ");
    fmt_value_verb(b, isroot, 'v', false);
  }
  sb_putc(b, '}');
}

__thread size_t tmpl_fmt_limit = TMPL_FMT_LIMIT_DEFAULT;
static __thread int fmt_depth;

static void fmt_value_verb(sb *b, const tval *v, char verb, bool top) {
  (void)verb;
  if (b->n > tmpl_fmt_limit || fmt_depth > 10000) return;
  fmt_depth++;
  fmt_value_inner(b, v, top);
  fmt_depth--;
}

static void fmt_value_inner(sb *b, const tval *v, bool top) {
  char verb = 'v';
  (void)verb;
  if (!v) {
    sb_puts(b, "<nil>");
    return;
  }
  tmethod *str = NULL;
  switch (v->kind) {
  case TMPL_INVALID:
    sb_puts(b, top ? "<no value>" : "<nil>");
    return;
  case TMPL_NIL:
    sb_puts(b, "<nil>");
    return;
  case TMPL_BOOL:
    sb_puts(b, v->u.b ? "true" : "false");
    return;
  case TMPL_INT:
    if (v->tname && v->tname[0] == 'u')
      sb_printf(b, "%llu", (unsigned long long)v->u.i);
    else
      sb_printf(b, "%lld", (long long)v->u.i);
    return;
  case TMPL_FLOAT:
    gofmt_float(b, v->u.f, 'g', -1);
    return;
  case TMPL_STRING:
    sb_putn(b, v->u.s.p, v->u.s.n);
    return;
  case TMPL_BYTES:
    sb_putc(b, '[');
    for (size_t i = 0; i < v->u.s.n; i++)
      sb_printf(b, i ? " %u" : "%u", (unsigned char)v->u.s.p[i]);
    sb_putc(b, ']');
    return;
  case TMPL_LIST:
    sb_putc(b, '[');
    for (size_t i = 0; i < v->u.l->n; i++) {
      if (i) sb_putc(b, ' ');
      fmt_value_verb(b, v->u.l->v[i], 'v', false);
    }
    sb_putc(b, ']');
    return;
  case TMPL_MAP:
    sb_puts(b, "map[");
    for (size_t i = 0; i < v->u.m->n; i++) {
      if (i) sb_putc(b, ' ');
      sb_putn(b, v->u.m->k[i], v->u.m->kl[i]);
      sb_putc(b, ':');
      fmt_value_verb(b, v->u.m->v[i], 'v', false);
    }
    sb_putc(b, ']');
    return;
  case TMPL_STRUCT:
    if (v->u.m->ext_type == 2 || v->u.m->ext_type == 3) {
      fmt_stringer(b, v);
      return;
    }
    if (v->tname && v->tname[0] == '*') sb_putc(b, top ? '&' : '0');
    if (v->tname && v->tname[0] == '*' && !top) {
      /* nested pointers print as addresses in Go; use 0xc000… */
      b->n--;
      sb_puts(b, "0xc000010000");
      return;
    }
    print_struct_fields(b, v);
    return;
  default:
    sb_puts(b, "?");
    return;
  }
  /* Stringer */
  (void)str;
  fmt_stringer(b, v);
}

void semver_string(sb *b, const tval *self);
void time_string(sb *b, const tval *self);

bool fmt_stringer(sb *b, const tval *v) {
  if (v->kind != TMPL_STRUCT) return false;
  if (v->u.m->ext_type == 2) {
    semver_string(b, v);
    return true;
  }
  if (v->u.m->ext_type == 3) {
    time_string(b, v);
    return true;
  }
  return false;
}

/* ---------------- Sprint / Sprintln ---------------- */
static bool is_str(const tval *v) {
  return v && v->kind == TMPL_STRING;
}

static void sprint_operand(sb *b, const tval *v) {
  /* fmt.Sprint of an interface{}: nil → <nil> */
  if (!v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL) {
    sb_puts(b, "<nil>");
    return;
  }
  fmt_value_verb(b, v, 'v', true);
}

void gofmt_sprint(sb *b, tval **args, int n) {
  for (int i = 0; i < n; i++) {
    if (i > 0 && !is_str(args[i]) && !is_str(args[i - 1])) sb_putc(b, ' ');
    sprint_operand(b, args[i]);
  }
  if (!b->p) sb_putn(b, "", 0);
}

void gofmt_sprintln(sb *b, tval **args, int n) {
  for (int i = 0; i < n; i++) {
    if (i > 0) sb_putc(b, ' ');
    sprint_operand(b, args[i]);
  }
  sb_putc(b, '\n');
}

/* ---------------- Sprintf ---------------- */
typedef struct fmtspec {
  bool minus, plus, sharp, space, zero;
  int wid, prec;
  bool has_wid, has_prec;
} fmtspec;

static void pad(sb *b, const fmtspec *fs, const char *s, size_t n, bool numeric) {
  size_t w = utf8_count(s, n);
  if (!fs->has_wid || (size_t)fs->wid <= w) {
    sb_putn(b, s, n);
    return;
  }
  size_t padn = (size_t)fs->wid - w;
  if (fs->minus) {
    sb_putn(b, s, n);
    for (size_t i = 0; i < padn; i++)
      sb_putc(b, ' ');
    return;
  }
  if (fs->zero && numeric) {
    /* zeros go after the sign */
    size_t k = 0;
    if (n && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
      sb_putc(b, s[0]);
      k = 1;
    }
    for (size_t i = 0; i < padn; i++)
      sb_putc(b, '0');
    sb_putn(b, s + k, n - k);
    return;
  }
  for (size_t i = 0; i < padn; i++)
    sb_putc(b, fs->zero && !numeric ? '0' : ' ');
  sb_putn(b, s, n);
}

static void bad_verb(sb *b, char verb, const tval *v) {
  sb_putc(b, '%');
  sb_putc(b, '!');
  sb_putc(b, verb);
  sb_putc(b, '(');
  if (!v || v->kind == TMPL_NIL || v->kind == TMPL_INVALID) {
    sb_puts(b, "<nil>");
  } else {
    sb_puts(b, tv_type(v));
    sb_putc(b, '=');
    fmt_value_verb(b, v, 'v', true);
  }
  sb_putc(b, ')');
}

static void fmt_integer(sb *b, const fmtspec *fs, int64_t iv, bool is_unsigned, char verb) {
  char tmp[128];
  sb s = {0};
  uint64_t u = is_unsigned ? (uint64_t)iv : (iv < 0 ? (uint64_t)0 - (uint64_t)iv : (uint64_t)iv);
  bool neg = !is_unsigned && iv < 0;
  switch (verb) {
  case 'd':
  case 'v':
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)u);
    break;
  case 'x':
    snprintf(tmp, sizeof tmp, "%llx", (unsigned long long)u);
    break;
  case 'X':
    snprintf(tmp, sizeof tmp, "%llX", (unsigned long long)u);
    break;
  case 'o':
  case 'O':
    snprintf(tmp, sizeof tmp, "%llo", (unsigned long long)u);
    break;
  case 'b': {
    int k = 0;
    char r[70];
    if (u == 0) r[k++] = '0';
    while (u) {
      r[k++] = (char)('0' + (u & 1));
      u >>= 1;
    }
    for (int i = 0; i < k; i++)
      tmp[i] = r[k - 1 - i];
    tmp[k] = 0;
    break;
  }
  case 'c':
  case 'q':
  case 'U': {
    int32_t r = (int32_t)iv;
    if (verb == 'c') {
      char u8[4];
      int w = utf8_encode(u8, r);
      pad(b, fs, u8, (size_t)w, false);
    } else if (verb == 'q') {
      char u8[4];
      int w = utf8_encode(u8, r);
      quote_with(&s, u8, (size_t)w, '\'', false);
      pad(b, fs, s.p, s.n, false);
      sb_free(&s);
    } else {
      snprintf(tmp, sizeof tmp, "U+%04llX", (unsigned long long)iv);
      sb u = {0};
      sb_puts(&u, tmp);
      if (fs->sharp && is_printable(r)) {
        char u8[4];
        int w = utf8_encode(u8, r);
        sb_puts(&u, " '");
        sb_putn(&u, u8, (size_t)w);
        sb_putc(&u, '\'');
      }
      pad(b, fs, u.p, u.n, false);
      sb_free(&u);
    }
    return;
  }
  }
  if (fs->has_prec) {
    size_t l = strlen(tmp);
    if (fs->prec == 0 && iv == 0) tmp[0] = 0, l = 0;
    if ((size_t)fs->prec > l) {
      sb z = {0};
      for (size_t i = l; i < (size_t)fs->prec; i++)
        sb_putc(&z, '0');
      sb_puts(&z, tmp);
      snprintf(tmp, sizeof tmp, "%s", z.p);
      sb_free(&z);
    }
  }
  if (neg)
    sb_putc(&s, '-');
  else if (fs->plus)
    sb_putc(&s, '+');
  else if (fs->space)
    sb_putc(&s, ' ');
  if (fs->sharp) {
    if (verb == 'x')
      sb_puts(&s, "0x");
    else if (verb == 'X')
      sb_puts(&s, "0X");
    else if (verb == 'o' && tmp[0] != '0')
      sb_putc(&s, '0');
  }
  if (verb == 'O') sb_puts(&s, "0o");
  sb_puts(&s, tmp);
  fmtspec f2 = *fs;
  if (fs->has_prec) f2.zero = false;
  pad(b, &f2, s.p, s.n, true);
  sb_free(&s);
}

static void fmt_floatv(sb *b, const fmtspec *fs, double f, char verb) {
  sb s = {0};
  char fc = verb == 'v' ? 'g' : verb;
  if (fc == 'F') fc = 'f';
  int prec = fs->has_prec ? fs->prec : (fc == 'g' || fc == 'G' ? -1 : 6);
  gofmt_float(&s, f, fc, prec);
  sb out = {0};
  if (fs->plus && s.p[0] != '-' && s.p[0] != '+')
    sb_putc(&out, '+');
  else if (fs->space && s.p[0] != '-')
    sb_putc(&out, ' ');
  if (s.p[0] == '+' && !fs->plus)
    sb_putn(&out, s.p + 1, s.n - 1);
  else
    sb_putn(&out, s.p, s.n);
  bool inf = isinf(f) || isnan(f);
  fmtspec f2 = *fs;
  if (inf) f2.zero = false;
  pad(b, &f2, out.p, out.n, true);
  sb_free(&s);
  sb_free(&out);
}

static void fmt_string(sb *b, const fmtspec *fs, const char *p, size_t n, char verb) {
  if (fs->has_prec) {
    /* truncate to prec runes */
    size_t i = 0;
    int r = 0;
    while (i < n && r < fs->prec) {
      int32_t c;
      i += (size_t)utf8_decode(p + i, n - i, &c);
      r++;
    }
    n = i;
  }
  sb s = {0};
  static const char hx[] = "0123456789abcdef", HX[] = "0123456789ABCDEF";
  switch (verb) {
  case 'q':
    if (fs->sharp) {
      bool can_raw = true;
      for (size_t i = 0; i < n; i++)
        if (p[i] == '`' || (p[i] < ' ' && p[i] != '\t')) can_raw = false;
      if (can_raw) {
        sb_putc(&s, '`');
        sb_putn(&s, p, n);
        sb_putc(&s, '`');
        break;
      }
    }
    quote_with(&s, p, n, '"', fs->plus);
    break;
  case 'x':
  case 'X':
    for (size_t i = 0; i < n; i++) {
      if (fs->space && i) sb_putc(&s, ' ');
      if (fs->sharp && (fs->space || i == 0)) sb_puts(&s, verb == 'x' ? "0x" : "0X");
      const char *h = verb == 'x' ? hx : HX;
      sb_putc(&s, h[(unsigned char)p[i] >> 4]);
      sb_putc(&s, h[(unsigned char)p[i] & 15]);
    }
    break;
  default:
    sb_putn(&s, p, n);
    break;
  }
  pad(b, fs, s.p ? s.p : "", s.n, false);
  sb_free(&s);
}

static void fmt_arg(sb *b, const fmtspec *fs, const tval *v, char verb);
static void fmt_container_inner(sb *b, const fmtspec *fs, const tval *v, char verb);

static void fmt_container(sb *b, const fmtspec *fs, const tval *v, char verb) {
  if (b->n > tmpl_fmt_limit || fmt_depth > 10000) return;
  fmt_depth++;
  fmt_container_inner(b, fs, v, verb);
  fmt_depth--;
}

static void fmt_container_inner(sb *b, const fmtspec *fs, const tval *v, char verb) {
  if (v->kind == TMPL_LIST) {
    sb_putc(b, '[');
    for (size_t i = 0; i < v->u.l->n; i++) {
      if (i) sb_putc(b, ' ');
      fmt_arg(b, fs, v->u.l->v[i], verb);
    }
    sb_putc(b, ']');
    return;
  }
  sb_puts(b, "map[");
  for (size_t i = 0; i < v->u.m->n; i++) {
    if (i) sb_putc(b, ' ');
    tval k = {.kind = TMPL_STRING};
    k.u.s.p = v->u.m->k[i];
    k.u.s.n = v->u.m->kl[i];
    fmt_arg(b, fs, &k, verb);
    sb_putc(b, ':');
    fmt_arg(b, fs, v->u.m->v[i], verb);
  }
  sb_putc(b, ']');
}

/* %#v: Go-syntax representation */
static void go_syntax(sb *b, const tval *v, bool in_iface, int depth) {
  if (depth > 1000 || b->n > tmpl_fmt_limit) return;
  if (!v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL) {
    sb_puts(b, in_iface ? "interface {}(nil)" : "<nil>");
    return;
  }
  switch (v->kind) {
  case TMPL_BOOL:
    sb_puts(b, v->u.b ? "true" : "false");
    return;
  case TMPL_INT:
    if (v->tname && v->tname[0] == 'u')
      sb_printf(b, "0x%llx", (unsigned long long)v->u.i);
    else
      sb_printf(b, "%lld", (long long)v->u.i);
    return;
  case TMPL_FLOAT:
    gofmt_float(b, v->u.f, 'g', -1);
    return;
  case TMPL_STRING:
    gofmt_quote(b, v->u.s.p, v->u.s.n);
    return;
  case TMPL_BYTES:
    sb_puts(b, "[]byte{");
    for (size_t i = 0; i < v->u.s.n; i++)
      sb_printf(b, i ? ", 0x%x" : "0x%x", (unsigned char)v->u.s.p[i]);
    sb_putc(b, '}');
    return;
  case TMPL_LIST: {
    bool iface = !v->tname || !strcmp(v->tname, "[]interface {}");
    sb_puts(b, tv_type(v));
    sb_putc(b, '{');
    for (size_t i = 0; i < v->u.l->n; i++) {
      if (i) sb_puts(b, ", ");
      go_syntax(b, v->u.l->v[i], iface, depth + 1);
    }
    sb_putc(b, '}');
    return;
  }
  case TMPL_MAP: {
    bool iface = !(v->tname && !strcmp(v->tname, "map[string]string"));
    sb_puts(b, tv_type(v));
    sb_putc(b, '{');
    for (size_t i = 0; i < v->u.m->n; i++) {
      if (i) sb_puts(b, ", ");
      gofmt_quote(b, v->u.m->k[i], v->u.m->kl[i]);
      sb_putc(b, ':');
      go_syntax(b, v->u.m->v[i], iface, depth + 1);
    }
    sb_putc(b, '}');
    return;
  }
  case TMPL_STRUCT: {
    const char *t = tv_type(v);
    if (t[0] == '*') {
      sb_putc(b, '&');
      t++;
    }
    sb_puts(b, t);
    sb_putc(b, '{');
    for (size_t i = 0; i < v->u.m->nord; i++) {
      const char *k = v->u.m->ord[i];
      if (i) sb_puts(b, ", ");
      sb_printf(b, "%s:", k);
      go_syntax(b, tm_get(v, k, strlen(k)), false, depth + 1);
    }
    sb_putc(b, '}');
    return;
  }
  default:
    sb_puts(b, "<nil>");
    return;
  }
}

/* %+v of a struct: field names */
static void plus_struct(sb *b, const tval *v) {
  sb_putc(b, '{');
  for (size_t i = 0; i < v->u.m->nord; i++) {
    const char *k = v->u.m->ord[i];
    if (i) sb_putc(b, ' ');
    sb_printf(b, "%s:", k);
    const tval *f = tm_get(v, k, strlen(k));
    if (f && f->kind == TMPL_STRUCT && !(f->u.m->ext_type == 2 || f->u.m->ext_type == 3))
      plus_struct(b, f);
    else
      fmt_value_verb(b, f, 'v', false);
  }
  sb_putc(b, '}');
}

static void fmt_arg(sb *b, const fmtspec *fs, const tval *v, char verb) {
  if (verb == 'v' && fs->sharp) {
    sb t = {0};
    go_syntax(&t, v, false, 0);
    pad(b, fs, t.p ? t.p : "", t.n, false);
    sb_free(&t);
    return;
  }
  if (verb == 'v' && fs->plus && v && v->kind == TMPL_STRUCT &&
      !(v->u.m->ext_type == 2 || v->u.m->ext_type == 3)) {
    sb t = {0};
    if (v->tname && v->tname[0] == '*') sb_putc(&t, '&');
    plus_struct(&t, v);
    pad(b, fs, t.p, t.n, false);
    sb_free(&t);
    return;
  }
  if (verb == 'T') {
    const char *t = (!v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL) ? "<nil>" : tv_type(v);
    fmt_string(b, fs, t, strlen(t), 's');
    return;
  }
  if (!v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL) {
    if (verb == 'v') {
      pad(b, fs, "<nil>", 5, false);
      return;
    }
    bad_verb(b, verb, NULL);
    return;
  }
  switch (v->kind) {
  case TMPL_BOOL:
    if (verb == 't' || verb == 'v') {
      const char *s = v->u.b ? "true" : "false";
      pad(b, fs, s, strlen(s), false);
    } else
      bad_verb(b, verb, v);
    return;
  case TMPL_INT: {
    bool uns = v->tname && v->tname[0] == 'u';
    if (strchr("vdbcoOqxXU", verb)) {
      fmt_integer(b, fs, v->u.i, uns, verb);
      return;
    }
    bad_verb(b, verb, v);
    return;
  }
  case TMPL_FLOAT:
    if (strchr("vbeEfFgGxX", verb) && verb != 'b' && verb != 'x' && verb != 'X') {
      fmt_floatv(b, fs, v->u.f, verb);
      return;
    }
    bad_verb(b, verb, v);
    return;
  case TMPL_STRING:
    if (strchr("vsqxX", verb)) {
      fmt_string(b, fs, v->u.s.p, v->u.s.n, verb == 'v' ? 's' : verb);
      return;
    }
    bad_verb(b, verb, v);
    return;
  case TMPL_BYTES:
    if (strchr("sqxX", verb)) {
      fmt_string(b, fs, v->u.s.p, v->u.s.n, verb);
      return;
    }
    {
      sb s = {0};
      gofmt_value(&s, v);
      pad(b, fs, s.p, s.n, false);
      sb_free(&s);
    }
    return;
  case TMPL_LIST:
  case TMPL_MAP:
    fmt_container(b, fs, v, verb);
    return;
  default: {
    sb so = {0};
    if (strchr("vsq", verb) && fmt_stringer(&so, v)) {
      fmt_string(b, fs, so.p, so.n, verb == 'v' ? 's' : verb);
      sb_free(&so);
      return;
    }
    sb_free(&so);
    sb s = {0};
    gofmt_value(&s, v);
    pad(b, fs, s.p, s.n, false);
    sb_free(&s);
    return;
  }
  }
}

void gofmt_sprintf(sb *b, const char *f, size_t n, tval **args, int nargs) {
  int argi = 0;
  sb_putn(b, "", 0);
  for (size_t i = 0; i < n;) {
    if (f[i] != '%') {
      size_t j = i;
      while (j < n && f[j] != '%')
        j++;
      sb_putn(b, f + i, j - i);
      i = j;
      continue;
    }
    i++;
    fmtspec fs = {0};
    for (; i < n; i++) {
      char c = f[i];
      if (c == '-') {
        fs.minus = true;
        fs.zero = false;
      } else if (c == '+')
        fs.plus = true;
      else if (c == '#')
        fs.sharp = true;
      else if (c == ' ')
        fs.space = true;
      else if (c == '0')
        fs.zero = !fs.minus;
      else
        break;
    }
    /* width */
    if (i < n && f[i] == '*') {
      i++;
      if (argi < nargs && args[argi] && args[argi]->kind == TMPL_INT) {
        fs.wid = (int)args[argi]->u.i;
        fs.has_wid = true;
        if (fs.wid < 0) {
          fs.minus = true;
          fs.wid = -fs.wid;
        }
        argi++;
      } else {
        sb_puts(b, "%!(BADWIDTH)");
        argi++;
      }
    } else {
      while (i < n && f[i] >= '0' && f[i] <= '9') {
        fs.wid = fs.wid * 10 + (f[i] - '0');
        fs.has_wid = true;
        i++;
        if (fs.wid > 1000000) fs.wid = 1000000;
      }
    }
    if (i < n && f[i] == '.') {
      i++;
      fs.has_prec = true;
      if (i < n && f[i] == '*') {
        i++;
        if (argi < nargs && args[argi] && args[argi]->kind == TMPL_INT) {
          fs.prec = (int)args[argi]->u.i;
          if (fs.prec < 0) {
            fs.prec = 0;
            fs.has_prec = false;
          }
          argi++;
        } else {
          sb_puts(b, "%!(BADPREC)");
          argi++;
        }
      } else {
        while (i < n && f[i] >= '0' && f[i] <= '9') {
          fs.prec = fs.prec * 10 + (f[i] - '0');
          i++;
          if (fs.prec > 1000000) fs.prec = 1000000;
        }
      }
    }
    if (i >= n) {
      sb_puts(b, "%!(NOVERB)");
      break;
    }
    int32_t verb;
    int w = utf8_decode(f + i, n - i, &verb);
    i += (size_t)w;
    if (verb == '%') {
      sb_putc(b, '%');
      continue;
    }
    if (argi >= nargs) {
      sb_puts(b, "%!");
      char u[4];
      sb_putn(b, u, (size_t)utf8_encode(u, verb));
      sb_puts(b, "(MISSING)");
      continue;
    }
    const tval *a = args[argi++];
    if (verb >= 0x80 || !strchr("vTtbcdoOqxXUeEfFgGsp", (int)verb)) {
      sb_puts(b, "%!");
      char u[4];
      sb_putn(b, u, (size_t)utf8_encode(u, verb));
      sb_putc(b, '(');
      if (!a || a->kind == TMPL_NIL || a->kind == TMPL_INVALID)
        sb_puts(b, "<nil>");
      else {
        sb_puts(b, tv_type(a));
        sb_putc(b, '=');
        gofmt_value(b, a);
      }
      sb_putc(b, ')');
      continue;
    }
    fmt_arg(b, &fs, a, (char)verb);
  }
  if (argi < nargs) {
    sb_puts(b, "%!(EXTRA ");
    for (int k = argi; k < nargs; k++) {
      if (k > argi) sb_puts(b, ", ");
      const tval *a = args[k];
      if (!a || a->kind == TMPL_NIL || a->kind == TMPL_INVALID)
        sb_puts(b, "<nil>");
      else {
        sb_puts(b, tv_type(a));
        sb_putc(b, '=');
        gofmt_value(b, a);
      }
    }
    sb_putc(b, ')');
  }
}

/* Sprig's strval */
void sprig_strval(sb *b, const tval *v) {
  if (!v || v->kind == TMPL_INVALID || v->kind == TMPL_NIL) {
    sb_puts(b, "<nil>");
    return;
  }
  if (v->kind == TMPL_STRING || v->kind == TMPL_BYTES) {
    sb_putn(b, v->u.s.p, v->u.s.n);
    return;
  }
  gofmt_value(b, v);
}

int tmpl_format_value(const tmpl_value *v, tmpl_buf *out) {
  sb b = {0};
  gofmt_value(&b, v);
  if (out->len + b.n + 1 > out->cap) {
    size_t nc = out->cap ? out->cap : 256;
    while (nc < out->len + b.n + 1)
      nc *= 2;
    char *p = realloc(out->data, nc);
    if (!p) {
      sb_free(&b);
      return TMPL_ENOMEM;
    }
    out->data = p;
    out->cap = nc;
  }
  if (b.n) memcpy(out->data + out->len, b.p, b.n);
  out->len += b.n;
  out->data[out->len] = 0;
  sb_free(&b);
  return 0;
}
