/* Lexer: a port of Go's text/template/parse/lex.go (default delimiters). */
#include "engine/gotmpl/lex.h"

#include <stdio.h>
#include <stdlib.h>

static const char RD[] = "}}";
#define LDN 2
#define RDN 2

typedef struct lexer {
  const char *in;
  size_t n;
  size_t pos, start;
  bool at_eof;
  int paren;
  int line, start_line;
  litem *items;
  size_t nitems, cap;
  bool done;
} lexer;

static bool is_space(int r) {
  return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

static bool is_alnum_rune(int32_t r) {
  if (r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
    return true;
  if (r < 0x80) return false;
  /* Approximation of unicode.IsLetter / IsDigit for non-ASCII: treat
   * letters of the common scripts as letters. */
  if (r >= 0xC0 && r != 0xD7 && r != 0xF7 && r < 0x2000) return true;
  if (r >= 0x3040 && r < 0xD800) return true;
  return false;
}

static int32_t next(lexer *l) {
  if (l->pos >= l->n) {
    l->at_eof = true;
    return -1;
  }
  int32_t r;
  int w = utf8_decode(l->in + l->pos, l->n - l->pos, &r);
  l->pos += (size_t)w;
  if (r == '\n') l->line++;
  return r;
}

static void backup(lexer *l) {
  if (!l->at_eof && l->pos > 0) {
    /* step back one UTF-8 rune */
    size_t p = l->pos - 1;
    while (p > 0 && ((unsigned char)l->in[p] & 0xC0) == 0x80 && l->pos - p < 4)
      p--;
    if (l->in[p] == '\n') l->line--;
    l->pos = p;
  }
}

static int32_t peek(lexer *l) {
  int32_t r = next(l);
  backup(l);
  return r;
}

static void push(lexer *l, litem it) {
  if (l->nitems == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    litem *ni = realloc(l->items, l->cap * sizeof *ni);
    if (!ni) abort();
    l->items = ni;
  }
  l->items[l->nitems++] = it;
}

static void emit(lexer *l, itype t) {
  litem it = {t, (int)l->start, l->in + l->start, l->pos - l->start, l->start_line};
  push(l, it);
  l->start = l->pos;
  l->start_line = l->line;
}

static int count_nl(const char *s, size_t n) {
  int c = 0;
  for (size_t i = 0; i < n; i++)
    c += s[i] == '\n';
  return c;
}

static void ignore(lexer *l) {
  l->line += count_nl(l->in + l->start, l->pos - l->start);
  l->start = l->pos;
  l->start_line = l->line;
}

static bool accept(lexer *l, const char *valid) {
  int32_t r = next(l);
  if (r >= 0 && r < 128 && strchr(valid, (int)r) && r != 0) return true;
  backup(l);
  return false;
}

static void accept_run(lexer *l, const char *valid) {
  for (;;) {
    int32_t r = next(l);
    if (!(r > 0 && r < 128 && strchr(valid, (int)r))) {
      backup(l);
      return;
    }
  }
}

static void lerrorf(lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lerrorf(lexer *l, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *m = strdup(buf);
  if (!m) abort();
  litem it = {IT_ERROR, (int)l->start, m, strlen(m), l->start_line};
  push(l, it);
  l->done = true;
}

static bool has_prefix(lexer *l, size_t at, const char *p, size_t pn) {
  return at <= l->n && l->n - at >= pn && !memcmp(l->in + at, p, pn);
}
static bool has_left_trim(lexer *l, size_t at) {
  return at + 2 <= l->n && l->in[at] == '-' && is_space(l->in[at + 1]);
}
static bool has_right_trim(lexer *l, size_t at) {
  return at + 2 <= l->n && is_space(l->in[at]) && l->in[at + 1] == '-';
}

static void at_right_delim(lexer *l, bool *delim, bool *trim) {
  if (has_right_trim(l, l->pos) && has_prefix(l, l->pos + 2, RD, RDN)) {
    *delim = *trim = true;
    return;
  }
  *trim = false;
  *delim = has_prefix(l, l->pos, RD, RDN);
}

static size_t left_trim_len(lexer *l, size_t at) {
  size_t i = at;
  while (i < l->n && is_space(l->in[i]))
    i++;
  return i - at;
}

/* %#U formatting of a rune */
static void fmt_U(char *buf, size_t cap, int32_t r) {
  if (r < 0) {
    snprintf(buf, cap, "U+FFFFFFFF");
    return;
  }
  char u[8];
  int w = utf8_encode(u, r);
  u[w] = 0;
  if (r >= 0x20 && r != 0x7f)
    snprintf(buf, cap, "U+%04X '%s'", (unsigned)r, u);
  else
    snprintf(buf, cap, "U+%04X", (unsigned)r);
}

static bool at_terminator(lexer *l) {
  int32_t r = peek(l);
  if (r >= 0 && is_space(r)) return true;
  switch (r) {
  case -1:
  case '.':
  case ',':
  case '|':
  case ':':
  case ')':
  case '(':
    return true;
  }
  return has_prefix(l, l->pos, RD, RDN);
}

typedef enum { S_TEXT, S_LEFT, S_INSIDE, S_DONE } lstate;

static const struct {
  const char *w;
  itype t;
} keywords[] = {{".", IT_DOT},
                {"block", IT_BLOCK},
                {"break", IT_BREAK},
                {"continue", IT_CONTINUE},
                {"define", IT_DEFINE},
                {"else", IT_ELSE},
                {"end", IT_END},
                {"if", IT_IF},
                {"range", IT_RANGE},
                {"nil", IT_NIL},
                {"template", IT_TEMPLATE},
                {"with", IT_WITH}};

static lstate lex_text(lexer *l) {
  const char *p = NULL;
  for (size_t i = l->pos; i + 1 < l->n + 1 && i + LDN <= l->n; i++)
    if (l->in[i] == '{' && l->in[i + 1] == '{') {
      p = l->in + i;
      break;
    }
  if (p) {
    l->pos = (size_t)(p - l->in);
    size_t trim = 0;
    if (has_left_trim(l, l->pos + LDN)) {
      size_t e = l->pos;
      while (e > l->start && is_space(l->in[e - 1]))
        e--;
      trim = l->pos - e;
    }
    l->pos -= trim;
    if (l->pos > l->start) {
      l->line += count_nl(l->in + l->start, l->pos - l->start);
      emit(l, IT_TEXT);
    }
    l->pos += trim;
    ignore(l);
    return S_LEFT;
  }
  l->pos = l->n;
  if (l->pos > l->start) {
    l->line += count_nl(l->in + l->start, l->pos - l->start);
    emit(l, IT_TEXT);
  }
  emit(l, IT_EOF);
  return S_DONE;
}

static lstate lex_comment(lexer *l) {
  l->pos += 2;
  const char *e = NULL;
  for (size_t i = l->pos; i + 1 < l->n; i++)
    if (l->in[i] == '*' && l->in[i + 1] == '/') {
      e = l->in + i;
      break;
    }
  if (!e) {
    lerrorf(l, "unclosed comment");
    return S_DONE;
  }
  l->pos = (size_t)(e - l->in) + 2;
  bool delim, trim;
  at_right_delim(l, &delim, &trim);
  if (!delim) {
    lerrorf(l, "comment ends before closing delimiter");
    return S_DONE;
  }
  if (trim) l->pos += 2;
  l->pos += RDN;
  if (trim) l->pos += left_trim_len(l, l->pos);
  ignore(l);
  return S_TEXT;
}

static lstate lex_left(lexer *l) {
  l->pos += LDN;
  bool trim = has_left_trim(l, l->pos);
  size_t after = trim ? 2 : 0;
  if (has_prefix(l, l->pos + after, "/*", 2)) {
    l->pos += after;
    ignore(l);
    return lex_comment(l);
  }
  emit(l, IT_LEFT_DELIM);
  l->pos += after;
  ignore(l);
  l->paren = 0;
  return S_INSIDE;
}

static lstate lex_right(lexer *l) {
  bool trim = has_right_trim(l, l->pos);
  if (trim) {
    l->pos += 2;
    ignore(l);
  }
  l->pos += RDN;
  emit(l, IT_RIGHT_DELIM);
  if (trim) {
    l->pos += left_trim_len(l, l->pos);
    ignore(l);
  }
  return S_TEXT;
}

static bool scan_number(lexer *l) {
  accept(l, "+-");
  const char *digits = "0123456789_";
  if (accept(l, "0")) {
    if (accept(l, "xX"))
      digits = "0123456789abcdefABCDEF_";
    else if (accept(l, "oO"))
      digits = "01234567_";
    else if (accept(l, "bB"))
      digits = "01_";
  }
  accept_run(l, digits);
  if (accept(l, ".")) accept_run(l, digits);
  if (strlen(digits) == 11 && accept(l, "eE")) {
    accept(l, "+-");
    accept_run(l, "0123456789_");
  }
  if (strlen(digits) == 23 && accept(l, "pP")) {
    accept(l, "+-");
    accept_run(l, "0123456789_");
  }
  accept(l, "i");
  if (is_alnum_rune(peek(l))) {
    next(l);
    return false;
  }
  return true;
}

static lstate lex_inside(lexer *l) {
  for (;;) {
    bool delim, trim;
    at_right_delim(l, &delim, &trim);
    if (delim) {
      if (l->paren == 0) return lex_right(l);
      lerrorf(l, "unclosed left paren");
      return S_DONE;
    }
    int32_t r = next(l);
    char ubuf[32];
    if (r == -1) {
      lerrorf(l, "unclosed action");
      return S_DONE;
    }
    if (is_space(r)) {
      backup(l);
      /* lexSpace */
      int nsp = 0;
      while (peek(l) >= 0 && is_space(peek(l))) {
        next(l);
        nsp++;
      }
      if (has_right_trim(l, l->pos - 1) && has_prefix(l, l->pos - 1 + 2, RD, RDN)) {
        backup(l);
        if (nsp == 1) return lex_right(l);
      }
      emit(l, IT_SPACE);
      continue;
    }
    switch (r) {
    case '=':
      emit(l, IT_ASSIGN);
      continue;
    case ':':
      if (next(l) != '=') {
        lerrorf(l, "expected :=");
        return S_DONE;
      }
      emit(l, IT_DECLARE);
      continue;
    case '|':
      emit(l, IT_PIPE);
      continue;
    case '"':
      for (;;) {
        int32_t c = next(l);
        if (c == '\\') {
          c = next(l);
          if (c != -1 && c != '\n') continue;
        }
        if (c == -1 || c == '\n') {
          lerrorf(l, "unterminated quoted string");
          return S_DONE;
        }
        if (c == '"') break;
      }
      emit(l, IT_STRING);
      continue;
    case '`':
      for (;;) {
        int32_t c = next(l);
        if (c == -1) {
          lerrorf(l, "unterminated raw quoted string");
          return S_DONE;
        }
        if (c == '`') break;
      }
      emit(l, IT_RAW_STRING);
      continue;
    case '\'':
      for (;;) {
        int32_t c = next(l);
        if (c == '\\') {
          c = next(l);
          if (c != -1 && c != '\n') continue;
        }
        if (c == -1 || c == '\n') {
          lerrorf(l, "unterminated character constant");
          return S_DONE;
        }
        if (c == '\'') break;
      }
      emit(l, IT_CHAR_CONSTANT);
      continue;
    case '$':
    case '.': {
      itype typ = r == '$' ? IT_VARIABLE : IT_FIELD;
      if (r == '.' && l->pos < l->n && l->in[l->pos] >= '0' && l->in[l->pos] <= '9') goto number;
      if (at_terminator(l)) {
        emit(l, r == '$' ? IT_VARIABLE : IT_DOT);
        continue;
      }
      int32_t c;
      for (;;) {
        c = next(l);
        if (!is_alnum_rune(c)) {
          backup(l);
          break;
        }
      }
      if (!at_terminator(l)) {
        fmt_U(ubuf, sizeof ubuf, c);
        lerrorf(l, "bad character %s", ubuf);
        return S_DONE;
      }
      emit(l, typ);
      continue;
    }
    case '(':
      emit(l, IT_LEFT_PAREN);
      l->paren++;
      continue;
    case ')':
      if (l->paren == 0) {
        lerrorf(l, "unexpected right paren");
        return S_DONE;
      }
      l->paren--;
      emit(l, IT_RIGHT_PAREN);
      continue;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
    number:
      backup(l);
      if (!scan_number(l)) {
        lerrorf(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start), l->in + l->start);
        return S_DONE;
      }
      int32_t sign = peek(l);
      if (sign == '+' || sign == '-') {
        if (!scan_number(l) || l->in[l->pos - 1] != 'i') {
          lerrorf(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start), l->in + l->start);
          return S_DONE;
        }
        emit(l, IT_COMPLEX);
      } else
        emit(l, IT_NUMBER);
      continue;
    }
    if (is_alnum_rune(r)) {
      int32_t c;
      for (;;) {
        c = next(l);
        if (!is_alnum_rune(c)) {
          backup(l);
          break;
        }
      }
      const char *w = l->in + l->start;
      size_t wn = l->pos - l->start;
      if (!at_terminator(l)) {
        fmt_U(ubuf, sizeof ubuf, c);
        lerrorf(l, "bad character %s", ubuf);
        return S_DONE;
      }
      itype kt = IT_IDENTIFIER;
      for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i].w) == wn && !memcmp(keywords[i].w, w, wn)) kt = keywords[i].t;
      if (kt != IT_IDENTIFIER)
        emit(l, kt);
      else if ((wn == 4 && !memcmp(w, "true", 4)) || (wn == 5 && !memcmp(w, "false", 5)))
        emit(l, IT_BOOL);
      else
        emit(l, IT_IDENTIFIER);
      continue;
    }
    if (r < 0x7f && r >= 0x20) {
      emit(l, IT_CHAR);
      continue;
    }
    fmt_U(ubuf, sizeof ubuf, r);
    lerrorf(l, "unrecognized character in action: %s", ubuf);
    return S_DONE;
  }
}

litem *tmpl_lex(const char *in, size_t n, size_t *nitems) {
  lexer l = {.in = in, .n = n, .line = 1, .start_line = 1};
  lstate st = S_TEXT;
  while (st != S_DONE && !l.done) {
    switch (st) {
    case S_TEXT:
      st = lex_text(&l);
      break;
    case S_LEFT:
      st = lex_left(&l);
      break;
    case S_INSIDE:
      st = lex_inside(&l);
      break;
    default:
      st = S_DONE;
    }
  }
  *nitems = l.nitems;
  return l.items;
}

void tmpl_lex_free(litem *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (items[i].typ == IT_ERROR) free((void *)items[i].val);
  free(items);
}
