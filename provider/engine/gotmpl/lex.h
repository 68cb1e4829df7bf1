/* Lexer items (Go's text/template/parse itemType). Internal. */
#ifndef GITOPS_ENGINE_GOTMPL_LEX_H
#define GITOPS_ENGINE_GOTMPL_LEX_H

#include "engine/gotmpl/tmpl_internal.h"

typedef enum {
  IT_ERROR,
  IT_BOOL,
  IT_CHAR,
  IT_CHAR_CONSTANT,
  IT_COMMENT,
  IT_COMPLEX,
  IT_ASSIGN,
  IT_DECLARE,
  IT_EOF,
  IT_FIELD,
  IT_IDENTIFIER,
  IT_LEFT_DELIM,
  IT_LEFT_PAREN,
  IT_NUMBER,
  IT_PIPE,
  IT_RAW_STRING,
  IT_RIGHT_DELIM,
  IT_RIGHT_PAREN,
  IT_SPACE,
  IT_STRING,
  IT_TEXT,
  IT_VARIABLE,
  IT_KEYWORD,
  IT_BLOCK,
  IT_BREAK,
  IT_CONTINUE,
  IT_DOT,
  IT_DEFINE,
  IT_ELSE,
  IT_END,
  IT_IF,
  IT_NIL,
  IT_RANGE,
  IT_TEMPLATE,
  IT_WITH
} itype;

typedef struct litem {
  itype typ;
  int pos;
  const char *val; /* points into the input (IT_ERROR: malloc'ed message) */
  size_t len;
  int line;
} litem;

/* Lex the whole input; the last item is IT_EOF or IT_ERROR. */
litem *tmpl_lex(const char *in, size_t n, size_t *nitems);
void tmpl_lex_free(litem *items, size_t n);

#endif
