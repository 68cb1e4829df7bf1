/* engine/manifest — libyaml events -> one node tree per document, with
 * anchors resolved as go-yaml's parser does (per document, registered
 * before a collection's children, later definitions win). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "engine/manifest/mf_yaml.h"

typedef struct tree {
  mf_node *all;    /* every node, for freeing */
  mf_node **stack; /* open collections */
  size_t depth, cap;
  mf_node *root;
  mf_strmap anchors;
} tree;

static void tree_reset(tree *t) {
  mf_node *n = t->all, *next;
  for (; n; n = next) {
    next = n->next_alloc;
    free(n->tag);
    free(n->value);
    free(n->kids);
    free(n);
  }
  t->all = NULL;
  t->depth = 0;
  t->root = NULL;
  mf_strmap_free(&t->anchors);
}

static char *dupn(const void *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    if (n) memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

static mf_node *new_node(tree *t, mf_nkind kind, const yaml_event_t *ev) {
  mf_node *n = calloc(1, sizeof(*n));
  if (!n) return NULL;
  n->kind = kind;
  n->line = (int)ev->start_mark.line + 1;
  n->col = (int)ev->start_mark.column + 1;
  n->next_alloc = t->all;
  t->all = n;
  return n;
}

static bool add_kid(mf_node *p, mf_node *k) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 4;
    mf_node **kids = realloc(p->kids, cap * sizeof(*kids));
    if (!kids) return false;
    p->kids = kids;
    p->cap = cap;
  }
  p->kids[p->n++] = k;
  return true;
}

static int place(tree *t, mf_node *n) {
  if (t->depth == 0) {
    t->root = n;
    return 0;
  }
  return add_kid(t->stack[t->depth - 1], n) ? 0 : MF_ENOMEM;
}

static int set_anchor(tree *t, const yaml_char_t *anchor, mf_node *n) {
  if (!anchor) return 0;
  const char *a = (const char *)anchor;
  mf_strmap_ent *e = mf_strmap_put(&t->anchors, a, strlen(a), NULL);
  if (!e) return MF_ENOMEM;
  e->ptr = n;
  return 0;
}

static int syntax_error(const yaml_parser_t *p, const char *file, mf_error *err) {
  int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
  const char *problem = p->problem ? p->problem : "unknown problem parsing YAML content";
  if (p->error == YAML_MEMORY_ERROR) return mf_err_oom(err, file);
  if (p->context && (p->context_mark.line != p->problem_mark.line ||
                     p->context_mark.column != p->problem_mark.column))
    return mf_err_set(err, MF_ESYNTAX, file, line, col,
                      "error converting YAML to JSON: yaml: line %d: %s (%s at line %d, column %d)",
                      line, problem, p->context, (int)p->context_mark.line + 1,
                      (int)p->context_mark.column + 1);
  return mf_err_set(err, MF_ESYNTAX, file, line, col,
                    "error converting YAML to JSON: yaml: line %d: %s", line, problem);
}

typedef struct run {
  const char *file;
  const mf_parse_opts *opts;
  mf_error *err;
  tree t;
  int doc_line;
  size_t docs;
} run;

static int on_event(run *r, yaml_event_t *ev, mf_doc_cb cb, void *ctx, mf_decoder *dec) {
  tree *t = &r->t;
  mf_node *n = NULL;
  int rc;
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    tree_reset(t);
    r->doc_line = (int)ev->start_mark.line + 1;
    return 0;
  case YAML_DOCUMENT_END_EVENT:
    r->docs++;
    if (r->opts->max_docs && r->docs > r->opts->max_docs)
      return mf_err_set(r->err, MF_ELIMIT, r->file, r->doc_line, 0,
                        "more than %zu documents in one stream", r->opts->max_docs);
    rc = cb(ctx, dec, t->root, r->doc_line);
    tree_reset(t);
    return rc;
  case YAML_ALIAS_EVENT: {
    n = new_node(t, MF_N_ALIAS, ev);
    if (!n) return mf_err_oom(r->err, r->file);
    const char *a = (const char *)ev->data.alias.anchor;
    n->value = dupn(a, strlen(a));
    if (!n->value) return mf_err_oom(r->err, r->file);
    n->len = strlen(a);
    mf_strmap_ent *e = mf_strmap_get(&t->anchors, a, n->len);
    if (!e)
      return mf_err_set(r->err, MF_ESYNTAX, r->file, n->line, n->col,
                        "error converting YAML to JSON: yaml: unknown anchor '%s' referenced", a);
    n->target = e->ptr;
    return place(t, n) ? mf_err_oom(r->err, r->file) : 0;
  }
  case YAML_SCALAR_EVENT:
    n = new_node(t, MF_N_SCALAR, ev);
    if (!n || !(n->value = dupn(ev->data.scalar.value, ev->data.scalar.length)))
      return mf_err_oom(r->err, r->file);
    n->len = ev->data.scalar.length;
    n->implicit = ev->data.scalar.plain_implicit;
    if (ev->data.scalar.tag &&
        !(n->tag = dupn(ev->data.scalar.tag, strlen((char *)ev->data.scalar.tag))))
      return mf_err_oom(r->err, r->file);
    if (set_anchor(t, ev->data.scalar.anchor, n) || place(t, n)) return mf_err_oom(r->err, r->file);
    return 0;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
    n = new_node(t, seq ? MF_N_SEQ : MF_N_MAP, ev);
    if (!n) return mf_err_oom(r->err, r->file);
    const yaml_char_t *tag = seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
    const yaml_char_t *anchor =
        seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    if (tag && !(n->tag = dupn(tag, strlen((const char *)tag)))) return mf_err_oom(r->err, r->file);
    if (set_anchor(t, anchor, n) || place(t, n)) return mf_err_oom(r->err, r->file);
    if (t->depth >= (size_t)r->opts->max_depth)
      return mf_err_set(r->err, MF_ELIMIT, r->file, n->line, n->col,
                        "error converting YAML to JSON: nesting deeper than %d levels",
                        r->opts->max_depth);
    if (t->depth == t->cap) {
      size_t cap = t->cap ? t->cap * 2 : 16;
      mf_node **s = realloc(t->stack, cap * sizeof(*s));
      if (!s) return mf_err_oom(r->err, r->file);
      t->stack = s;
      t->cap = cap;
    }
    t->stack[t->depth++] = n;
    return 0;
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    if (t->depth) t->depth--;
    return 0;
  default:
    return 0;
  }
}

int mf_yaml_stream(const char *buf, size_t len, const char *file, const mf_parse_opts *opts,
                   mf_doc_cb cb, void *ctx, mf_error *err) {
  run r = {.file = file, .opts = opts, .err = err};
  mf_decoder dec = {.opts = opts, .file = file, .err = err};
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) return mf_err_oom(err, file);
  yaml_parser_set_input_string(&p, (const unsigned char *)(buf ? buf : ""), buf ? len : 0);
  int rc = 0;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      rc = syntax_error(&p, file, err);
      break;
    }
    bool end = ev.type == YAML_STREAM_END_EVENT;
    rc = on_event(&r, &ev, cb, ctx, &dec);
    yaml_event_delete(&ev);
    if (rc < 0 || end) break;
  }
  yaml_parser_delete(&p);
  tree_reset(&r.t);
  free(r.t.stack);
  return rc < 0 ? rc : 0;
}
