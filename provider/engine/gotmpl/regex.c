/* A small backtracking regular-expression engine with Go's RE2 syntax and
 * leftmost-first (Perl-like) match semantics, as Go's regexp package
 * reports them.  Bounded: at most RE_MAX_STEPS steps per search. */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define RE_MAX_STEPS 20000000
#define RE_MAX_PROG 20000

extern int32_t rune_lower(int32_t r);
extern int32_t rune_upper(int32_t r);
extern bool rune_is_letter(int32_t r);

typedef enum {
  I_CHAR,  /* rune (fold flag) */
  I_ANY,   /* any rune except \n */
  I_ANYNL, /* any rune */
  I_CLASS, /* ranges */
  I_SPLIT, /* x (preferred), y */
  I_JMP,
  I_SAVE, /* slot n */
  I_BOL,  /* ^ (non-multiline: beginning of text) */
  I_EOL,
  I_BOLM, /* multi-line ^ */
  I_EOLM,
  I_WORDB,
  I_NWORDB,
  I_MARK,     /* slot: remember position for empty-loop check */
  I_PROGRESS, /* fail if pos == slot */
  I_MATCH
} iop;

typedef struct rrange {
  int32_t lo, hi;
} rrange;

typedef struct inst {
  iop op;
  int32_t ch;
  bool fold;
  bool neg;
  int x, y;
  rrange *r;
  int nr;
} inst;

struct tregex {
  inst *prog;
  int n, cap;
  int ncap;   /* capture groups (not counting 0) */
  int nslots; /* 2*(ncap+1) + marks */
  int nmarks;
  char **names; /* group names (index 1..ncap) */
};

/* ---------------- parser to AST ---------------- */
typedef enum { A_EMPTY, A_CHAR, A_ANY, A_CLASS, A_CAT, A_ALT, A_REP, A_GROUP, A_ASSERT } atype;

typedef struct anode {
  atype t;
  int32_t ch;
  bool fold, dotnl, neg;
  rrange *r;
  int nr, capr;
  struct anode **k;
  int nk, capk;
  int min, max; /* max -1 = inf */
  bool greedy;
  int cap; /* group index, 0 = non-capturing */
  iop assert_op;
} anode;

typedef struct rparser {
  const char *s;
  size_t n, i;
  bool fold, multiline, dotnl, ungreedy;
  int ncap;
  char **names;
  int capnames;
  char err[256];
  anode **all;
  int nall, capall;
  int depth;
} rparser;

static anode *anew(rparser *p, atype t) {
  anode *a = calloc(1, sizeof *a);
  if (!a) abort();
  a->t = t;
  if (p->nall == p->capall) {
    p->capall = p->capall ? p->capall * 2 : 32;
    anode **na = realloc(p->all, (size_t)p->capall * sizeof *na);
    if (!na) abort();
    p->all = na;
  }
  p->all[p->nall++] = a;
  return a;
}

static void akid(anode *a, anode *k) {
  if (a->nk == a->capk) {
    a->capk = a->capk ? a->capk * 2 : 4;
    anode **nk = realloc(a->k, (size_t)a->capk * sizeof *nk);
    if (!nk) abort();
    a->k = nk;
  }
  a->k[a->nk++] = k;
}

static void arange(anode *a, int32_t lo, int32_t hi) {
  if (a->nr == a->capr) {
    a->capr = a->capr ? a->capr * 2 : 8;
    rrange *nr = realloc(a->r, (size_t)a->capr * sizeof *nr);
    if (!nr) abort();
    a->r = nr;
  }
  a->r[a->nr++] = (rrange){lo, hi};
}

static bool perr(rparser *p, const char *code, size_t from, size_t to) {
  if (!p->err[0])
    tmpl_msgf(p->err, sizeof p->err, "%s: `%.*s`", code, (int)(to - from), p->s + from);
  return false;
}

static int32_t peekr(rparser *p, int *w) {
  if (p->i >= p->n) {
    *w = 0;
    return -1;
  }
  int32_t r;
  *w = utf8_decode(p->s + p->i, p->n - p->i, &r);
  return r;
}

static void add_perl_class(anode *a, char c) {
  switch (c) {
  case 'd':
    arange(a, '0', '9');
    break;
  case 's':
    arange(a, '\t', '\n');
    arange(a, '\f', '\r');
    arange(a, ' ', ' ');
    break;
  case 'w':
    arange(a, '0', '9');
    arange(a, 'A', 'Z');
    arange(a, '_', '_');
    arange(a, 'a', 'z');
    break;
  }
}

/* complement ranges of a (sorted merge) into b */
static void add_negated(anode *dst, const anode *src) {
  /* sort src ranges */
  rrange *r = malloc(((size_t)src->nr + 1) * sizeof *r);
  if (!r) abort();
  memcpy(r, src->r, (size_t)src->nr * sizeof *r);
  for (int i = 1; i < src->nr; i++)
    for (int j = i; j > 0 && r[j].lo < r[j - 1].lo; j--) {
      rrange t = r[j];
      r[j] = r[j - 1];
      r[j - 1] = t;
    }
  int32_t next = 0;
  for (int i = 0; i < src->nr; i++) {
    if (r[i].lo > next) arange(dst, next, r[i].lo - 1);
    if (r[i].hi + 1 > next) next = r[i].hi + 1;
  }
  if (next <= 0x10FFFF) arange(dst, next, 0x10FFFF);
  free(r);
}

static bool posix_class(anode *a, const char *name, size_t n, bool neg) {
  static const struct {
    const char *n;
    const char *ranges;
  } cl[] = {{"alnum", "09AZaz"},
            {"alpha", "AZaz"},
            {"ascii", "\x00\x7f"},
            {"blank", "\t\t  "},
            {"cntrl", "\x00\x1f\x7f\x7f"},
            {"digit", "09"},
            {"graph", "!~"},
            {"lower", "az"},
            {"print", " ~"},
            {"punct", "!/:@[`{~"},
            {"space", "\t\r  "},
            {"upper", "AZ"},
            {"word", "09AZ__az"},
            {"xdigit", "09AFaf"}};
  for (size_t i = 0; i < sizeof cl / sizeof *cl; i++) {
    if (strlen(cl[i].n) != n || memcmp(cl[i].n, name, n)) continue;
    anode tmp = {0};
    size_t rl = !strcmp(cl[i].n, "ascii") || !strcmp(cl[i].n, "cntrl")
                    ? (strcmp(cl[i].n, "ascii") ? 4 : 2)
                    : strlen(cl[i].ranges);
    for (size_t k = 0; k + 1 < rl + 1 && k + 1 <= rl; k += 2)
      arange(&tmp, (unsigned char)cl[i].ranges[k], (unsigned char)cl[i].ranges[k + 1]);
    if (neg)
      add_negated(a, &tmp);
    else
      for (int k = 0; k < tmp.nr; k++)
        arange(a, tmp.r[k].lo, tmp.r[k].hi);
    free(tmp.r);
    return true;
  }
  return false;
}

/* \p{..} classes: approximations for L, Lu, Ll, N, Nd, P, S, Z and Greek/Han/Latin */
static bool unicode_class(anode *a, const char *name, size_t n, bool neg) {
  anode tmp = {0};
  if ((n == 1 && name[0] == 'L') || (n == 5 && !memcmp(name, "Latin", 5))) {
    arange(&tmp, 'A', 'Z');
    arange(&tmp, 'a', 'z');
    arange(&tmp, 0xAA, 0xAA);
    arange(&tmp, 0xB5, 0xB5);
    arange(&tmp, 0xBA, 0xBA);
    arange(&tmp, 0xC0, 0xD6);
    arange(&tmp, 0xD8, 0xF6);
    arange(&tmp, 0xF8, 0x2C1);
    if (n == 1) {
      arange(&tmp, 0x370, 0x3FF);
      arange(&tmp, 0x400, 0x52F);
      arange(&tmp, 0x4E00, 0x9FFF);
    }
  } else if (n == 2 && !memcmp(name, "Lu", 2)) {
    arange(&tmp, 'A', 'Z');
    arange(&tmp, 0xC0, 0xD6);
    arange(&tmp, 0xD8, 0xDE);
  } else if (n == 2 && !memcmp(name, "Ll", 2)) {
    arange(&tmp, 'a', 'z');
    arange(&tmp, 0xDF, 0xF6);
    arange(&tmp, 0xF8, 0xFF);
  } else if ((n == 1 && name[0] == 'N') || (n == 2 && !memcmp(name, "Nd", 2))) {
    arange(&tmp, '0', '9');
  } else if (n == 1 && name[0] == 'Z') {
    arange(&tmp, ' ', ' ');
    arange(&tmp, 0xA0, 0xA0);
    arange(&tmp, 0x2000, 0x200A);
    arange(&tmp, 0x3000, 0x3000);
  } else if (n == 1 && name[0] == 'P') {
    arange(&tmp, '!', '#');
    arange(&tmp, '%', '*');
    arange(&tmp, ',', '/');
    arange(&tmp, ':', ';');
    arange(&tmp, '?', '@');
    arange(&tmp, '[', ']');
    arange(&tmp, '_', '_');
    arange(&tmp, '{', '{');
    arange(&tmp, '}', '}');
  } else if (n == 5 && !memcmp(name, "Greek", 5)) {
    arange(&tmp, 0x370, 0x3FF);
  } else if (n == 3 && !memcmp(name, "Han", 3)) {
    arange(&tmp, 0x4E00, 0x9FFF);
  } else
    return false;
  if (neg)
    add_negated(a, &tmp);
  else
    for (int k = 0; k < tmp.nr; k++)
      arange(a, tmp.r[k].lo, tmp.r[k].hi);
  free(tmp.r);
  return true;
}

/* parse an escape after '\' ; in_class: inside [...] */
static bool parse_escape(rparser *p, anode *cls, int32_t *out_ch, bool *is_class,
                         size_t esc_start) {
  *is_class = false;
  if (p->i >= p->n)
    return perr(p, "trailing backslash at end of expression", esc_start, p->n), false;
  char c = p->s[p->i++];
  switch (c) {
  case 'd':
  case 's':
  case 'w':
    *is_class = true;
    add_perl_class(cls, c);
    return true;
  case 'D':
  case 'S':
  case 'W': {
    *is_class = true;
    anode tmp = {0};
    add_perl_class(&tmp, (char)(c + 32));
    add_negated(cls, &tmp);
    free(tmp.r);
    return true;
  }
  case 'p':
  case 'P': {
    *is_class = true;
    const char *name;
    size_t nl;
    if (p->i < p->n && p->s[p->i] == '{') {
      const char *e = memchr(p->s + p->i, '}', p->n - p->i);
      if (!e) return perr(p, "invalid character class range", esc_start, p->n);
      name = p->s + p->i + 1;
      nl = (size_t)(e - name);
      p->i = (size_t)(e - p->s) + 1;
    } else {
      if (p->i >= p->n) return perr(p, "invalid character class range", esc_start, p->n);
      name = p->s + p->i;
      nl = 1;
      p->i++;
    }
    bool neg = c == 'P';
    if (nl && name[0] == '^') {
      neg = !neg;
      name++;
      nl--;
    }
    if (!unicode_class(cls, name, nl, neg))
      return perr(p, "invalid character class range", esc_start, p->i);
    return true;
  }
  case 'n':
    *out_ch = '\n';
    return true;
  case 't':
    *out_ch = '\t';
    return true;
  case 'r':
    *out_ch = '\r';
    return true;
  case 'f':
    *out_ch = '\f';
    return true;
  case 'v':
    *out_ch = '\v';
    return true;
  case 'a':
    *out_ch = '\a';
    return true;
  case 'x': {
    int32_t v = 0;
    if (p->i < p->n && p->s[p->i] == '{') {
      p->i++;
      size_t st = p->i;
      while (p->i < p->n && p->s[p->i] != '}') {
        char h = p->s[p->i];
        int d = h >= '0' && h <= '9'                 ? h - '0'
                : (h | 32) >= 'a' && (h | 32) <= 'f' ? (h | 32) - 'a' + 10
                                                     : -1;
        if (d < 0 || v > 0x10FFFF) return perr(p, "invalid escape sequence", esc_start, p->i + 1);
        v = v * 16 + d;
        p->i++;
      }
      if (p->i >= p->n || p->i == st) return perr(p, "invalid escape sequence", esc_start, p->i);
      p->i++;
    } else {
      for (int k = 0; k < 2; k++) {
        if (p->i >= p->n) return perr(p, "invalid escape sequence", esc_start, p->i);
        char h = p->s[p->i];
        int d = h >= '0' && h <= '9'                 ? h - '0'
                : (h | 32) >= 'a' && (h | 32) <= 'f' ? (h | 32) - 'a' + 10
                                                     : -1;
        if (d < 0) return perr(p, "invalid escape sequence", esc_start, p->i + 1);
        v = v * 16 + d;
        p->i++;
      }
    }
    *out_ch = v;
    return true;
  }
  default:
    if (c >= '0' && c <= '7') {
      /* octal: \0, \012 … (Go: \1-\7 only when followed by more octal digits) */
      if (c != '0' && !(p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '7'))
        return perr(p, "invalid escape sequence", esc_start, p->i);
      int32_t v = c - '0';
      for (int k = 0; k < 2 && p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '7'; k++)
        v = v * 8 + (p->s[p->i++] - '0');
      *out_ch = v;
      return true;
    }
    if ((unsigned char)c < 0x80 &&
        !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      *out_ch = c;
      return true;
    }
    p->i = esc_start + 2;
    return perr(p, "invalid escape sequence", esc_start, esc_start + 2);
  }
}

static anode *parse_class(rparser *p) {
  size_t start = p->i;
  p->i++; /* [ */
  anode *a = anew(p, A_CLASS);
  a->fold = p->fold;
  anode pos = {0};
  bool neg = false;
  if (p->i < p->n && p->s[p->i] == '^') {
    neg = true;
    p->i++;
  }
  bool first = true;
  for (;;) {
    if (p->i >= p->n) {
      free(pos.r);
      perr(p, "missing closing ]", start, p->n);
      return NULL;
    }
    char c = p->s[p->i];
    if (c == ']' && !first) {
      p->i++;
      break;
    }
    first = false;
    if (c == '[' && p->i + 1 < p->n && p->s[p->i + 1] == ':') {
      const char *e = NULL;
      for (size_t k = p->i + 2; k + 1 < p->n; k++)
        if (p->s[k] == ':' && p->s[k + 1] == ']') {
          e = p->s + k;
          break;
        }
      if (e) {
        const char *nm = p->s + p->i + 2;
        bool pneg = false;
        if (*nm == '^') {
          pneg = true;
          nm++;
        }
        if (!posix_class(&pos, nm, (size_t)(e - nm), pneg)) {
          perr(p, "invalid character class range", p->i, (size_t)(e - p->s) + 2);
          free(pos.r);
          return NULL;
        }
        p->i = (size_t)(e - p->s) + 2;
        continue;
      }
    }
    int32_t lo;
    size_t rs = p->i;
    if (c == '\\') {
      bool iscls;
      size_t es = p->i;
      p->i++;
      if (!parse_escape(p, &pos, &lo, &iscls, es)) {
        free(pos.r);
        return NULL;
      }
      if (iscls) continue;
    } else {
      int w;
      lo = peekr(p, &w);
      p->i += (size_t)w;
    }
    int32_t hi = lo;
    if (p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
      p->i++;
      if (p->s[p->i] == '\\') {
        bool iscls;
        size_t es = p->i;
        p->i++;
        if (!parse_escape(p, &pos, &hi, &iscls, es)) {
          free(pos.r);
          return NULL;
        }
        if (iscls) {
          perr(p, "invalid character class range", rs, p->i);
          free(pos.r);
          return NULL;
        }
      } else {
        int w;
        hi = peekr(p, &w);
        p->i += (size_t)w;
      }
      if (hi < lo) {
        perr(p, "invalid character class range", rs, p->i);
        free(pos.r);
        return NULL;
      }
    }
    arange(&pos, lo, hi);
  }
  if (neg) {
    a->neg = false;
    /* with case folding, negate after folding: approximate by
     * adding folded variants first */
    if (p->fold) {
      int n0 = pos.nr;
      for (int k = 0; k < n0; k++)
        for (int32_t ch = pos.r[k].lo; ch <= pos.r[k].hi && ch - pos.r[k].lo < 512; ch++) {
          int32_t l = rune_lower(ch), u = rune_upper(ch);
          if (l != ch) arange(&pos, l, l);
          if (u != ch) arange(&pos, u, u);
        }
    }
    add_negated(a, &pos);
    a->fold = false;
  } else {
    for (int k = 0; k < pos.nr; k++)
      arange(a, pos.r[k].lo, pos.r[k].hi);
  }
  free(pos.r);
  return a;
}

static anode *parse_alt(rparser *p);

static bool parse_flags(rparser *p, size_t start, bool *scoped) {
  /* after "(?" : flags [-flags] then ')' or ':' */
  bool neg = false, any = false;
  bool fold = p->fold, ml = p->multiline, s = p->dotnl, U = p->ungreedy;
  while (p->i < p->n) {
    char c = p->s[p->i++];
    switch (c) {
    case 'i':
      fold = !neg;
      any = true;
      break;
    case 'm':
      ml = !neg;
      any = true;
      break;
    case 's':
      s = !neg;
      any = true;
      break;
    case 'U':
      U = !neg;
      any = true;
      break;
    case '-':
      if (neg) goto bad;
      neg = true;
      any = false;
      break;
    case ')':
    case ':':
      if (neg && !any) goto bad;
      p->fold = fold;
      p->multiline = ml;
      p->dotnl = s;
      p->ungreedy = U;
      *scoped = c == ':';
      return true;
    default:
      goto bad;
    }
  }
bad:
  return perr(p, "invalid or unsupported Perl syntax", start, p->i);
}

static anode *parse_atom(rparser *p) {
  if (p->i >= p->n) return NULL;
  char c = p->s[p->i];
  size_t start = p->i;
  switch (c) {
  case '(': {
    if (++p->depth > 1000) {
      perr(p, "expression nests too deeply", start, p->n);
      return NULL;
    }
    p->i++;
    int cap = 0;
    bool sf = p->fold, sm = p->multiline, ss = p->dotnl, su = p->ungreedy;
    if (p->i < p->n && p->s[p->i] == '?') {
      p->i++;
      if (p->i < p->n && (p->s[p->i] == 'P' || p->s[p->i] == '<')) {
        if (p->s[p->i] == 'P') p->i++;
        if (p->i >= p->n || p->s[p->i] != '<') {
          perr(p, "invalid or unsupported Perl syntax", start, p->i);
          return NULL;
        }
        p->i++;
        const char *e = memchr(p->s + p->i, '>', p->n - p->i);
        if (!e) {
          perr(p, "invalid named capture", start, p->n);
          return NULL;
        }
        size_t nl = (size_t)(e - (p->s + p->i));
        for (size_t k = 0; k < nl; k++) {
          char ch = p->s[p->i + k];
          if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_')) {
            perr(p, "invalid named capture", start, (size_t)(e - p->s) + 1);
            return NULL;
          }
        }
        if (nl == 0) {
          perr(p, "invalid named capture", start, (size_t)(e - p->s) + 1);
          return NULL;
        }
        cap = ++p->ncap;
        if (cap >= p->capnames) {
          int nc = p->capnames ? p->capnames * 2 : 16;
          while (nc <= cap)
            nc *= 2;
          char **nn = realloc(p->names, (size_t)nc * sizeof *nn);
          if (!nn) abort();
          for (int k = p->capnames; k < nc; k++)
            nn[k] = NULL;
          p->names = nn;
          p->capnames = nc;
        }
        p->names[cap] = strndup(p->s + p->i, nl);
        p->i = (size_t)(e - p->s) + 1;
      } else {
        bool scoped = false;
        if (!parse_flags(p, start, &scoped)) return NULL;
        if (!scoped) {
          /* (?i) applies to the rest of the group */
          p->depth--;
          return anew(p, A_EMPTY);
        }
      }
    } else {
      cap = ++p->ncap;
      if (cap >= p->capnames) {
        int nc = p->capnames ? p->capnames * 2 : 16;
        while (nc <= cap)
          nc *= 2;
        char **nn = realloc(p->names, (size_t)nc * sizeof *nn);
        if (!nn) abort();
        for (int k = p->capnames; k < nc; k++)
          nn[k] = NULL;
        p->names = nn;
        p->capnames = nc;
      }
    }
    anode *inner = parse_alt(p);
    if (!inner) return NULL;
    if (p->i >= p->n || p->s[p->i] != ')') {
      perr(p, "missing closing )", 0, p->n);
      return NULL;
    }
    p->i++;
    p->depth--;
    p->fold = sf;
    p->multiline = sm;
    p->dotnl = ss;
    p->ungreedy = su;
    anode *g = anew(p, A_GROUP);
    g->cap = cap;
    akid(g, inner);
    return g;
  }
  case '[':
    return parse_class(p);
  case '.': {
    p->i++;
    anode *a = anew(p, A_ANY);
    a->dotnl = p->dotnl;
    return a;
  }
  case '^': {
    p->i++;
    anode *a = anew(p, A_ASSERT);
    a->assert_op = p->multiline ? I_BOLM : I_BOL;
    return a;
  }
  case '$': {
    p->i++;
    anode *a = anew(p, A_ASSERT);
    a->assert_op = p->multiline ? I_EOLM : I_EOL;
    return a;
  }
  case '\\': {
    if (p->i + 1 < p->n) {
      char e = p->s[p->i + 1];
      if (e == 'b' || e == 'B' || e == 'A' || e == 'z') {
        p->i += 2;
        anode *a = anew(p, A_ASSERT);
        a->assert_op = e == 'b' ? I_WORDB : e == 'B' ? I_NWORDB : e == 'A' ? I_BOL : I_EOL;
        return a;
      }
      if (e == 'Q') {
        p->i += 2;
        const char *q = NULL;
        for (size_t k = p->i; k + 1 < p->n; k++)
          if (p->s[k] == '\\' && p->s[k + 1] == 'E') {
            q = p->s + k;
            break;
          }
        size_t end = q ? (size_t)(q - p->s) : p->n;
        anode *cat = anew(p, A_CAT);
        while (p->i < end) {
          int w;
          int32_t r = peekr(p, &w);
          p->i += (size_t)w;
          anode *ch = anew(p, A_CHAR);
          ch->ch = r;
          ch->fold = p->fold;
          akid(cat, ch);
        }
        if (q) p->i += 2;
        return cat;
      }
    }
    p->i++;
    anode *cls = anew(p, A_CLASS);
    int32_t ch = 0;
    bool iscls;
    if (!parse_escape(p, cls, &ch, &iscls, start)) return NULL;
    if (iscls) return cls;
    cls->t = A_CHAR;
    cls->ch = ch;
    cls->fold = p->fold;
    return cls;
  }
  case '*':
  case '+':
  case '?': {
    perr(p, "missing argument to repetition operator", start, start + 1);
    return NULL;
  }
  default: {
    int w;
    int32_t r = peekr(p, &w);
    p->i += (size_t)w;
    anode *a = anew(p, A_CHAR);
    a->ch = r;
    a->fold = p->fold;
    return a;
  }
  }
}

/* {n}, {n,}, {n,m}: returns true and sets min/max if the text at p->i is a repeat */
static bool parse_repeat_braces(rparser *p, int *min, int *max) {
  size_t i = p->i + 1;
  size_t st = i;
  long a = 0, b = -1;
  while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') {
    a = a * 10 + (p->s[i] - '0');
    if (a > 100000) a = 100000;
    i++;
  }
  if (i == st) return false;
  if (i < p->n && p->s[i] == ',') {
    i++;
    size_t st2 = i;
    long v = 0;
    while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9') {
      v = v * 10 + (p->s[i] - '0');
      if (v > 100000) v = 100000;
      i++;
    }
    b = i == st2 ? -1 : v;
  } else
    b = a;
  if (i >= p->n || p->s[i] != '}') return false;
  p->i = i + 1;
  *min = (int)a;
  *max = (int)b;
  return true;
}

static anode *parse_concat(rparser *p) {
  anode *cat = anew(p, A_CAT);
  while (p->i < p->n && p->s[p->i] != '|' && p->s[p->i] != ')') {
    size_t atom_start = p->i;
    anode *a = parse_atom(p);
    if (!a) return NULL;
    /* quantifiers */
    bool had_rep = false;
    size_t rep_start = 0;
    while (p->i < p->n) {
      char c = p->s[p->i];
      int min, max;
      size_t qstart = p->i;
      if (c == '*') {
        min = 0, max = -1;
        p->i++;
      } else if (c == '+') {
        min = 1, max = -1;
        p->i++;
      } else if (c == '?') {
        min = 0, max = 1;
        p->i++;
      } else if (c == '{') {
        if (!parse_repeat_braces(p, &min, &max)) break;
        if (min > 1000 || max > 1000 || (max >= 0 && max < min)) {
          perr(p, "invalid repeat count", qstart, p->i);
          return NULL;
        }
      } else
        break;
      bool greedy = true;
      if (p->i < p->n && p->s[p->i] == '?') {
        greedy = false;
        p->i++;
      }
      if (p->ungreedy) greedy = !greedy;
      if (had_rep) {
        perr(p, "invalid nested repetition operator", rep_start, p->i);
        return NULL;
      }
      rep_start = qstart;
      if (a->t == A_EMPTY) {
        perr(p, "missing argument to repetition operator", qstart, p->i);
        return NULL;
      }
      anode *r = anew(p, A_REP);
      r->min = min;
      r->max = max;
      r->greedy = greedy;
      akid(r, a);
      a = r;
      had_rep = true;
      (void)atom_start;
    }
    akid(cat, a);
  }
  return cat;
}

static anode *parse_alt(rparser *p) {
  anode *first = parse_concat(p);
  if (!first) return NULL;
  if (p->i >= p->n || p->s[p->i] != '|') return first;
  anode *alt = anew(p, A_ALT);
  akid(alt, first);
  while (p->i < p->n && p->s[p->i] == '|') {
    p->i++;
    anode *k = parse_concat(p);
    if (!k) return NULL;
    akid(alt, k);
  }
  return alt;
}

/* ---------------- compiler ---------------- */
typedef struct comp {
  tregex *re;
  bool err;
} comp;

static int emit(comp *c, inst in) {
  tregex *re = c->re;
  if (re->n >= RE_MAX_PROG) {
    c->err = true;
    return re->n ? re->n - 1 : 0;
  }
  if (re->n == re->cap) {
    re->cap = re->cap ? re->cap * 2 : 64;
    inst *np = realloc(re->prog, (size_t)re->cap * sizeof *np);
    if (!np) abort();
    re->prog = np;
  }
  re->prog[re->n] = in;
  return re->n++;
}

static void compile(comp *c, anode *a);

static void compile_rep(comp *c, anode *a) {
  anode *k = a->k[0];
  if (a->max < 0 && a->min >= 1) {
    /* x{n,}: n-1 copies, then RE2's plus loop  L0: x; split(L0, exit) */
    for (int i = 0; i < a->min - 1 && !c->err; i++)
      compile(c, k);
    int mark = c->re->nmarks++;
    int l0 = emit(c, (inst){.op = I_MARK, .x = mark});
    compile(c, k);
    emit(c, (inst){.op = I_PROGRESS, .x = mark});
    int sp = emit(c, (inst){.op = I_SPLIT});
    int exit = c->re->n;
    c->re->prog[sp].x = a->greedy ? l0 : exit;
    c->re->prog[sp].y = a->greedy ? exit : l0;
    return;
  }
  if (a->max < 0) {
    /* x*: L1: split(L2, L3); L2: x; jmp L1; L3 */
    int mark = c->re->nmarks++;
    int l1 = emit(c, (inst){.op = I_SPLIT});
    int l2 = emit(c, (inst){.op = I_MARK, .x = mark});
    compile(c, k);
    emit(c, (inst){.op = I_PROGRESS, .x = mark});
    emit(c, (inst){.op = I_JMP, .x = l1});
    int l3 = c->re->n;
    if (a->greedy) {
      c->re->prog[l1].x = l2;
      c->re->prog[l1].y = l3;
    } else {
      c->re->prog[l1].x = l3;
      c->re->prog[l1].y = l2;
    }
    return;
  }
  for (int i = 0; i < a->min && !c->err; i++)
    compile(c, k);
  int opt = a->max - a->min;
  int *splits = malloc(((size_t)opt + 1) * sizeof *splits);
  if (!splits) abort();
  for (int i = 0; i < opt && !c->err; i++) {
    splits[i] = emit(c, (inst){.op = I_SPLIT});
    int body = c->re->n;
    compile(c, k);
    c->re->prog[splits[i]].x = body; /* fixed below for lazy */
  }
  int end = c->re->n;
  for (int i = 0; i < opt && !c->err; i++) {
    int body = splits[i] + 1;
    if (a->greedy) {
      c->re->prog[splits[i]].x = body;
      c->re->prog[splits[i]].y = end;
    } else {
      c->re->prog[splits[i]].x = end;
      c->re->prog[splits[i]].y = body;
    }
  }
  free(splits);
}

static void compile(comp *c, anode *a) {
  if (c->err) return;
  switch (a->t) {
  case A_EMPTY:
    break;
  case A_CHAR:
    emit(c, (inst){.op = I_CHAR, .ch = a->ch, .fold = a->fold});
    break;
  case A_ANY:
    emit(c, (inst){.op = a->dotnl ? I_ANYNL : I_ANY});
    break;
  case A_CLASS: {
    rrange *r = malloc(((size_t)a->nr + 1) * sizeof *r);
    if (!r) abort();
    memcpy(r, a->r, (size_t)a->nr * sizeof *r);
    emit(c, (inst){.op = I_CLASS, .r = r, .nr = a->nr, .fold = a->fold, .neg = a->neg});
    break;
  }
  case A_CAT:
    for (int i = 0; i < a->nk; i++)
      compile(c, a->k[i]);
    break;
  case A_ALT: {
    int *jmps = malloc((size_t)a->nk * sizeof *jmps);
    if (!jmps) abort();
    for (int i = 0; i < a->nk; i++) {
      if (i < a->nk - 1) {
        int sp = emit(c, (inst){.op = I_SPLIT});
        c->re->prog[sp].x = sp + 1;
        compile(c, a->k[i]);
        jmps[i] = emit(c, (inst){.op = I_JMP});
        c->re->prog[sp].y = c->re->n;
      } else
        compile(c, a->k[i]);
    }
    for (int i = 0; i < a->nk - 1; i++)
      c->re->prog[jmps[i]].x = c->re->n;
    free(jmps);
    break;
  }
  case A_REP:
    compile_rep(c, a);
    break;
  case A_GROUP:
    if (a->cap) emit(c, (inst){.op = I_SAVE, .x = 2 * a->cap});
    compile(c, a->k[0]);
    if (a->cap) emit(c, (inst){.op = I_SAVE, .x = 2 * a->cap + 1});
    break;
  case A_ASSERT:
    emit(c, (inst){.op = a->assert_op});
    break;
  }
}

void re_free(tregex *re) {
  if (!re) return;
  for (int i = 0; i < re->n; i++)
    free(re->prog[i].r);
  free(re->prog);
  if (re->names)
    for (int i = 0; i <= re->ncap; i++)
      free(re->names[i]);
  free(re->names);
  free(re);
}

static void go_quote_re(sb *b, const char *s, size_t n) {
  /* regexp's quote(): backquote when possible */
  bool can = true;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '`' || (c < ' ' && c != '\t') || c == 0x7f) can = false;
  }
  if (can && utf8_count(s, n) == n) {
    sb_putc(b, '`');
    sb_putn(b, s, n);
    sb_putc(b, '`');
  } else if (can) {
    /* valid UTF-8 check */
    sb_putc(b, '`');
    sb_putn(b, s, n);
    sb_putc(b, '`');
  } else
    gofmt_quote(b, s, n);
}

tregex *re_compile(const char *pat, size_t n, char *errbuf, size_t errcap) {
  rparser p = {0};
  p.s = pat;
  p.n = n;
  anode *root = parse_alt(&p);
  if (root && p.i < p.n && p.s[p.i] == ')') perr(&p, "unexpected )", 0, p.n), root = NULL;
  tregex *re = NULL;
  if (root) {
    re = calloc(1, sizeof *re);
    if (!re) abort();
    re->ncap = p.ncap;
    re->names = p.names;
    if (re->names == NULL) {
      re->names = calloc(1, sizeof(char *));
      if (!re->names) abort();
    }
    p.names = NULL;
    comp c = {re, false};
    emit(&c, (inst){.op = I_SAVE, .x = 0});
    compile(&c, root);
    emit(&c, (inst){.op = I_SAVE, .x = 1});
    emit(&c, (inst){.op = I_MATCH});
    re->nslots = 2 * (re->ncap + 1) + re->nmarks;
    if (c.err) {
      re_free(re);
      re = NULL;
      tmpl_msgf(p.err, sizeof p.err, "expression too large");
    }
  }
  if (!re) {
    sb b = {0};
    sb_puts(&b, "regexp: Compile(");
    go_quote_re(&b, pat, n);
    sb_puts(&b, "): error parsing regexp: ");
    sb_puts(&b, p.err);
    tmpl_msgf(errbuf, errcap, "%s", b.p);
    sb_free(&b);
  }
  for (int i = 0; i < p.nall; i++) {
    free(p.all[i]->k);
    free(p.all[i]->r);
    free(p.all[i]);
  }
  free(p.all);
  if (p.names) {
    for (int i = 0; i < p.capnames; i++)
      free(p.names[i]);
    free(p.names);
  }
  return re;
}

int re_ncap(const tregex *re) {
  return re->ncap;
}
const char *re_capname(const tregex *re, int i) {
  return i <= re->ncap && re->names ? re->names[i] : NULL;
}

/* ---------------- matcher ---------------- */
static bool is_word(int c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

typedef struct bt {
  int pc;
  int pos;
  int slot; /* >= 0: restore slot to val on pop */
  int val;
} bt;

static bool class_has(const inst *in, int32_t r) {
  for (int i = 0; i < in->nr; i++)
    if (r >= in->r[i].lo && r <= in->r[i].hi) return !in->neg;
  if (in->fold) {
    int32_t l = rune_lower(r), u = rune_upper(r);
    for (int i = 0; i < in->nr; i++)
      if ((l >= in->r[i].lo && l <= in->r[i].hi) || (u >= in->r[i].lo && u <= in->r[i].hi))
        return !in->neg;
  }
  return in->neg;
}

typedef struct btstack {
  bt *s;
  int cap;
  /* BitState (as RE2): a (pc, pos) state is explored at most once per
   * search; that gives RE2's leftmost-first results for empty loops and
   * bounds the work by prog × text.  NULL for long texts (then empty
   * loop iterations are cut by MARK/PROGRESS instead). */
  uint64_t *vis;
  size_t vbase, vspan;
} btstack;

/* run from `start`; returns 1 on match with slots filled */
static int run(const tregex *re, const char *s, int n, int start, int *slots, long *steps,
               btstack *bs) {
  int cap = bs->cap, sp = 0;
  bt *stack = bs->s;
  for (int i = 0; i < re->nslots; i++)
    slots[i] = -1;
  int pc = 0, pos = start;
  for (;;) {
    if (++*steps > RE_MAX_STEPS) {
      bs->s = stack;
      bs->cap = cap;
      return -1;
    }
    const inst *in = &re->prog[pc];
    bool fail = false;
    if (bs->vis) {
      size_t bit = (size_t)pc * bs->vspan + ((size_t)pos - bs->vbase);
      if (bs->vis[bit / 64] & ((uint64_t)1 << (bit % 64)))
        fail = true;
      else
        bs->vis[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
    if (!fail) switch (in->op) {
      case I_CHAR: {
        if (pos >= n) {
          fail = true;
          break;
        }
        int32_t r;
        int w = utf8_decode(s + pos, (size_t)(n - pos), &r);
        if (r == in->ch || (in->fold && rune_lower(r) == rune_lower(in->ch))) {
          pos += w;
          pc++;
        } else
          fail = true;
        break;
      }
      case I_ANY:
      case I_ANYNL: {
        if (pos >= n) {
          fail = true;
          break;
        }
        int32_t r;
        int w = utf8_decode(s + pos, (size_t)(n - pos), &r);
        if (in->op == I_ANY && r == '\n')
          fail = true;
        else {
          pos += w;
          pc++;
        }
        break;
      }
      case I_CLASS: {
        if (pos >= n) {
          fail = true;
          break;
        }
        int32_t r;
        int w = utf8_decode(s + pos, (size_t)(n - pos), &r);
        if (class_has(in, r)) {
          pos += w;
          pc++;
        } else
          fail = true;
        break;
      }
      case I_SPLIT:
        if (sp == cap) {
          if (cap >= (1 << 22)) {
            bs->s = stack;
            bs->cap = cap;
            return -1;
          }
          cap *= 2;
          bt *ns = realloc(stack, (size_t)cap * sizeof *ns);
          if (!ns) abort();
          stack = ns;
        }
        stack[sp++] = (bt){in->y, pos, -1, 0};
        pc = in->x;
        break;
      case I_JMP:
        pc = in->x;
        break;
      case I_MARK:
        if (bs->vis) {
          pc++;
          break;
        }
        /* fallthrough */
      case I_SAVE: {
        int slot = in->op == I_SAVE ? in->x : 2 * (re->ncap + 1) + in->x;
        if (sp == cap) {
          if (cap >= (1 << 22)) {
            bs->s = stack;
            bs->cap = cap;
            return -1;
          }
          cap *= 2;
          bt *ns = realloc(stack, (size_t)cap * sizeof *ns);
          if (!ns) abort();
          stack = ns;
        }
        stack[sp++] = (bt){-1, 0, slot, slots[slot]};
        slots[slot] = pos;
        pc++;
        break;
      }
      case I_PROGRESS:
        if (!bs->vis && slots[2 * (re->ncap + 1) + in->x] == pos)
          fail = true;
        else
          pc++;
        break;
      case I_BOL:
        fail = pos != 0;
        if (!fail) pc++;
        break;
      case I_EOL:
        fail = pos != n;
        if (!fail) pc++;
        break;
      case I_BOLM:
        fail = !(pos == 0 || s[pos - 1] == '\n');
        if (!fail) pc++;
        break;
      case I_EOLM:
        fail = !(pos == n || s[pos] == '\n');
        if (!fail) pc++;
        break;
      case I_WORDB:
      case I_NWORDB: {
        bool a = pos > 0 && is_word((unsigned char)s[pos - 1]);
        bool b = pos < n && is_word((unsigned char)s[pos]);
        bool wb = a != b;
        fail = in->op == I_WORDB ? !wb : wb;
        if (!fail) pc++;
        break;
      }
      case I_MATCH:
        bs->s = stack;
        bs->cap = cap;
        return 1;
      }
    if (fail) {
      for (;;) {
        if (sp == 0) {
          bs->s = stack;
          bs->cap = cap;
          return 0;
        }
        bt e = stack[--sp];
        if (e.slot >= 0) {
          slots[e.slot] = e.val;
          continue;
        }
        pc = e.pc;
        pos = e.pos;
        break;
      }
    }
  }
}

int re_exec(tregex *re, const char *s, size_t n, size_t start, int *caps, int ncaps_slots) {
  int *slots = malloc((size_t)re->nslots * sizeof *slots);
  if (!slots) abort();
  long steps = 0;
  int found = 0;
  btstack bs = {malloc(1024 * sizeof(bt)), 1024, NULL, start, n - start + 1};
  if (!bs.s) abort();
  size_t bits = (size_t)re->n * bs.vspan;
  if (bits <= ((size_t)1 << 25)) {
    bs.vis = calloc(bits / 64 + 1, sizeof(uint64_t));
    if (!bs.vis) abort();
  }
  /* a leading literal (case-sensitive) lets us skip ahead */
  int lit = -1;
  if (re->n > 1 && re->prog[1].op == I_CHAR && !re->prog[1].fold && re->prog[1].ch < 0x80)
    lit = re->prog[1].ch;
  for (size_t st = start; st <= n;) {
    if (lit >= 0) {
      const char *q = st < n ? memchr(s + st, lit, n - st) : NULL;
      if (!q) break;
      st = (size_t)(q - s);
    }
    int r = run(re, s, (int)n, (int)st, slots, &steps, &bs);
    if (r < 0) {
      found = -1;
      break;
    }
    if (r == 1) {
      for (int i = 0; i < ncaps_slots && i < 2 * (re->ncap + 1); i++)
        caps[i] = slots[i];
      found = 1;
      break;
    }
    /* anchored at text start: no later start can match ^ (non-multiline) */
    if (st >= n) break;
    int32_t rr;
    st += (size_t)utf8_decode(s + st, n - st, &rr);
  }
  free(slots);
  free(bs.s);
  free(bs.vis);
  return found;
}
