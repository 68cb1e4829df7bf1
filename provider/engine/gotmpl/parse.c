/* Parser: a port of Go's text/template/parse/parse.go (Go 1.23 semantics:
 * break/continue, else-if, else-with).  Errors unwind with longjmp; every
 * allocation is in the caller's heap, the lexer items are freed at the end. */
#include "engine/gotmpl/lex.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct parser {
  tmpl_heap *h;
  litem *items;
  size_t nitems, ipos;
  litem token[3];
  int peek_count;
  ttree *t;
  const char *text;
  size_t textlen;
  char *parse_name;
  char **vars;
  int nvars, capvars;
  int range_depth;
  int action_line;
  jmp_buf jb;
  tmpl_error *err;
  int nest; /* parenthesis / control nesting */
  /* this Parse call's tree set */
  ttree **set;
  int nset, capset;
} parser;

static void perrorf(parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void perrorf(parser *p, const char *fmt, ...) {
  if (p->err) {
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tmpl_msgf(p->err->msg, sizeof p->err->msg, "template: %s:%d: %s", p->parse_name,
              p->token[0].line, msg);
    p->err->code = TMPL_EPARSE;
  }
  longjmp(p->jb, 1);
}

static litem lex_next(parser *p) {
  if (p->ipos < p->nitems) return p->items[p->ipos++];
  return p->items[p->nitems - 1]; /* EOF/ERROR repeats */
}

static litem next(parser *p) {
  if (p->peek_count > 0)
    p->peek_count--;
  else
    p->token[0] = lex_next(p);
  return p->token[p->peek_count];
}
static void backup(parser *p) {
  p->peek_count++;
}
static void backup2(parser *p, litem t1) {
  p->token[1] = t1;
  p->peek_count = 2;
}
static void backup3(parser *p, litem t2, litem t1) {
  p->token[1] = t1;
  p->token[2] = t2;
  p->peek_count = 3;
}
static litem peek(parser *p) {
  if (p->peek_count > 0) return p->token[p->peek_count - 1];
  p->peek_count = 1;
  p->token[0] = lex_next(p);
  return p->token[0];
}
static litem next_non_space(parser *p) {
  litem t;
  for (;;) {
    t = next(p);
    if (t.typ != IT_SPACE) break;
  }
  return t;
}
static litem peek_non_space(parser *p) {
  litem t = next_non_space(p);
  backup(p);
  return t;
}

/* item.String() */
static void item_string(sb *b, litem it) {
  if (it.typ == IT_EOF) {
    sb_puts(b, "EOF");
    return;
  }
  if (it.typ == IT_ERROR) {
    sb_putn(b, it.val, it.len);
    return;
  }
  if (it.typ > IT_KEYWORD) {
    sb_putc(b, '<');
    sb_putn(b, it.val, it.len);
    sb_putc(b, '>');
    return;
  }
  size_t nr = utf8_count(it.val, it.len);
  if (nr > 10) {
    /* %.10q: first 10 runes, quoted, then "..." */
    size_t i = 0, r = 0;
    while (i < it.len && r < 10) {
      int32_t c;
      i += (size_t)utf8_decode(it.val + i, it.len - i, &c);
      r++;
    }
    gofmt_quote(b, it.val, i);
    sb_puts(b, "...");
    return;
  }
  gofmt_quote(b, it.val, it.len);
}

static void unexpected(parser *p, litem tok, const char *context) __attribute__((noreturn));
static void unexpected(parser *p, litem tok, const char *context) {
  sb b = {0};
  if (tok.typ == IT_ERROR) {
    item_string(&b, tok);
    if (p->action_line != 0 && p->action_line != tok.line) {
      bool ends_action = tok.len >= 7 && !memcmp(tok.val + tok.len - 7, " action", 7);
      sb_printf(&b, "%s %s:%d", ends_action ? "" : " in action", "started at", 0);
      /* rebuild precisely */
      b.n = 0;
      item_string(&b, tok);
      if (ends_action)
        sb_printf(&b, " started at %s:%d", p->parse_name, p->action_line);
      else
        sb_printf(&b, " in action started at %s:%d", p->parse_name, p->action_line);
    }
    char tmp[2048];
    tmpl_msgf(tmp, sizeof tmp, "%s", b.p ? b.p : "");
    sb_free(&b);
    perrorf(p, "%s", tmp);
  }
  item_string(&b, tok);
  char tmp[2048];
  tmpl_msgf(tmp, sizeof tmp, "%s", b.p ? b.p : "");
  sb_free(&b);
  perrorf(p, "unexpected %s in %s", tmp, context);
}

static litem expect(parser *p, itype t, const char *context) {
  litem tok = next_non_space(p);
  if (tok.typ != t) unexpected(p, tok, context);
  return tok;
}

/* ---------------- nodes ---------------- */
static tnode *newnode(parser *p, ntype t, int pos) {
  tnode *n = th_alloc(p->h, sizeof *n);
  n->type = t;
  n->pos = pos;
  n->tree = p->t;
  return n;
}

static void addkid(parser *p, tnode *n, tnode *k) {
  if (n->nkids == n->capkids) {
    int nc = n->capkids ? n->capkids * 2 : 4;
    tnode **nk = th_alloc(p->h, (size_t)nc * sizeof *nk);
    if (n->nkids) memcpy(nk, n->kids, (size_t)n->nkids * sizeof *nk);
    n->kids = nk;
    n->capkids = nc;
  }
  n->kids[n->nkids++] = k;
}

static void split_ident(parser *p, tnode *n, const char *s, size_t len) {
  /* strings.Split(ident, ".") */
  int cnt = 1;
  for (size_t i = 0; i < len; i++)
    cnt += s[i] == '.';
  n->ident = th_alloc(p->h, (size_t)cnt * sizeof(char *));
  size_t st = 0;
  for (size_t i = 0; i <= len; i++)
    if (i == len || s[i] == '.') {
      n->ident[n->nident++] = th_strndup(p->h, s + st, i - st);
      st = i + 1;
    }
}

static tnode *new_variable(parser *p, int pos, const char *s, size_t len) {
  tnode *n = newnode(p, N_VAR, pos);
  split_ident(p, n, s, len);
  return n;
}

static tnode *new_field(parser *p, int pos, const char *s, size_t len) {
  tnode *n = newnode(p, N_FIELD, pos);
  split_ident(p, n, s + 1, len - 1); /* drop leading '.' */
  return n;
}

static void push_var(parser *p, const char *s, size_t n) {
  if (p->nvars == p->capvars) {
    p->capvars = p->capvars ? p->capvars * 2 : 16;
    char **nv = th_alloc(p->h, (size_t)p->capvars * sizeof *nv);
    if (p->nvars) memcpy(nv, p->vars, (size_t)p->nvars * sizeof *nv);
    p->vars = nv;
  }
  p->vars[p->nvars++] = th_strndup(p->h, s, n);
}

/* strconv.ParseUint/ParseInt with base 0 (Go literal syntax) */
static int parse_go_int(const char *s, size_t n, bool *neg, uint64_t *out) {
  size_t i = 0;
  *neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    *neg = s[i] == '-';
    i++;
  }
  int base = 10;
  bool prefixed = false;
  if (i + 1 < n && s[i] == '0') {
    char c = s[i + 1] | 0x20;
    if (c == 'x') {
      base = 16;
      i += 2;
      prefixed = true;
    } else if (c == 'o') {
      base = 8;
      i += 2;
      prefixed = true;
    } else if (c == 'b') {
      base = 2;
      i += 2;
      prefixed = true;
    } else {
      base = 8;
      i += 1;
      prefixed = true;
    }
  }
  if (i >= n && !(prefixed && base == 8)) return -1;
  uint64_t v = 0;
  bool any = prefixed && base == 8;
  char last = prefixed ? '_' : 0;
  for (; i < n; i++) {
    char c = s[i];
    if (c == '_') {
      if (last == '_') return -1;
      last = '_';
      continue;
    }
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      return -1;
    if (d >= base) return -1;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return -2; /* overflow */
    v = v * (uint64_t)base + (uint64_t)d;
    any = true;
    last = c;
  }
  if (!any || last == '_') return -1;
  *out = v;
  return 0;
}

static tnode *new_number(parser *p, litem tok) {
  tnode *n = newnode(p, N_NUMBER, tok.pos);
  n->quoted = th_strndup(p->h, tok.val, tok.len);
  const char *s = tok.val;
  size_t len = tok.len;
  if (tok.typ == IT_CHAR_CONSTANT) {
    sb b = {0};
    if (go_unquote(s, len, &b) != 0) {
      sb_free(&b);
      perrorf(p, "invalid syntax");
    }
    int32_t r;
    if (b.n == 0)
      r = 0;
    else
      utf8_decode(b.p, b.n, &r);
    /* single byte escapes like '\xff' yield that byte value */
    if (b.n == 1) r = (unsigned char)b.p[0];
    sb_free(&b);
    n->is_int = n->is_uint = n->is_float = true;
    n->ival = r;
    n->uval = (uint64_t)r;
    n->fval = r;
    return n;
  }
  if (tok.typ == IT_COMPLEX) perrorf(p, "complex constants are not supported");
  bool neg;
  uint64_t u;
  int rc = parse_go_int(s, len, &neg, &u);
  if (rc == 0) {
    if (!neg) {
      n->is_uint = true;
      n->uval = u;
      if (u <= (uint64_t)INT64_MAX) {
        n->is_int = true;
        n->ival = (int64_t)u;
      }
    } else {
      if (u <= (uint64_t)INT64_MAX + 1) {
        n->is_int = true;
        n->ival = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
        if (n->ival == 0) {
          n->is_uint = true;
          n->uval = 0;
        }
      }
    }
  }
  if (n->is_int) {
    n->is_float = true;
    n->fval = (double)n->ival;
  } else if (n->is_uint) {
    n->is_float = true;
    n->fval = (double)n->uval;
  } else {
    /* ParseFloat: strip underscores (Go allows them only with base prefix,
     * accept loosely) */
    char buf[128];
    size_t bn = 0;
    bool bad = false;
    for (size_t i = 0; i < len && bn + 1 < sizeof buf; i++) {
      if (s[i] == '_') continue;
      if (s[i] == 'i') bad = true;
      buf[bn++] = s[i];
    }
    buf[bn] = 0;
    char *end;
    errno = 0;
    double f = strtod(buf, &end);
    bool hexf = bn > 2 && (buf[0] == '0' || buf[1] == '0') && strpbrk(buf, "xX");
    if (!bad && bn && *end == 0 && !(hexf && !strpbrk(buf, "pP")) &&
        !(errno == ERANGE && isinf(f))) {
      if (!memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len) &&
          !memchr(s, 'p', len) && !memchr(s, 'P', len))
        perrorf(p, "integer overflow: \"%.*s\"", (int)len, s);
      n->is_float = true;
      n->fval = f;
      if (f == trunc(f) && fabs(f) < 9.2e18) {
        n->is_int = true;
        n->ival = (int64_t)f;
      }
      if (f == trunc(f) && f >= 0 && f < 1.8e19) {
        n->is_uint = true;
        n->uval = (uint64_t)f;
      }
    }
  }
  if (!n->is_int && !n->is_uint && !n->is_float)
    perrorf(p, "illegal number syntax: \"%.*s\"", (int)len, s);
  return n;
}

static tnode *new_string(parser *p, litem tok) {
  sb b = {0};
  if (go_unquote(tok.val, tok.len, &b) != 0) {
    sb_free(&b);
    perrorf(p, "invalid syntax");
  }
  tnode *n = newnode(p, N_STRING, tok.pos);
  n->quoted = th_strndup(p->h, tok.val, tok.len);
  n->text = th_strndup(p->h, b.p ? b.p : "", b.n);
  n->textlen = b.n;
  sb_free(&b);
  return n;
}

/* ---------------- grammar ---------------- */
static tnode *pipeline(parser *p, const char *context, itype end);
static tnode *item_list(parser *p, tnode **next_out);
static tnode *if_control(parser *p);
static tnode *with_control(parser *p);

static void add_tree(parser *p, ttree *t) {
  for (int i = 0; i < p->nset; i++)
    if (!strcmp(p->set[i]->name, t->name)) {
      if (tree_is_empty(p->set[i]->root)) {
        p->set[i] = t;
        return;
      }
      if (!tree_is_empty(t->root))
        perrorf(p, "template: multiple definition of template \"%s\"", t->name);
      return;
    }
  if (p->nset == p->capset) {
    p->capset = p->capset ? p->capset * 2 : 8;
    ttree **ns = th_alloc(p->h, (size_t)p->capset * sizeof *ns);
    if (p->nset) memcpy(ns, p->set, (size_t)p->nset * sizeof *ns);
    p->set = ns;
  }
  p->set[p->nset++] = t;
}

static tnode *term(parser *p) {
  litem tok = next_non_space(p);
  switch (tok.typ) {
  case IT_IDENTIFIER: {
    if (!tmpl_find_func_len(tok.val, tok.len))
      perrorf(p, "function \"%.*s\" not defined", (int)tok.len, tok.val);
    tnode *n = newnode(p, N_IDENT, tok.pos);
    n->ident = th_alloc(p->h, sizeof(char *));
    n->ident[0] = th_strndup(p->h, tok.val, tok.len);
    n->nident = 1;
    return n;
  }
  case IT_DOT:
    return newnode(p, N_DOT, tok.pos);
  case IT_NIL:
    return newnode(p, N_NIL, tok.pos);
  case IT_VARIABLE: {
    tnode *v = new_variable(p, tok.pos, tok.val, tok.len);
    for (int i = 0; i < p->nvars; i++)
      if (!strcmp(p->vars[i], v->ident[0])) return v;
    perrorf(p, "undefined variable \"%s\"", v->ident[0]);
  }
  case IT_FIELD:
    return new_field(p, tok.pos, tok.val, tok.len);
  case IT_BOOL: {
    tnode *n = newnode(p, N_BOOL, tok.pos);
    n->bval = tok.len == 4;
    return n;
  }
  case IT_CHAR_CONSTANT:
  case IT_COMPLEX:
  case IT_NUMBER:
    return new_number(p, tok);
  case IT_LEFT_PAREN: {
    if (++p->nest > 1000) perrorf(p, "max nesting depth exceeded");
    tnode *r = pipeline(p, "parenthesized pipeline", IT_RIGHT_PAREN);
    p->nest--;
    return r;
  }
  case IT_STRING:
  case IT_RAW_STRING:
    return new_string(p, tok);
  default:
    break;
  }
  backup(p);
  return NULL;
}

static tnode *operand(parser *p) {
  tnode *node = term(p);
  if (!node) return NULL;
  if (peek(p).typ == IT_FIELD) {
    tnode *chain = newnode(p, N_CHAIN, peek(p).pos);
    chain->node = node;
    int cap = 0;
    while (peek(p).typ == IT_FIELD) {
      litem f = next(p);
      if (chain->nident == cap) {
        cap = cap ? cap * 2 : 4;
        char **ni = th_alloc(p->h, (size_t)cap * sizeof *ni);
        if (chain->nident) memcpy(ni, chain->ident, (size_t)chain->nident * sizeof *ni);
        chain->ident = ni;
      }
      chain->ident[chain->nident++] = th_strndup(p->h, f.val + 1, f.len - 1);
    }
    switch (node->type) {
    case N_FIELD:
    case N_VAR: {
      sb b = {0};
      node_string(&b, chain);
      tnode *n = node->type == N_FIELD ? new_field(p, chain->pos, b.p, b.n)
                                       : new_variable(p, chain->pos, b.p, b.n);
      sb_free(&b);
      return n;
    }
    case N_BOOL:
    case N_STRING:
    case N_NUMBER:
    case N_NIL:
    case N_DOT: {
      sb b = {0};
      node_string(&b, node);
      sb q = {0};
      gofmt_quote(&q, b.p ? b.p : "", b.n);
      char tmp[1024];
      tmpl_msgf(tmp, sizeof tmp, "%s", q.p);
      sb_free(&b);
      sb_free(&q);
      perrorf(p, "unexpected . after term %s", tmp);
    }
    default:
      return chain;
    }
  }
  return node;
}

static tnode *command(parser *p) {
  tnode *cmd = newnode(p, N_COMMAND, peek_non_space(p).pos);
  for (;;) {
    peek_non_space(p);
    tnode *op = operand(p);
    if (op) addkid(p, cmd, op);
    litem tok = next(p);
    switch (tok.typ) {
    case IT_SPACE:
      continue;
    case IT_RIGHT_DELIM:
    case IT_RIGHT_PAREN:
      backup(p);
      break;
    case IT_PIPE:
      break;
    default:
      unexpected(p, tok, "operand");
    }
    break;
  }
  if (cmd->nkids == 0) perrorf(p, "empty command");
  return cmd;
}

static void check_pipeline(parser *p, tnode *pipe, const char *context) {
  if (pipe->nkids == 0) perrorf(p, "missing value for %s", context);
  for (int i = 1; i < pipe->nkids; i++) {
    switch (pipe->kids[i]->kids[0]->type) {
    case N_BOOL:
    case N_DOT:
    case N_NIL:
    case N_NUMBER:
    case N_STRING:
      perrorf(p, "non executable command in pipeline stage %d", i + 1);
    default:
      break;
    }
  }
}

static void add_decl(parser *p, tnode *pipe, tnode *v) {
  tnode **nd = th_alloc(p->h, (size_t)(pipe->ndecl + 1) * sizeof *nd);
  if (pipe->ndecl) memcpy(nd, pipe->decl, (size_t)pipe->ndecl * sizeof *nd);
  nd[pipe->ndecl++] = v;
  pipe->decl = nd;
}

static tnode *pipeline(parser *p, const char *context, itype end) {
  litem tok = peek_non_space(p);
  tnode *pipe = newnode(p, N_PIPE, tok.pos);
  pipe->line = tok.line;
decls:;
  litem v = peek_non_space(p);
  if (v.typ == IT_VARIABLE) {
    next(p);
    litem after = peek(p);
    litem nx = peek_non_space(p);
    if (nx.typ == IT_ASSIGN || nx.typ == IT_DECLARE) {
      pipe->is_assign = nx.typ == IT_ASSIGN;
      next_non_space(p);
      add_decl(p, pipe, new_variable(p, v.pos, v.val, v.len));
      push_var(p, v.val, v.len);
    } else if (nx.typ == IT_CHAR && nx.len == 1 && nx.val[0] == ',') {
      next_non_space(p);
      add_decl(p, pipe, new_variable(p, v.pos, v.val, v.len));
      push_var(p, v.val, v.len);
      if (!strcmp(context, "range") && pipe->ndecl < 2) {
        switch (peek_non_space(p).typ) {
        case IT_VARIABLE:
        case IT_RIGHT_DELIM:
        case IT_RIGHT_PAREN:
          goto decls;
        default:
          perrorf(p, "range can only initialize variables");
        }
      }
      perrorf(p, "too many declarations in %s", context);
    } else if (after.typ == IT_SPACE) {
      backup3(p, v, after);
    } else {
      backup2(p, v);
    }
  }
  for (;;) {
    litem t = next_non_space(p);
    if (t.typ == end) {
      check_pipeline(p, pipe, context);
      return pipe;
    }
    switch (t.typ) {
    case IT_BOOL:
    case IT_CHAR_CONSTANT:
    case IT_COMPLEX:
    case IT_DOT:
    case IT_FIELD:
    case IT_IDENTIFIER:
    case IT_NUMBER:
    case IT_NIL:
    case IT_RAW_STRING:
    case IT_STRING:
    case IT_VARIABLE:
    case IT_LEFT_PAREN:
      backup(p);
      addkid(p, pipe, command(p));
      break;
    default:
      unexpected(p, t, context);
    }
  }
}

static tnode *parse_control(parser *p, ntype type, const char *context) {
  if (++p->nest > 1000) perrorf(p, "max nesting depth exceeded");
  int saved_vars = p->nvars;
  tnode *pipe = pipeline(p, context, IT_RIGHT_DELIM);
  if (type == N_RANGE) p->range_depth++;
  tnode *nx;
  tnode *list = item_list(p, &nx);
  if (type == N_RANGE) p->range_depth--;
  tnode *elselist = NULL;
  if (nx->type == N_ELSE) {
    if (type == N_IF && peek(p).typ == IT_IF) {
      next(p);
      elselist = newnode(p, N_LIST, nx->pos);
      addkid(p, elselist, if_control(p));
    } else if (type == N_WITH && peek(p).typ == IT_WITH) {
      next(p);
      elselist = newnode(p, N_LIST, nx->pos);
      addkid(p, elselist, with_control(p));
    } else {
      elselist = item_list(p, &nx);
      if (nx->type != N_END) {
        sb b = {0};
        node_string(&b, nx);
        char tmp[256];
        tmpl_msgf(tmp, sizeof tmp, "%s", b.p);
        sb_free(&b);
        perrorf(p, "expected end; found %s", tmp);
      }
    }
  }
  p->nvars = saved_vars;
  p->nest--;
  tnode *n = newnode(p, type, pipe->pos);
  n->line = pipe->line;
  n->pipe = pipe;
  n->list = list;
  n->elselist = elselist;
  return n;
}

static tnode *if_control(parser *p) {
  return parse_control(p, N_IF, "if");
}
static tnode *with_control(parser *p) {
  return parse_control(p, N_WITH, "with");
}

static char *parse_template_name(parser *p, litem tok, const char *context) {
  if (tok.typ != IT_STRING && tok.typ != IT_RAW_STRING) unexpected(p, tok, context);
  sb b = {0};
  if (go_unquote(tok.val, tok.len, &b) != 0) {
    sb_free(&b);
    perrorf(p, "invalid syntax");
  }
  char *s = th_strndup(p->h, b.p ? b.p : "", b.n);
  sb_free(&b);
  return s;
}

static ttree *new_tree(parser *p, const char *name) {
  ttree *t = th_alloc(p->h, sizeof *t);
  t->name = th_strdup(p->h, name);
  t->parse_name = p->parse_name;
  t->text = p->text;
  t->textlen = p->textlen;
  return t;
}

static tnode *action(parser *p);

static tnode *text_or_action(parser *p) {
  litem tok = next_non_space(p);
  switch (tok.typ) {
  case IT_TEXT: {
    tnode *n = newnode(p, N_TEXT, tok.pos);
    n->text = th_strndup(p->h, tok.val, tok.len);
    n->textlen = tok.len;
    return n;
  }
  case IT_LEFT_DELIM: {
    p->action_line = tok.line;
    tnode *n = action(p);
    p->action_line = 0;
    return n;
  }
  case IT_COMMENT:
    return newnode(p, N_COMMENT, tok.pos);
  default:
    unexpected(p, tok, "input");
  }
}

static tnode *item_list(parser *p, tnode **next_out) {
  tnode *list = newnode(p, N_LIST, peek_non_space(p).pos);
  while (peek_non_space(p).typ != IT_EOF) {
    tnode *n = text_or_action(p);
    if (n->type == N_END || n->type == N_ELSE) {
      *next_out = n;
      return list;
    }
    addkid(p, list, n);
  }
  perrorf(p, "unexpected EOF");
}

static tnode *template_node(parser *p, int pos, int line, const char *name, tnode *pipe) {
  tnode *n = newnode(p, N_TEMPLATE, pos);
  n->line = line;
  n->text = (char *)name;
  n->textlen = strlen(name);
  n->pipe = pipe;
  return n;
}

static tnode *action(parser *p) {
  litem tok = next_non_space(p);
  switch (tok.typ) {
  case IT_BLOCK: {
    /* parse like blockControl, keeping the outer variable scope */
    const char *context = "block clause";
    litem nt = next_non_space(p);
    char *name = parse_template_name(p, nt, context);
    tnode *pipe = pipeline(p, context, IT_RIGHT_DELIM);
    char **ovars = p->vars;
    int onv = p->nvars, ocv = p->capvars;
    ttree *saved = p->t;
    int saved_rd = p->range_depth;
    ttree *block = new_tree(p, name);
    p->t = block;
    p->vars = NULL;
    p->nvars = p->capvars = 0;
    push_var(p, "$", 1);
    p->range_depth = 0;
    tnode *end;
    block->root = item_list(p, &end);
    if (end->type != N_END) {
      sb b = {0};
      node_string(&b, end);
      char tmp[256];
      tmpl_msgf(tmp, sizeof tmp, "%s", b.p);
      sb_free(&b);
      perrorf(p, "unexpected %s in %s", tmp, context);
    }
    add_tree(p, block);
    p->t = saved;
    p->vars = ovars;
    p->nvars = onv;
    p->capvars = ocv;
    p->range_depth = saved_rd;
    return template_node(p, nt.pos, nt.line, name, pipe);
  }
  case IT_BREAK:
  case IT_CONTINUE: {
    bool brk = tok.typ == IT_BREAK;
    litem t2 = next_non_space(p);
    if (t2.typ != IT_RIGHT_DELIM) unexpected(p, t2, brk ? "{{break}}" : "{{continue}}");
    if (p->range_depth == 0) perrorf(p, "%s outside {{range}}", brk ? "{{break}}" : "{{continue}}");
    tnode *n = newnode(p, brk ? N_BREAK : N_CONTINUE, tok.pos);
    n->line = tok.line;
    return n;
  }
  case IT_ELSE: {
    litem pk = peek_non_space(p);
    if (pk.typ == IT_IF || pk.typ == IT_WITH) return newnode(p, N_ELSE, pk.pos);
    litem t2 = expect(p, IT_RIGHT_DELIM, "else");
    return newnode(p, N_ELSE, t2.pos);
  }
  case IT_END: {
    litem t2 = expect(p, IT_RIGHT_DELIM, "end");
    return newnode(p, N_END, t2.pos);
  }
  case IT_IF:
    return if_control(p);
  case IT_RANGE:
    return parse_control(p, N_RANGE, "range");
  case IT_WITH:
    return with_control(p);
  case IT_TEMPLATE: {
    const char *context = "template clause";
    litem nt = next_non_space(p);
    char *name = parse_template_name(p, nt, context);
    tnode *pipe = NULL;
    if (next_non_space(p).typ != IT_RIGHT_DELIM) {
      backup(p);
      pipe = pipeline(p, context, IT_RIGHT_DELIM);
    }
    return template_node(p, nt.pos, nt.line, name, pipe);
  }
  default:
    break;
  }
  backup(p);
  litem t = peek(p);
  tnode *n = newnode(p, N_ACTION, t.pos);
  n->line = t.line;
  n->pipe = pipeline(p, "command", IT_RIGHT_DELIM);
  return n;
}

static void parse_definition(parser *p) {
  const char *context = "define clause";
  litem name = next_non_space(p);
  if (name.typ != IT_STRING && name.typ != IT_RAW_STRING) unexpected(p, name, context);
  sb b = {0};
  if (go_unquote(name.val, name.len, &b) != 0) {
    sb_free(&b);
    perrorf(p, "invalid syntax");
  }
  ttree *t = new_tree(p, b.p ? b.p : "");
  sb_free(&b);
  ttree *saved = p->t;
  char **ovars = p->vars;
  int onv = p->nvars, ocv = p->capvars;
  p->t = t;
  p->vars = NULL;
  p->nvars = p->capvars = 0;
  push_var(p, "$", 1);
  p->range_depth = 0;
  expect(p, IT_RIGHT_DELIM, context);
  tnode *end;
  t->root = item_list(p, &end);
  if (end->type != N_END) {
    sb e = {0};
    node_string(&e, end);
    char tmp[256];
    tmpl_msgf(tmp, sizeof tmp, "%s", e.p);
    sb_free(&e);
    perrorf(p, "unexpected %s in %s", tmp, context);
  }
  add_tree(p, t);
  p->t = saved;
  p->vars = ovars;
  p->nvars = onv;
  p->capvars = ocv;
}

static void parse_top(parser *p) {
  p->t->root = newnode(p, N_LIST, peek(p).pos);
  while (peek(p).typ != IT_EOF) {
    if (peek(p).typ == IT_LEFT_DELIM) {
      litem delim = next(p);
      if (next_non_space(p).typ == IT_DEFINE) {
        parse_definition(p);
        continue;
      }
      backup2(p, delim);
    }
    tnode *n = text_or_action(p);
    if (n->type == N_END || n->type == N_ELSE) {
      sb b = {0};
      node_string(&b, n);
      char tmp[256];
      tmpl_msgf(tmp, sizeof tmp, "%s", b.p);
      sb_free(&b);
      perrorf(p, "unexpected %s", tmp);
    }
    addkid(p, p->t->root, n);
  }
}

int tmpl_parse_text(tmpl_heap *h, const char *name, const char *text, size_t len, tree_add_fn add,
                    void *ud, tmpl_error *err) {
  parser p = {0};
  p.h = h;
  p.err = err;
  p.parse_name = th_strdup(h, name);
  char *owned = th_strndup(h, text, len);
  p.text = owned;
  p.textlen = len;
  p.items = tmpl_lex(owned, len, &p.nitems);
  if (p.nitems == 0) {
    /* cannot happen: the lexer always ends with EOF or ERROR */
    free(p.items);
    return TMPL_EPARSE;
  }
  if (setjmp(p.jb)) {
    tmpl_lex_free(p.items, p.nitems);
    return TMPL_EPARSE;
  }
  p.t = new_tree(&p, name);
  push_var(&p, "$", 1);
  parse_top(&p);
  add_tree(&p, p.t);
  tmpl_lex_free(p.items, p.nitems);
  p.items = NULL;
  char ebuf[1024];
  for (int i = 0; i < p.nset; i++) {
    ebuf[0] = 0;
    if (add(ud, p.set[i], ebuf, sizeof ebuf) != 0) {
      if (err) {
        tmpl_msgf(err->msg, sizeof err->msg, "%s", ebuf);
        err->code = TMPL_EPARSE;
      }
      return TMPL_EPARSE;
    }
  }
  return 0;
}

bool tree_is_empty(const tnode *n) {
  if (!n) return true;
  switch (n->type) {
  case N_COMMENT:
    return true;
  case N_LIST:
    for (int i = 0; i < n->nkids; i++)
      if (!tree_is_empty(n->kids[i])) return false;
    return true;
  case N_TEXT:
    for (size_t i = 0; i < n->textlen; i++) {
      unsigned char c = (unsigned char)n->text[i];
      if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'))
        return false;
    }
    return true;
  default:
    return false;
  }
}
