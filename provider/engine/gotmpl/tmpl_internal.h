/* Internal declarations shared by the gotmpl sources. Not a public API. */
#ifndef GITOPS_ENGINE_GOTMPL_INTERNAL_H
#define GITOPS_ENGINE_GOTMPL_INTERNAL_H

#include "engine/gotmpl/gotmpl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct tmpl_value tval;

void tmpl_msgf(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---------------- heap ---------------- */
void *th_alloc(tmpl_heap *h, size_t n); /* zeroed; aborts on real OOM */
char *th_strndup(tmpl_heap *h, const char *s, size_t n);
char *th_strdup(tmpl_heap *h, const char *s);
int th_over_limit(const tmpl_heap *h);

/* Run fn(arg) on a thread with a large stack (recursive parsers and the
 * executor must not depend on the caller's stack size). */
void tmpl_on_big_stack(void (*fn)(void *), void *arg);

/* ---------------- values ---------------- */
typedef struct tmethod {
  const char *name;
  int nparams; /* -1: variadic */
  int anyargs; /* params are interface{} (else string) */
  tmpl_method_fn fn;
  void *udata;
  struct tmethod *next;
} tmethod;

typedef struct tlist {
  tval **v;
  size_t n, cap;
  tmpl_heap *h; /* owner */
} tlist;

typedef struct tmap {
  char **k; /* sorted, byte-wise */
  size_t *kl;
  tval **v;
  size_t n, cap;
  void *ext;  /* STRUCT: opaque C data (time, semver…) */
  char **ord; /* STRUCT: field names in declaration order */
  size_t nord, capord;
  int ext_type;
  tmpl_heap *h; /* owner */
} tmap;

struct tmpl_value {
  uint8_t kind;      /* tmpl_kind */
  const char *tname; /* NULL → default for kind */
  union {
    int b;
    int64_t i;
    double f;
    struct {
      char *p;
      size_t n;
    } s;
    tlist *l;
    tmap *m;
  } u;
  tmethod *methods;
};

extern tval tv_invalid_v; /* shared INVALID value (never mutated) */
#define TV_INVALID (&tv_invalid_v)

tval *tv_new(tmpl_heap *h, int kind);
tval *tv_str(tmpl_heap *h, const char *s, size_t n);
tval *tv_cstr(tmpl_heap *h, const char *s);
tval *tv_int(tmpl_heap *h, int64_t i); /* Go int */
tval *tv_i64(tmpl_heap *h, int64_t i); /* Go int64 */
tval *tv_float(tmpl_heap *h, double f);
tval *tv_bool(tmpl_heap *h, int b);
tval *tv_nil(tmpl_heap *h);
tval *tv_list(tmpl_heap *h, size_t cap);
tval *tv_strlist(tmpl_heap *h, size_t cap); /* []string */
tval *tv_map(tmpl_heap *h);
void tl_push(tmpl_heap *h, tval *list, tval *item);
void tm_set(tmpl_heap *h, tval *map, const char *k, size_t kl, tval *v);
/* Build a map from n (key, value) pairs in any order, last duplicate wins
 * (O(n log n); decoders use it instead of n tm_set calls). */
typedef struct tm_entry {
  const char *k;
  size_t kl;
  tval *v;
  size_t seq;
} tm_entry;
void tm_bulk(tmpl_heap *h, tval *map, tm_entry *e, size_t n);
/* Elements moved by map inserts/deletes on this thread (charged to the
 * executor's step budget: large maps built in random order cost O(n) each). */
extern __thread uint64_t tmpl_map_work;
tval *tm_get(const tval *map, const char *k, size_t kl);
long tm_find(const tmap *m, const char *k, size_t kl, int *found);
int tm_del(tval *map, const char *k, size_t kl);
tmethod *tv_find_method(const tval *v, const char *name);

const char *tv_type(const tval *v);     /* Go %T */
const char *tv_kindname(const tval *v); /* reflect.Kind string */
bool tv_is_intkind(const tval *v);
bool tv_is_strlist(const tval *v); /* []string */
bool tv_truth(const tval *v);      /* Go template truth; INVALID/NIL false */
tval *tv_deep_copy(tmpl_heap *h, const tval *v);
bool tv_deep_equal(const tval *a, const tval *b);
tval *tv_shallow_copy_map(tmpl_heap *h, const tval *m);

/* Size bound for one formatted value (fmt, JSON, YAML): guards against
 * cyclic or exponentially shared structures. Set per execution thread. */
extern __thread size_t tmpl_fmt_limit;
#define TMPL_FMT_LIMIT_DEFAULT ((size_t)64 << 20)

/* ---------------- string builder (malloc) ---------------- */
typedef struct sb {
  char *p;
  size_t n, cap;
} sb;
void sb_grow(sb *b, size_t need);
void sb_putn(sb *b, const char *s, size_t n);
void sb_puts(sb *b, const char *s);
void sb_putc(sb *b, char c);
void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(sb *b, const char *fmt, va_list ap);
void sb_free(sb *b);
tval *sb_to_val(tmpl_heap *h, sb *b); /* frees b */

/* ---------------- Go fmt ---------------- */
/* Go's %v of a value (fmt.Sprint of a single operand). */
void gofmt_value(sb *b, const tval *v);
/* fmt.Sprint(args...) / Sprintln / Sprintf */
void gofmt_sprint(sb *b, tval **args, int n);
void gofmt_sprintln(sb *b, tval **args, int n);
void gofmt_sprintf(sb *b, const char *fmt, size_t fmtlen, tval **args, int n);
/* strconv.FormatFloat(f, fmtc, prec, 64) */
void gofmt_float(sb *b, double f, char fmtc, int prec);
/* strconv.Quote */
void gofmt_quote(sb *b, const char *s, size_t n);
/* Go's strconv.Unquote of a "..." / `...` / '...' literal; returns 0 ok */
int go_unquote(const char *s, size_t n, sb *out);
/* strings.Replace(s, old, new, -1); false if the result is too large */
bool str_replace_all(sb *o, const char *s, size_t n, const char *old, size_t on, const char *nw,
                     size_t nn);
/* Sprig's strval: string form used by most string functions */
void sprig_strval(sb *b, const tval *v);

/* Stringer formatting of internal objects (semver, time); false if none */
bool fmt_stringer(sb *b, const tval *v);

/* ---------------- UTF-8 ---------------- */
int utf8_decode(const char *s, size_t n, int32_t *r); /* returns width (>=1) */
int utf8_encode(char *out, int32_t r);
size_t utf8_count(const char *s, size_t n);

/* ---------------- parse tree ---------------- */
typedef enum {
  N_LIST,
  N_TEXT,
  N_ACTION,
  N_PIPE,
  N_COMMAND,
  N_IDENT,
  N_VAR,
  N_FIELD,
  N_CHAIN,
  N_DOT,
  N_NIL,
  N_BOOL,
  N_NUMBER,
  N_STRING,
  N_IF,
  N_RANGE,
  N_WITH,
  N_TEMPLATE,
  N_BREAK,
  N_CONTINUE,
  N_COMMENT,
  N_END, /* parser-internal */
  N_ELSE /* parser-internal */
} ntype;

struct ttree;

typedef struct tnode {
  ntype type;
  int pos; /* byte offset in the tree's text */
  int line;
  struct ttree *tree;
  /* generic children */
  struct tnode **kids; /* LIST nodes, PIPE cmds, COMMAND args */
  int nkids;
  int capkids;
  /* PIPE: declarations */
  struct tnode **decl;
  int ndecl;
  bool is_assign;
  /* IDENT/VAR/FIELD/CHAIN identifiers */
  char **ident;
  int nident;
  /* TEXT / STRING(text) / COMMENT / TEMPLATE(name) */
  char *text;
  size_t textlen;
  char *quoted; /* STRING: original literal; NUMBER: text */
  /* CHAIN: node; ACTION/IF/RANGE/WITH/TEMPLATE: pipe */
  struct tnode *node;
  struct tnode *pipe;
  struct tnode *list, *elselist;
  /* BOOL */
  bool bval;
  /* NUMBER */
  bool is_int, is_uint, is_float, is_complex;
  int64_t ival;
  uint64_t uval;
  double fval;
} tnode;

typedef struct ttree {
  char *name;       /* template name (define name or file name) */
  char *parse_name; /* name of the top-level file being parsed */
  const char *text; /* full source text (owned by the set) */
  size_t textlen;
  tnode *root;
} ttree;

/* parse `text` (named `name`) and call `add` for each tree produced (the
 * top-level one last).  Memory from heap `h`.  Returns 0 or -1 with err. */
typedef int (*tree_add_fn)(void *ud, ttree *t, char *errbuf, size_t errcap);
int tmpl_parse_text(tmpl_heap *h, const char *name, const char *text, size_t len, tree_add_fn add,
                    void *ud, tmpl_error *err);
bool tree_is_empty(const tnode *n);
void node_string(sb *b, const tnode *n);
/* "NAME:LINE:COL" location of a node */
void node_location(sb *b, const tnode *n);

/* ---------------- execution ---------------- */
typedef struct texec texec;

/* Go parameter types used by function signatures. */
typedef enum {
  P_ANY,   /* interface{} */
  P_RV,    /* reflect.Value (receives the raw value incl. INVALID) */
  P_STR,   /* string */
  P_INT,   /* int */
  P_I64,   /* int64 */
  P_F64,   /* float64 */
  P_BOOL,  /* bool */
  P_LIST,  /* []interface{} */
  P_MAP,   /* map[string]interface{} */
  P_STRS,  /* []string */
  P_ULINT, /* uint */
} ptype;

#define FN_MAXP 6
typedef struct tfunc {
  const char *name;
  tval *(*fn)(texec *x, tval **argv, int argc);
  int nparams; /* fixed params */
  ptype p[FN_MAXP];
  bool variadic; /* extra args of type vtype */
  ptype vtype;
  const char *ret; /* Go result type name, e.g. "string" (for typing) */
} tfunc;

const tfunc *tmpl_find_func(const char *name);
const tfunc *tmpl_find_func_len(const char *name, size_t len);

/* Error raised by a function: "error calling NAME: msg" is added by exec. */
tval *fn_error(texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raise an execution error at the current node (Go s.errorf). */
void exec_errorf(texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tmpl_heap *exec_heap(texec *x);
const tmpl_options *exec_opts(texec *x);
int exec_count_iters(texec *x, uint64_t n); /* limits; 0 ok */
int64_t exec_now(texec *x);
uint64_t exec_rand(texec *x);
void exec_mark_fail(texec *x);
/* include / tpl (funcs_helm.c calls back into exec) */
tval *exec_include(texec *x, const char *name, tval *data);
tval *exec_tpl(texec *x, const char *text, size_t len, tval *data);
tval *exec_lookup(texec *x, tval **argv);

/* the function tables */
extern const tfunc tmpl_funcs_builtin[];
extern const tfunc tmpl_funcs_strings[];
extern const tfunc tmpl_funcs_lists[];
extern const tfunc tmpl_funcs_dict[];
extern const tfunc tmpl_funcs_math[];
extern const tfunc tmpl_funcs_conv[];
extern const tfunc tmpl_funcs_encoding[];
extern const tfunc tmpl_funcs_crypto[];
extern const tfunc tmpl_funcs_regex[];
extern const tfunc tmpl_funcs_date[];
extern const tfunc tmpl_funcs_semver[];
extern const tfunc tmpl_funcs_helm[];
extern const tfunc tmpl_funcs_misc[];

/* conversions shared by functions */
int64_t sprig_toint64(const tval *v);
double sprig_tofloat64(const tval *v);
bool sprig_empty(const tval *v);
/* Go Value → list of items for list-like args ([]T). returns false if not a list */
bool tv_as_list(const tval *v, tval ***items, size_t *n);
/* JSON */
void json_encode(sb *b, const tval *v, bool escape_html, const char *indent, int *err);
tval *json_decode(tmpl_heap *h, const char *s, size_t n, char *errbuf, size_t errcap);
/* YAML */
int yaml_emit(sb *b, const tval *v, char *errbuf, size_t errcap);
tval *yaml_decode(tmpl_heap *h, const char *s, size_t n, bool multi_doc_array, char *errbuf,
                  size_t errcap);
/* TOML */
int toml_emit(sb *b, const tval *v, char *errbuf, size_t errcap);

/* regex (RE2 syntax) */
typedef struct tregex tregex;
tregex *re_compile(const char *pat, size_t n, char *errbuf, size_t errcap);
void re_free(tregex *re);
/* Find leftmost-first match starting at/after `start`; caps has 2*(ncap+1)
 * slots (byte offsets, -1 for unset). Returns 1 on match. */
int re_exec(tregex *re, const char *s, size_t n, size_t start, int *caps, int ncaps_slots);
int re_ncap(const tregex *re);

#endif
