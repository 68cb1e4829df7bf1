/* Sprig string functions. */
#include "engine/gotmpl/tmpl_internal.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <wctype.h>
#include <stdio.h>
#include <stdlib.h>

#define H exec_heap(x)
#define S(i) (a[i]->u.s.p)
#define SN(i) (a[i]->u.s.n)

static bool is_nil(const tval *v) {
  return !v || v->kind == TMPL_NIL || v->kind == TMPL_INVALID;
}

static bool uspace(int32_t r) {
  return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f ||
         r == 0x3000;
}

/* Unicode case mapping and classes: ASCII inline, the rest through glibc's
 * C.UTF-8 tables (thread-safe *_l variants; no global locale change). */
static locale_t g_utf8;
static pthread_once_t g_utf8_once = PTHREAD_ONCE_INIT;
static void utf8_locale_init(void) {
  g_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}
static locale_t uloc(void) {
  pthread_once(&g_utf8_once, utf8_locale_init);
  return g_utf8;
}

int32_t rune_upper(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  locale_t l = uloc();
  if (l) return (int32_t)towupper_l((wint_t)r, l);
  return r;
}
int32_t rune_lower(int32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  locale_t l = uloc();
  if (l) return (int32_t)towlower_l((wint_t)r, l);
  return r;
}
bool rune_is_letter(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  locale_t l = uloc();
  return l ? iswalpha_l((wint_t)r, l) != 0 : false;
}
bool rune_is_upper(int32_t r) {
  if (r < 0x80) return r >= 'A' && r <= 'Z';
  locale_t l = uloc();
  return l ? iswupper_l((wint_t)r, l) != 0 : false;
}
bool rune_is_lower(int32_t r) {
  if (r < 0x80) return r >= 'a' && r <= 'z';
  locale_t l = uloc();
  return l ? iswlower_l((wint_t)r, l) != 0 : false;
}
bool rune_is_digit(int32_t r) {
  return r >= '0' && r <= '9';
}

/* unicode.ToTitle: upper case except for the Latin digraphs */
static int32_t rune_title(int32_t r) {
  if (r >= 0x1C4 && r <= 0x1C6) return 0x1C5;
  if (r >= 0x1C7 && r <= 0x1C9) return 0x1C8;
  if (r >= 0x1CA && r <= 0x1CC) return 0x1CB;
  if (r >= 0x1F1 && r <= 0x1F3) return 0x1F2;
  return rune_upper(r);
}

static void map_runes(sb *o, const char *s, size_t n, int32_t (*f)(int32_t)) {
  sb_putn(o, "", 0);
  for (size_t i = 0; i < n;) {
    int32_t r;
    int w = utf8_decode(s + i, n - i, &r);
    if (w == 1 && r == 0xFFFD && (unsigned char)s[i] >= 0x80) {
      sb_puts(o, "\xEF\xBF\xBD");
    } else {
      char u[4];
      sb_putn(o, u, (size_t)utf8_encode(u, f(r)));
    }
    i += (size_t)w;
  }
}

static tval *f_upper(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  map_runes(&o, S(0), SN(0), rune_upper);
  return sb_to_val(H, &o);
}
static tval *f_lower(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  map_runes(&o, S(0), SN(0), rune_lower);
  return sb_to_val(H, &o);
}

static void trim_space(const char **s, size_t *n) {
  const char *p = *s;
  size_t len = *n;
  while (len) {
    int32_t r;
    int w = utf8_decode(p, len, &r);
    if (!uspace(r)) break;
    p += w;
    len -= (size_t)w;
  }
  while (len) {
    size_t k = len - 1;
    while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
      k--;
    int32_t r;
    utf8_decode(p + k, len - k, &r);
    if (!uspace(r)) break;
    len = k;
  }
  *s = p;
  *n = len;
}

static tval *f_trim(texec *x, tval **a, int n) {
  (void)n;
  const char *p = S(0);
  size_t len = SN(0);
  trim_space(&p, &len);
  return tv_str(H, p, len);
}

static bool in_cutset(const char *cut, size_t cn, int32_t r) {
  for (size_t i = 0; i < cn;) {
    int32_t c;
    i += (size_t)utf8_decode(cut + i, cn - i, &c);
    if (c == r) return true;
  }
  return false;
}

static tval *f_trimall(texec *x, tval **a, int n) {
  (void)n;
  const char *cut = S(0), *p = S(1);
  size_t cn = SN(0), len = SN(1);
  while (len) {
    int32_t r;
    int w = utf8_decode(p, len, &r);
    if (!in_cutset(cut, cn, r)) break;
    p += w;
    len -= (size_t)w;
  }
  while (len) {
    size_t k = len - 1;
    while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
      k--;
    int32_t r;
    utf8_decode(p + k, len - k, &r);
    if (!in_cutset(cut, cn, r)) break;
    len = k;
  }
  return tv_str(H, p, len);
}

static tval *f_trimsuffix(texec *x, tval **a, int n) {
  (void)n;
  if (SN(1) >= SN(0) && !memcmp(S(1) + SN(1) - SN(0), S(0), SN(0)))
    return tv_str(H, S(1), SN(1) - SN(0));
  return a[1];
}
static tval *f_trimprefix(texec *x, tval **a, int n) {
  (void)n;
  if (SN(1) >= SN(0) && !memcmp(S(1), S(0), SN(0))) return tv_str(H, S(1) + SN(0), SN(1) - SN(0));
  return a[1];
}

static const char *memmem_s(const char *h, size_t hn, const char *nd, size_t nn) {
  if (nn == 0) return h;
  if (nn > hn) return NULL;
  for (size_t i = 0; i + nn <= hn; i++)
    if (h[i] == nd[0] && !memcmp(h + i, nd, nn)) return h + i;
  return NULL;
}

static tval *f_contains(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, memmem_s(S(1), SN(1), S(0), SN(0)) != NULL);
}
static tval *f_hasprefix(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, SN(1) >= SN(0) && !memcmp(S(1), S(0), SN(0)));
}
static tval *f_hassuffix(texec *x, tval **a, int n) {
  (void)n;
  return tv_bool(H, SN(1) >= SN(0) && !memcmp(S(1) + SN(1) - SN(0), S(0), SN(0)));
}

/* strings.Replace(s, old, new, -1) */
/* returns false when the result would exceed the formatting size bound */
bool str_replace_all(sb *o, const char *s, size_t n, const char *old, size_t on, const char *nw,
                     size_t nn) {
  sb_putn(o, "", 0);
  if (nn > on) {
    /* count occurrences first: the expansion can be huge */
    size_t cnt = 0;
    if (on == 0)
      cnt = utf8_count(s, n) + 1;
    else
      for (size_t i = 0; i + on <= n;) {
        const char *f = memmem_s(s + i, n - i, old, on);
        if (!f) break;
        cnt++;
        i = (size_t)(f - s) + on;
      }
    if (cnt && (nn - on) > (tmpl_fmt_limit - (n < tmpl_fmt_limit ? n : tmpl_fmt_limit)) / cnt)
      return false;
  }
  if (on == 0) {
    /* insert new before each rune and at the end */
    sb_putn(o, nw, nn);
    for (size_t i = 0; i < n;) {
      int32_t r;
      int w = utf8_decode(s + i, n - i, &r);
      sb_putn(o, s + i, (size_t)w);
      sb_putn(o, nw, nn);
      i += (size_t)w;
    }
    return true;
  }
  size_t i = 0;
  while (i < n) {
    const char *f = memmem_s(s + i, n - i, old, on);
    if (!f) {
      sb_putn(o, s + i, n - i);
      return true;
    }
    sb_putn(o, s + i, (size_t)(f - (s + i)));
    sb_putn(o, nw, nn);
    i = (size_t)(f - s) + on;
  }
  return true;
}

static tval *f_replace(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  if (!str_replace_all(&o, S(2), SN(2), S(0), SN(0), S(1), SN(1))) {
    sb_free(&o);
    return fn_error(x, "strings: Replace output length overflow");
  }
  return sb_to_val(H, &o);
}

static tval *f_indent_common(texec *x, int64_t spaces, tval *v, bool nl) {
  sb o = {0};
  sb pad = {0};
  if (nl) sb_putc(&o, '\n');
  sb_putn(&pad, "\n", 1);
  for (int64_t i = 0; i < spaces; i++)
    sb_putc(&pad, ' ');
  sb_putn(&o, pad.p + 1, pad.n - 1);
  sb r = {0};
  if (!str_replace_all(&r, v->u.s.p, v->u.s.n, "\n", 1, pad.p, pad.n)) {
    sb_free(&r);
    sb_free(&pad);
    sb_free(&o);
    return fn_error(x, "strings: Repeat output length overflow");
  }
  sb_putn(&o, r.p, r.n);
  sb_free(&r);
  sb_free(&pad);
  return sb_to_val(H, &o);
}

static tval *f_indent(texec *x, tval **a, int n) {
  (void)n;
  if (a[0]->u.i > (int64_t)tmpl_fmt_limit)
    return fn_error(x, "strings: Repeat count causes overflow");
  return f_indent_common(x, a[0]->u.i, a[1], false);
}
static tval *f_nindent(texec *x, tval **a, int n) {
  (void)n;
  if (a[0]->u.i > (int64_t)tmpl_fmt_limit)
    return fn_error(x, "strings: Repeat count causes overflow");
  return f_indent_common(x, a[0]->u.i, a[1], true);
}

static tval *f_quote(texec *x, tval **a, int n) {
  sb o = {0};
  sb_putn(&o, "", 0);
  bool first = true;
  for (int i = 0; i < n; i++) {
    if (is_nil(a[i])) continue;
    if (!first) sb_putc(&o, ' ');
    first = false;
    sb s = {0};
    sprig_strval(&s, a[i]);
    gofmt_quote(&o, s.p ? s.p : "", s.n);
    sb_free(&s);
  }
  return sb_to_val(H, &o);
}

static tval *f_squote(texec *x, tval **a, int n) {
  sb o = {0};
  sb_putn(&o, "", 0);
  bool first = true;
  for (int i = 0; i < n; i++) {
    if (is_nil(a[i])) continue;
    if (!first) sb_putc(&o, ' ');
    first = false;
    sb_putc(&o, '\'');
    gofmt_value(&o, a[i]);
    sb_putc(&o, '\'');
  }
  return sb_to_val(H, &o);
}

static tval *f_cat(texec *x, tval **a, int n) {
  sb o = {0};
  sb_putn(&o, "", 0);
  bool first = true;
  for (int i = 0; i < n; i++) {
    if (is_nil(a[i])) continue;
    if (!first) sb_putc(&o, ' ');
    first = false;
    gofmt_value(&o, a[i]);
  }
  return sb_to_val(H, &o);
}

static tval *f_trunc(texec *x, tval **a, int n) {
  (void)n;
  int64_t c = a[0]->u.i;
  int64_t len = (int64_t)SN(1);
  if (c < 0 && len + c > 0) return tv_str(H, S(1) + len + c, (size_t)(-c));
  if (c >= 0 && len > c) return tv_str(H, S(1), (size_t)c);
  return a[1];
}

static tval *f_substr(texec *x, tval **a, int n) {
  (void)n;
  int64_t st = a[0]->u.i, en = a[1]->u.i, len = (int64_t)SN(2);
  if (st < 0) {
    if (en < 0 || en > len)
      return fn_error(x, "runtime error: slice bounds out of range [:%lld] with length %lld",
                      (long long)en, (long long)len);
    return tv_str(H, S(2), (size_t)en);
  }
  if (en < 0 || en > len) {
    if (st > len)
      return fn_error(x, "runtime error: slice bounds out of range [%lld:%lld]", (long long)st,
                      (long long)len);
    return tv_str(H, S(2) + st, (size_t)(len - st));
  }
  if (st > en)
    return fn_error(x, "runtime error: slice bounds out of range [%lld:%lld]", (long long)st,
                    (long long)en);
  return tv_str(H, S(2) + st, (size_t)(en - st));
}

static tval *f_repeat(texec *x, tval **a, int n) {
  (void)n;
  int64_t c = a[0]->u.i;
  if (c < 0) return fn_error(x, "strings: negative Repeat count");
  if (SN(1) && (uint64_t)c * SN(1) > (64u << 20))
    return fn_error(x, "strings: Repeat output length overflow");
  if (exec_count_iters(x, (uint64_t)c)) return fn_error(x, "range iteration limit exceeded");
  sb o = {0};
  sb_putn(&o, "", 0);
  for (int64_t i = 0; i < c; i++)
    sb_putn(&o, S(1), SN(1));
  return sb_to_val(H, &o);
}

static tval *f_nospace(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    int w = utf8_decode(S(0) + i, SN(0) - i, &r);
    if (!uspace(r)) sb_putn(&o, S(0) + i, (size_t)w);
    i += (size_t)w;
  }
  return sb_to_val(H, &o);
}

/* strings.Title: isSeparator */
static bool is_sep(int32_t r) {
  if (r <= 0x7F) {
    if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_')
      return false;
    return true;
  }
  if (rune_is_letter(r) || rune_is_digit(r)) return false;
  return uspace(r);
}

static tval *f_title(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  int32_t prev = ' ';
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    int w = utf8_decode(S(0) + i, SN(0) - i, &r);
    char u[4];
    int32_t m = is_sep(prev) ? rune_title(r) : r;
    sb_putn(&o, u, (size_t)utf8_encode(u, m));
    prev = r;
    i += (size_t)w;
  }
  return sb_to_val(H, &o);
}

/* goutils.Uncapitalize: lower the first letter of each whitespace-delimited word */
static tval *f_untitle(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  bool cap_next = true;
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    int w = utf8_decode(S(0) + i, SN(0) - i, &r);
    char u[4];
    if (uspace(r)) {
      cap_next = true;
      sb_putn(&o, u, (size_t)utf8_encode(u, r));
    } else if (cap_next) {
      sb_putn(&o, u, (size_t)utf8_encode(u, rune_lower(r)));
      cap_next = false;
    } else
      sb_putn(&o, u, (size_t)utf8_encode(u, r));
    i += (size_t)w;
  }
  return sb_to_val(H, &o);
}

static tval *f_swapcase(texec *x, tval **a, int n) {
  /* goutils.SwapCase: upper→lower, title→lower, lower→upper */
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    int w = utf8_decode(S(0) + i, SN(0) - i, &r);
    char u[4];
    int32_t m = rune_is_upper(r) ? rune_lower(r) : rune_is_lower(r) ? rune_upper(r) : r;
    sb_putn(&o, u, (size_t)utf8_encode(u, m));
    i += (size_t)w;
  }
  return sb_to_val(H, &o);
}

static tval *f_initials(texec *x, tval **a, int n) {
  /* goutils.Initials: first rune of each whitespace-delimited word */
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  bool last_space = true;
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    int w = utf8_decode(S(0) + i, SN(0) - i, &r);
    if (uspace(r))
      last_space = true;
    else if (last_space) {
      sb_putn(&o, S(0) + i, (size_t)w);
      last_space = false;
    }
    i += (size_t)w;
  }
  return sb_to_val(H, &o);
}

/* goutils.Abbreviate(str, maxWidth) = AbbreviateFull(str, 0, maxWidth) */
static tval *abbreviate_full(texec *x, const char *s, size_t sn, int64_t offset, int64_t maxw) {
  const char *ell = "...";
  int64_t len = (int64_t)sn;
  if (maxw < 4) return fn_error(x, "stringutils illegal argument: Minimum abbreviation width is 4");
  if (len <= maxw) return tv_str(H, s, sn);
  if (offset > len) offset = len;
  if (len - offset < maxw - 3) offset = len - (maxw - 3);
  if (offset <= 4) {
    sb o = {0};
    sb_putn(&o, s, (size_t)(maxw - 3));
    sb_puts(&o, ell);
    return sb_to_val(H, &o);
  }
  if (maxw < 7)
    return fn_error(x, "stringutils illegal argument: Minimum abbreviation width with offset is 7");
  if (offset + maxw - 3 < len) {
    tval *rest = abbreviate_full(x, s + offset, (size_t)(len - offset), 0, maxw - 3);
    if (!rest) return NULL;
    sb o = {0};
    sb_puts(&o, ell);
    sb_putn(&o, rest->u.s.p, rest->u.s.n);
    return sb_to_val(H, &o);
  }
  sb o = {0};
  sb_puts(&o, ell);
  sb_putn(&o, s + len - (maxw - 3), (size_t)(maxw - 3));
  return sb_to_val(H, &o);
}

static tval *f_abbrev(texec *x, tval **a, int n) {
  (void)n;
  if (a[0]->u.i < 4) return a[1];
  tval *r = abbreviate_full(x, S(1), SN(1), 0, a[0]->u.i);
  return r ? r : a[1];
}
static tval *f_abbrevboth(texec *x, tval **a, int n) {
  (void)n;
  int64_t left = a[0]->u.i, right = a[1]->u.i;
  if (right < 4 || (left > 0 && right < 7)) return a[2];
  tval *r = abbreviate_full(x, S(2), SN(2), left, right);
  return r ? r : a[2];
}

/* goutils.WrapCustom(str, wrapLength, newLineStr, wrapLongWords) */
static tval *wrap_custom(texec *x, const char *s, size_t n, int64_t wl, const char *nl, size_t nln,
                         bool longw) {
  if (wl < 1) wl = 1;
  sb o = {0};
  sb_putn(&o, "", 0);
  size_t offset = 0;
  while ((int64_t)(n - offset) > wl) {
    if (o.n > tmpl_fmt_limit) {
      sb_free(&o);
      return fn_error(x, "wrap: output length overflow");
    }
    if (s[offset] == ' ') {
      offset++;
      continue;
    }
    /* lastIndex of ' ' in s[offset : offset+wl+1] */
    long sp = -1;
    size_t end = offset + (size_t)wl + 1;
    if (end > n) end = n;
    for (size_t i = offset; i < end; i++)
      if (s[i] == ' ') sp = (long)i;
    if (sp >= (long)offset) {
      sb_putn(&o, s + offset, (size_t)sp - offset);
      sb_putn(&o, nl, nln);
      offset = (size_t)sp + 1;
    } else if (longw) {
      sb_putn(&o, s + offset, (size_t)wl);
      sb_putn(&o, nl, nln);
      offset += (size_t)wl;
    } else {
      long sp2 = -1;
      for (size_t i = offset + (size_t)wl; i < n; i++)
        if (s[i] == ' ') {
          sp2 = (long)i;
          break;
        }
      if (sp2 >= 0) {
        sb_putn(&o, s + offset, (size_t)sp2 - offset);
        sb_putn(&o, nl, nln);
        offset = (size_t)sp2 + 1;
      } else {
        sb_putn(&o, s + offset, n - offset);
        offset = n;
      }
    }
  }
  sb_putn(&o, s + offset, n - offset);
  (void)x;
  return sb_to_val(H, &o);
}

static tval *f_wrap(texec *x, tval **a, int n) {
  (void)n;
  return wrap_custom(x, S(1), SN(1), a[0]->u.i, "\n", 1, false);
}
static tval *f_wrapwith(texec *x, tval **a, int n) {
  (void)n;
  return wrap_custom(x, S(2), SN(2), a[0]->u.i, S(1), SN(1), true);
}

static tval *f_plural(texec *x, tval **a, int n) {
  (void)n;
  (void)x;
  return a[2]->u.i == 1 ? a[0] : a[1];
}

static tval *split_map(texec *x, const char *sep, size_t sepn, const char *s, size_t sn,
                       int64_t lim) {
  tval *m = tv_map(H);
  m->tname = "map[string]string";
  if (lim == 0) return m;
  size_t i = 0;
  int k = 0;
  char key[32];
  if (sepn == 0) {
    while (i < sn) {
      int32_t r;
      int w = utf8_decode(s + i, sn - i, &r);
      if (lim > 0 && k == lim - 1) w = (int)(sn - i);
      snprintf(key, sizeof key, "_%d", k++);
      tm_set(H, m, key, strlen(key), tv_str(H, s + i, (size_t)w));
      i += (size_t)w;
    }
    return m;
  }
  for (;;) {
    const char *f = (lim < 0 || k < lim - 1) ? memmem_s(s + i, sn - i, sep, sepn) : NULL;
    snprintf(key, sizeof key, "_%d", k++);
    if (!f) {
      tm_set(H, m, key, strlen(key), tv_str(H, s + i, sn - i));
      return m;
    }
    tm_set(H, m, key, strlen(key), tv_str(H, s + i, (size_t)(f - (s + i))));
    i = (size_t)(f - s) + sepn;
  }
}

static tval *f_split(texec *x, tval **a, int n) {
  (void)n;
  return split_map(x, S(0), SN(0), S(1), SN(1), -1);
}
static tval *f_splitn(texec *x, tval **a, int n) {
  (void)n;
  return split_map(x, S(0), SN(0), S(2), SN(2), a[1]->u.i);
}

tval *str_split_list(tmpl_heap *h, const char *sep, size_t sepn, const char *s, size_t sn) {
  tval *l = tv_strlist(h, 4);
  size_t i = 0;
  if (sepn == 0) {
    while (i < sn) {
      int32_t r;
      int w = utf8_decode(s + i, sn - i, &r);
      tl_push(h, l, tv_str(h, s + i, (size_t)w));
      i += (size_t)w;
    }
    return l;
  }
  for (;;) {
    const char *f = memmem_s(s + i, sn - i, sep, sepn);
    if (!f) {
      tl_push(h, l, tv_str(h, s + i, sn - i));
      return l;
    }
    tl_push(h, l, tv_str(h, s + i, (size_t)(f - (s + i))));
    i = (size_t)(f - s) + sepn;
  }
}

static tval *f_splitlist(texec *x, tval **a, int n) {
  (void)n;
  return str_split_list(H, S(0), SN(0), S(1), SN(1));
}

/* Sprig strslice */
tval *sprig_strslice(tmpl_heap *h, tval *v) {
  if (tv_is_strlist(v)) return v;
  tval *r = tv_strlist(h, 4);
  if (v->kind == TMPL_LIST) {
    for (size_t i = 0; i < v->u.l->n; i++) {
      tval *e = v->u.l->v[i];
      if (is_nil(e)) continue;
      sb s = {0};
      sprig_strval(&s, e);
      tl_push(h, r, sb_to_val(h, &s));
    }
    return r;
  }
  if (v->kind == TMPL_BYTES) {
    for (size_t i = 0; i < v->u.s.n; i++) {
      char t[8];
      snprintf(t, sizeof t, "%u", (unsigned char)v->u.s.p[i]);
      tl_push(h, r, tv_cstr(h, t));
    }
    return r;
  }
  if (is_nil(v)) return r;
  sb s = {0};
  sprig_strval(&s, v);
  tl_push(h, r, sb_to_val(h, &s));
  return r;
}

static tval *f_join(texec *x, tval **a, int n) {
  (void)n;
  tval *l = sprig_strslice(H, a[1]);
  sb o = {0};
  sb_putn(&o, "", 0);
  for (size_t i = 0; i < l->u.l->n; i++) {
    if (i) sb_putn(&o, S(0), SN(0));
    sb_putn(&o, l->u.l->v[i]->u.s.p, l->u.l->v[i]->u.s.n);
  }
  return sb_to_val(H, &o);
}

static int cmp_strv(const void *p, const void *q) {
  const tval *a = *(tval *const *)p, *b = *(tval *const *)q;
  size_t m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
  int c = memcmp(a->u.s.p, b->u.s.p, m);
  if (c) return c;
  return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

static tval *f_sortalpha(texec *x, tval **a, int n) {
  (void)n;
  tval *v = a[0];
  if (v->kind != TMPL_LIST && v->kind != TMPL_BYTES) {
    tval *r = tv_strlist(H, 1);
    sb s = {0};
    sprig_strval(&s, v);
    tl_push(H, r, sb_to_val(H, &s));
    return r;
  }
  tval *l = sprig_strslice(H, v);
  tval *r = tv_strlist(H, l->u.l->n);
  for (size_t i = 0; i < l->u.l->n; i++)
    tl_push(H, r, l->u.l->v[i]);
  /* stable sort not required for identical strings */
  qsort(r->u.l->v, r->u.l->n, sizeof(tval *), cmp_strv);
  return r;
}

static tval *f_tostrings(texec *x, tval **a, int n) {
  (void)n;
  return sprig_strslice(H, a[0]);
}

static tval *f_tostring(texec *x, tval **a, int n) {
  (void)n;
  sb s = {0};
  sprig_strval(&s, a[0]);
  return sb_to_val(H, &s);
}

/* ---------------- xstrings: snake/camel/kebab ---------------- */
/* A port of huandu/xstrings (convert.go): ToSnakeCase, ToKebabCase,
 * ToCamelCase, over decoded runes. */
static bool x_is_connector(int32_t r) {
  return r == '-' || r == '_' || uspace(r);
}
static bool x_is_punct(int32_t r) {
  return r < 0x80 && r > ' ' && !(r >= '0' && r <= '9') && !((r | 32) >= 'a' && (r | 32) <= 'z') &&
         r != '_' && r != '-' && !strchr("$+<=>^`|~", (int)r);
}
static bool x_is_alpha(int32_t r) {
  return rune_is_letter(r);
}
static bool x_is_number(int32_t r) {
  return r >= '0' && r <= '9';
}

enum { W_INVALID, W_NUMBER, W_UPPER, W_ALPHA, W_CONN, W_PUNCT, W_OTHER };

typedef struct xs {
  const int32_t *r;
  size_t n;
} xs;

/* nextWord over runes [i, n): returns type, sets *wend */
static int x_next_word(const int32_t *r, size_t n, size_t i, size_t *wend) {
  if (i >= n) {
    *wend = i;
    return W_INVALID;
  }
  int32_t c = r[i];
  size_t j = i + 1;
  int wt;
  if (c == 0xFFFD) {
    *wend = j;
    return W_INVALID;
  }
  if (x_is_connector(c)) {
    wt = W_CONN;
    while (j < n && x_is_connector(r[j]))
      j++;
  } else if (x_is_punct(c)) {
    wt = W_PUNCT;
    while (j < n && x_is_punct(r[j]))
      j++;
  } else if (rune_is_upper(c)) {
    wt = W_UPPER;
    if (j < n) {
      if (rune_is_upper(r[j])) {
        while (j < n && rune_is_upper(r[j]))
          j++;
        /* "HTTPStatus": leave "S" for the next word */
        if (j < n && x_is_alpha(r[j])) j--;
      } else if (x_is_alpha(r[j])) {
        while (j < n && x_is_alpha(r[j]) && !rune_is_upper(r[j]))
          j++;
      }
    }
  } else if (x_is_alpha(c)) {
    wt = W_ALPHA;
    while (j < n && x_is_alpha(r[j]) && !rune_is_upper(r[j]))
      j++;
  } else if (x_is_number(c)) {
    wt = W_NUMBER;
    while (j < n && x_is_number(r[j]))
      j++;
  } else {
    wt = W_OTHER;
    while (j < n &&
           !(x_is_connector(r[j]) || x_is_alpha(r[j]) || x_is_number(r[j]) || x_is_punct(r[j])))
      j++;
  }
  *wend = j;
  return wt;
}

static void put_rune(sb *o, int32_t r) {
  char u[4];
  sb_putn(o, u, (size_t)utf8_encode(u, r));
}

static void x_to_lower(sb *o, int wt, const int32_t *r, size_t a, size_t b, char conn) {
  for (size_t i = a; i < b; i++) {
    if (wt != W_UPPER && wt != W_CONN)
      put_rune(o, r[i]);
    else if (x_is_connector(r[i]))
      sb_putc(o, conn);
    else if (rune_is_upper(r[i]))
      put_rune(o, rune_lower(r[i]));
    else
      put_rune(o, r[i]);
  }
}

static int32_t *decode_all(const char *s, size_t n, size_t *nr) {
  int32_t *r = malloc((n + 1) * sizeof *r);
  if (!r) abort();
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    i += (size_t)utf8_decode(s + i, n - i, &r[k]);
    k++;
  }
  *nr = k;
  return r;
}

static void camel_to_lower(sb *o, const char *s, size_t n, char conn) {
  sb_putn(o, "", 0);
  if (n == 0) return;
  size_t nr;
  int32_t *r = decode_all(s, n, &nr);
  size_t ws = 0, we;
  int wt = x_next_word(r, nr, 0, &we);
  while (we < nr) {
    if (wt != W_CONN) x_to_lower(o, wt, r, ws, we, conn);
    int prev = wt;
    size_t lws = ws, lwe = we;
    ws = we;
    wt = x_next_word(r, nr, ws, &we);
    switch (prev) {
    case W_NUMBER:
      while (wt == W_ALPHA || wt == W_NUMBER) {
        x_to_lower(o, wt, r, ws, we, conn);
        ws = we;
        wt = x_next_word(r, nr, ws, &we);
      }
      if (wt != W_INVALID && wt != W_PUNCT && wt != W_CONN) sb_putc(o, conn);
      break;
    case W_CONN:
      x_to_lower(o, prev, r, lws, lwe, conn);
      break;
    case W_PUNCT:
      break;
    default:
      if (wt != W_NUMBER) {
        if (wt != W_CONN && wt != W_PUNCT) sb_putc(o, conn);
        break;
      }
      if (we >= nr) break;
      {
        size_t nws = ws, nwe = we;
        ws = we;
        wt = x_next_word(r, nr, ws, &we);
        if (wt != W_ALPHA) {
          x_to_lower(o, W_NUMBER, r, nws, nwe, conn);
          if (wt != W_CONN && wt != W_PUNCT) sb_putc(o, conn);
          break;
        }
        sb_putc(o, conn);
        x_to_lower(o, W_NUMBER, r, nws, nwe, conn);
        while (wt == W_ALPHA || wt == W_NUMBER) {
          x_to_lower(o, wt, r, ws, we, conn);
          ws = we;
          wt = x_next_word(r, nr, ws, &we);
        }
        if (wt != W_INVALID && wt != W_CONN && wt != W_PUNCT) sb_putc(o, conn);
      }
    }
  }
  x_to_lower(o, wt, r, ws, we, conn);
  free(r);
}

static tval *f_snakecase(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  camel_to_lower(&o, S(0), SN(0), '_');
  return sb_to_val(H, &o);
}
static tval *f_kebabcase(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  camel_to_lower(&o, S(0), SN(0), '-');
  return sb_to_val(H, &o);
}

/* xstrings.ToCamelCase */
static tval *f_camelcase(texec *x, tval **a, int n) {
  (void)n;
  sb o = {0};
  sb_putn(&o, "", 0);
  size_t nr;
  int32_t *r = decode_all(S(0), SN(0), &nr);
  size_t i = 0;
  int32_t r0 = 0, r1;
  bool got = false;
  while (i < nr) {
    r0 = r[i++];
    if (!x_is_connector(r0)) {
      r0 = rune_upper(r0);
      got = true;
      break;
    }
    put_rune(&o, r0);
  }
  if (i >= nr) {
    if (got) put_rune(&o, r0);
    free(r);
    return sb_to_val(H, &o);
  }
  while (i < nr) {
    r1 = r0;
    r0 = r[i++];
    if (x_is_connector(r0) && x_is_connector(r1)) {
      put_rune(&o, r1);
      continue;
    }
    if (x_is_connector(r1))
      r0 = rune_upper(r0);
    else {
      r0 = rune_lower(r0);
      put_rune(&o, r1);
    }
  }
  put_rune(&o, r0);
  free(r);
  return sb_to_val(H, &o);
}

static tval *f_shuffle(texec *x, tval **a, int n) {
  (void)n;
  size_t nr = utf8_count(S(0), SN(0));
  int32_t *rs = malloc((nr + 1) * sizeof *rs);
  if (!rs) abort();
  size_t k = 0;
  for (size_t i = 0; i < SN(0);) {
    int32_t r;
    i += (size_t)utf8_decode(S(0) + i, SN(0) - i, &r);
    rs[k++] = r;
  }
  for (size_t i = nr; i > 1; i--) {
    size_t j = exec_rand(x) % i;
    int32_t t = rs[i - 1];
    rs[i - 1] = rs[j];
    rs[j] = t;
  }
  sb o = {0};
  sb_putn(&o, "", 0);
  char u[4];
  for (size_t i = 0; i < nr; i++)
    sb_putn(&o, u, (size_t)utf8_encode(u, rs[i]));
  free(rs);
  return sb_to_val(H, &o);
}

static tval *rand_from(texec *x, int64_t count, const char *set) {
  if (count < 0)
    return fn_error(x, "Requested random string length %lld is less than 0.", (long long)count);
  if (exec_count_iters(x, (uint64_t)count)) return fn_error(x, "range iteration limit exceeded");
  size_t sn = strlen(set);
  sb o = {0};
  sb_putn(&o, "", 0);
  for (int64_t i = 0; i < count; i++)
    sb_putc(&o, set[exec_rand(x) % sn]);
  return sb_to_val(H, &o);
}

static tval *f_randalphanum(texec *x, tval **a, int n) {
  (void)n;
  return rand_from(x, a[0]->u.i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}
static tval *f_randalpha(texec *x, tval **a, int n) {
  (void)n;
  return rand_from(x, a[0]->u.i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
}
static tval *f_randnumeric(texec *x, tval **a, int n) {
  (void)n;
  return rand_from(x, a[0]->u.i, "0123456789");
}
static tval *f_randascii(texec *x, tval **a, int n) {
  (void)n;
  return rand_from(
      x, a[0]->u.i,
      " !\"#$%&'()*+,-./"
      "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
}

static tval *f_hello(texec *x, tval **a, int n) {
  (void)a;
  (void)n;
  return tv_cstr(H, "Hello!");
}

const tfunc tmpl_funcs_strings[] = {
    {"hello", f_hello, 0, {0}, false, 0, "string"},
    {"upper", f_upper, 1, {P_STR}, false, 0, "string"},
    {"lower", f_lower, 1, {P_STR}, false, 0, "string"},
    {"title", f_title, 1, {P_STR}, false, 0, "string"},
    {"untitle", f_untitle, 1, {P_STR}, false, 0, "string"},
    {"trim", f_trim, 1, {P_STR}, false, 0, "string"},
    {"trimAll", f_trimall, 2, {P_STR, P_STR}, false, 0, "string"},
    {"trimall", f_trimall, 2, {P_STR, P_STR}, false, 0, "string"},
    {"trimSuffix", f_trimsuffix, 2, {P_STR, P_STR}, false, 0, "string"},
    {"trimPrefix", f_trimprefix, 2, {P_STR, P_STR}, false, 0, "string"},
    {"contains", f_contains, 2, {P_STR, P_STR}, false, 0, "bool"},
    {"hasPrefix", f_hasprefix, 2, {P_STR, P_STR}, false, 0, "bool"},
    {"hasSuffix", f_hassuffix, 2, {P_STR, P_STR}, false, 0, "bool"},
    {"replace", f_replace, 3, {P_STR, P_STR, P_STR}, false, 0, "string"},
    {"indent", f_indent, 2, {P_INT, P_STR}, false, 0, "string"},
    {"nindent", f_nindent, 2, {P_INT, P_STR}, false, 0, "string"},
    {"quote", f_quote, 0, {0}, true, P_ANY, "string"},
    {"squote", f_squote, 0, {0}, true, P_ANY, "string"},
    {"cat", f_cat, 0, {0}, true, P_ANY, "string"},
    {"trunc", f_trunc, 2, {P_INT, P_STR}, false, 0, "string"},
    {"substr", f_substr, 3, {P_INT, P_INT, P_STR}, false, 0, "string"},
    {"repeat", f_repeat, 2, {P_INT, P_STR}, false, 0, "string"},
    {"nospace", f_nospace, 1, {P_STR}, false, 0, "string"},
    {"initials", f_initials, 1, {P_STR}, false, 0, "string"},
    {"abbrev", f_abbrev, 2, {P_INT, P_STR}, false, 0, "string"},
    {"abbrevboth", f_abbrevboth, 3, {P_INT, P_INT, P_STR}, false, 0, "string"},
    {"wrap", f_wrap, 2, {P_INT, P_STR}, false, 0, "string"},
    {"wrapWith", f_wrapwith, 3, {P_INT, P_STR, P_STR}, false, 0, "string"},
    {"swapcase", f_swapcase, 1, {P_STR}, false, 0, "string"},
    {"shuffle", f_shuffle, 1, {P_STR}, false, 0, "string"},
    {"snakecase", f_snakecase, 1, {P_STR}, false, 0, "string"},
    {"camelcase", f_camelcase, 1, {P_STR}, false, 0, "string"},
    {"kebabcase", f_kebabcase, 1, {P_STR}, false, 0, "string"},
    {"plural", f_plural, 3, {P_STR, P_STR, P_INT}, false, 0, "string"},
    {"split", f_split, 2, {P_STR, P_STR}, false, 0, "map[string]string"},
    {"splitn", f_splitn, 3, {P_STR, P_INT, P_STR}, false, 0, "map[string]string"},
    {"splitList", f_splitlist, 2, {P_STR, P_STR}, false, 0, "[]string"},
    {"join", f_join, 2, {P_STR, P_ANY}, false, 0, "string"},
    {"sortAlpha", f_sortalpha, 1, {P_ANY}, false, 0, "[]string"},
    {"toStrings", f_tostrings, 1, {P_ANY}, false, 0, "[]string"},
    {"toString", f_tostring, 1, {P_ANY}, false, 0, "string"},
    {"randAlphaNum", f_randalphanum, 1, {P_INT}, false, 0, "string"},
    {"randAlpha", f_randalpha, 1, {P_INT}, false, 0, "string"},
    {"randNumeric", f_randnumeric, 1, {P_INT}, false, 0, "string"},
    {"randAscii", f_randascii, 1, {P_INT}, false, 0, "string"},
    {NULL, NULL, 0, {0}, false, 0, NULL},
};
