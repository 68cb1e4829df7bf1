/* Node.String() and ErrorContext, as Go's text/template/parse/node.go. */
#include "engine/gotmpl/tmpl_internal.h"

static void pipe_string(sb *b, const tnode *p);

static void cmd_string(sb *b, const tnode *c) {
  for (int i = 0; i < c->nkids; i++) {
    if (i > 0) sb_putc(b, ' ');
    if (c->kids[i]->type == N_PIPE) {
      sb_putc(b, '(');
      pipe_string(b, c->kids[i]);
      sb_putc(b, ')');
      continue;
    }
    node_string(b, c->kids[i]);
  }
}

static void pipe_string(sb *b, const tnode *p) {
  if (!p) return;
  if (p->ndecl > 0) {
    for (int i = 0; i < p->ndecl; i++) {
      if (i > 0) sb_puts(b, ", ");
      node_string(b, p->decl[i]);
    }
    sb_puts(b, p->is_assign ? " = " : " := ");
  }
  for (int i = 0; i < p->nkids; i++) {
    if (i > 0) sb_puts(b, " | ");
    cmd_string(b, p->kids[i]);
  }
}

static void branch_string(sb *b, const char *name, const tnode *n) {
  sb_printf(b, "{{%s ", name);
  pipe_string(b, n->pipe);
  sb_puts(b, "}}");
  node_string(b, n->list);
  if (n->elselist) {
    sb_puts(b, "{{else}}");
    node_string(b, n->elselist);
  }
  sb_puts(b, "{{end}}");
}

void node_string(sb *b, const tnode *n) {
  if (!n) return;
  switch (n->type) {
  case N_LIST:
    for (int i = 0; i < n->nkids; i++)
      node_string(b, n->kids[i]);
    break;
  case N_TEXT:
    gofmt_quote(b, n->text, n->textlen);
    break;
  case N_COMMENT:
    sb_puts(b, "{{/* */}}");
    break;
  case N_ACTION:
    sb_puts(b, "{{");
    pipe_string(b, n->pipe);
    sb_puts(b, "}}");
    break;
  case N_PIPE:
    pipe_string(b, n);
    break;
  case N_COMMAND:
    cmd_string(b, n);
    break;
  case N_IDENT:
    sb_puts(b, n->ident[0]);
    break;
  case N_VAR:
    for (int i = 0; i < n->nident; i++) {
      if (i > 0) sb_putc(b, '.');
      sb_puts(b, n->ident[i]);
    }
    break;
  case N_FIELD:
    for (int i = 0; i < n->nident; i++) {
      sb_putc(b, '.');
      sb_puts(b, n->ident[i]);
    }
    break;
  case N_CHAIN:
    if (n->node->type == N_PIPE) {
      sb_putc(b, '(');
      pipe_string(b, n->node);
      sb_putc(b, ')');
    } else
      node_string(b, n->node);
    for (int i = 0; i < n->nident; i++) {
      sb_putc(b, '.');
      sb_puts(b, n->ident[i]);
    }
    break;
  case N_DOT:
    sb_putc(b, '.');
    break;
  case N_NIL:
    sb_puts(b, "nil");
    break;
  case N_BOOL:
    sb_puts(b, n->bval ? "true" : "false");
    break;
  case N_NUMBER:
  case N_STRING:
    sb_puts(b, n->quoted);
    break;
  case N_IF:
    branch_string(b, "if", n);
    break;
  case N_RANGE:
    branch_string(b, "range", n);
    break;
  case N_WITH:
    branch_string(b, "with", n);
    break;
  case N_TEMPLATE:
    sb_puts(b, "{{template ");
    gofmt_quote(b, n->text, n->textlen);
    if (n->pipe) {
      sb_putc(b, ' ');
      pipe_string(b, n->pipe);
    }
    sb_puts(b, "}}");
    break;
  case N_BREAK:
    sb_puts(b, "{{break}}");
    break;
  case N_CONTINUE:
    sb_puts(b, "{{continue}}");
    break;
  case N_END:
    sb_puts(b, "{{end}}");
    break;
  case N_ELSE:
    sb_puts(b, "{{else}}");
    break;
  }
}

void node_location(sb *b, const tnode *n) {
  const ttree *t = n->tree;
  size_t pos = (size_t)n->pos;
  if (pos > t->textlen) pos = t->textlen;
  int line = 1;
  long last_nl = -1;
  for (size_t i = 0; i < pos; i++)
    if (t->text[i] == '\n') {
      line++;
      last_nl = (long)i;
    }
  long col = last_nl < 0 ? (long)pos : (long)pos - (last_nl + 1);
  sb_printf(b, "%s:%d:%ld", t->parse_name, line, col);
}
