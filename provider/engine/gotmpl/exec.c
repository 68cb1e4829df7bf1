/* Executor: a port of Go's text/template/exec.go plus Helm's include/tpl. */
#include "engine/gotmpl/tmpl_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A value as the executor sees it: `iface` marks a value read out of an
 * interface{} container (map element, []interface{} element), whose Go
 * static type is interface {} (matters for some error messages). */
typedef struct rv {
  tval *v; /* NULL = error */
  bool iface;
} rv;

static rv RV(tval *v) {
  return (rv){v, false};
}
#define RV_ERR ((rv){NULL, false})

typedef struct tvar {
  const char *name;
  rv val;
} tvar;

typedef struct overlay {
  ttree **trees;
  int n, cap;
  struct overlay *parent;
} overlay;

struct tmpl_set {
  tmpl_options opts;
  tmpl_heap *h;
  ttree **trees; /* sorted by name */
  size_t n, cap;
};

typedef struct incl_count {
  const char *name;
  int n;
} incl_count;

struct texec {
  tmpl_set *set;
  tmpl_heap *h;
  const tmpl_options *o;
  sb *out;
  size_t total_out;
  tmpl_error *err;
  bool failed;
  tvar *vars;
  int nvars, capvars, vbase;
  const tnode *node;
  const ttree *tmpl;
  int depth;
  overlay *ov;
  incl_count *incl;
  int nincl, capincl;
  uint64_t steps, iters;
  uint64_t rng;
  int64_t now_cache;
  sb fnerr;  /* message of the failing function (dynamic) */
  sb errmsg; /* this execution level's ExecError text */
  bool fn_failed;
  bool limit_hit;
  char callee[256];
  char *stack_base;
  size_t stack_max;
};

const char *exec_callee(texec *x) {
  return x->callee;
}

/* ---------------- errors ---------------- */
void exec_errorf(texec *x, const char *fmt, ...) {
  if (x->failed) return;
  x->failed = true;
  sb msg = {0};
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(&msg, fmt, ap);
  va_end(ap);
  const char *name = x->tmpl ? x->tmpl->name : "";
  x->errmsg.n = 0;
  if (!x->node) {
    sb_printf(&x->errmsg, "template: %s: %s", name, msg.p ? msg.p : "");
  } else {
    sb loc = {0}, ctx = {0};
    node_location(&loc, x->node);
    node_string(&ctx, x->node);
    sb_printf(&x->errmsg, "template: %s: executing \"%s\" at <%s>: %s", loc.p, name,
              ctx.p ? ctx.p : "", msg.p ? msg.p : "");
    sb_free(&loc);
    sb_free(&ctx);
  }
  sb_free(&msg);
}

tval *fn_error(texec *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sb t = {0};
  sb_vprintf(&t, fmt, ap);
  va_end(ap);
  sb_free(&x->fnerr);
  x->fnerr = t;
  if (!x->fnerr.p) sb_putn(&x->fnerr, "", 0);
  x->fn_failed = true;
  return NULL;
}

static void limit_error(texec *x, const char *what) {
  x->limit_hit = true;
  exec_errorf(x, "%s", what);
}

tmpl_heap *exec_heap(texec *x) {
  return x->h;
}
const tmpl_options *exec_opts(texec *x) {
  return x->o;
}

int exec_count_iters(texec *x, uint64_t n) {
  x->iters += n;
  if (x->iters > x->o->limits.max_range_iters) {
    x->limit_hit = true;
    return -1;
  }
  return 0;
}

int64_t exec_now(texec *x) {
  if (x->o->fixed_now) return x->o->fixed_now;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

uint64_t exec_rand(texec *x) {
  /* splitmix64 */
  uint64_t z = (x->rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* ---------------- output ---------------- */
static int out_write(texec *x, const char *s, size_t n) {
  x->total_out += n;
  if (x->total_out > x->o->limits.max_output) {
    limit_error(x, "output size limit exceeded");
    return -1;
  }
  sb_putn(x->out, s, n);
  return 0;
}

/* ---------------- variables ---------------- */
static void push_var(texec *x, const char *name, rv v) {
  if (x->nvars == x->capvars) {
    x->capvars = x->capvars ? x->capvars * 2 : 32;
    tvar *nv = realloc(x->vars, (size_t)x->capvars * sizeof *nv);
    if (!nv) abort();
    x->vars = nv;
  }
  x->vars[x->nvars++] = (tvar){name, v};
}

static int set_var(texec *x, const char *name, rv v) {
  for (int i = x->nvars - 1; i >= x->vbase; i--)
    if (!strcmp(x->vars[i].name, name)) {
      x->vars[i].val = v;
      return 0;
    }
  exec_errorf(x, "undefined variable: %s", name);
  return -1;
}

static rv var_value(texec *x, const char *name) {
  for (int i = x->nvars - 1; i >= x->vbase; i--)
    if (!strcmp(x->vars[i].name, name)) return x->vars[i].val;
  exec_errorf(x, "undefined variable: %s", name);
  return RV_ERR;
}

/* ---------------- template lookup ---------------- */
static ttree *set_lookup(const tmpl_set *s, const char *name) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(s->trees[mid]->name, name);
    if (!c) return s->trees[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static ttree *lookup_tmpl(texec *x, const char *name) {
  for (overlay *o = x->ov; o; o = o->parent)
    for (int i = 0; i < o->n; i++)
      if (!strcmp(o->trees[i]->name, name)) return o->trees[i];
  return set_lookup(x->set, name);
}

/* ---------------- type checks (validateType) ---------------- */
static const char *ptype_name(ptype t) {
  switch (t) {
  case P_ANY:
    return "interface {}";
  case P_RV:
    return "reflect.Value";
  case P_STR:
    return "string";
  case P_INT:
    return "int";
  case P_I64:
    return "int64";
  case P_F64:
    return "float64";
  case P_BOOL:
    return "bool";
  case P_LIST:
    return "[]interface {}";
  case P_MAP:
    return "map[string]interface {}";
  case P_STRS:
    return "[]string";
  case P_ULINT:
    return "uint";
  }
  return "?";
}

static bool can_be_nil(ptype t) {
  return t == P_ANY || t == P_RV || t == P_LIST || t == P_MAP || t == P_STRS;
}

static bool assignable(const tval *v, ptype t) {
  const char *tn = tv_type(v);
  switch (t) {
  case P_ANY:
  case P_RV:
    return true;
  case P_STR:
    return v->kind == TMPL_STRING && !strcmp(tn, "string");
  case P_INT:
    return v->kind == TMPL_INT && !strcmp(tn, "int");
  case P_I64:
    return v->kind == TMPL_INT && !strcmp(tn, "int64");
  case P_ULINT:
    return v->kind == TMPL_INT && !strcmp(tn, "uint");
  case P_F64:
    return v->kind == TMPL_FLOAT;
  case P_BOOL:
    return v->kind == TMPL_BOOL;
  case P_LIST:
    return v->kind == TMPL_LIST && !strcmp(tn, "[]interface {}");
  case P_MAP:
    return v->kind == TMPL_MAP &&
           (!strcmp(tn, "map[string]interface {}") || !strcmp(tn, "chartutil.Values"));
  case P_STRS:
    return v->kind == TMPL_LIST && (!strcmp(tn, "[]string") || !strcmp(tn, "chartutil.VersionSet"));
  }
  return false;
}

/* returns the value to pass, or NULL on error */
static tval *validate_type(texec *x, rv val, ptype t) {
  tval *v = val.v;
  if (v->kind == TMPL_INVALID) {
    if (t == P_RV) return v;
    if (can_be_nil(t)) return tv_nil(x->h);
    exec_errorf(x, "invalid value; expected %s", ptype_name(t));
    return NULL;
  }
  if (t == P_ANY || t == P_RV) return v;
  if (v->kind == TMPL_NIL) {
    exec_errorf(x, "wrong type for value; expected %s; got interface {}", ptype_name(t));
    return NULL;
  }
  if (!assignable(v, t)) {
    exec_errorf(x, "wrong type for value; expected %s; got %s", ptype_name(t), tv_type(v));
    return NULL;
  }
  return v;
}

/* ---------------- evaluation ---------------- */
static rv eval_pipeline(texec *x, rv dot, const tnode *pipe);
static rv eval_command(texec *x, rv dot, const tnode *cmd, rv final, bool has_final);
static rv eval_field_chain(texec *x, rv dot, rv receiver, const tnode *node, char **ident,
                           int nident, const tnode *args, int argoff, rv final, bool has_final);
static rv eval_call_func(texec *x, rv dot, const tfunc *f, const tnode *node, const char *name,
                         const tnode *cmd, int argoff, rv final, bool has_final);
static int walk(texec *x, rv dot, const tnode *n);

static bool step(texec *x) {
  char here;
  if (x->stack_base && (size_t)(x->stack_base - &here) > x->stack_max) {
    x->limit_hit = true;
    exec_errorf(x, "exceeded maximum template depth (%d)", x->o->limits.max_depth);
    return false;
  }
  if (tmpl_map_work) {
    x->steps += tmpl_map_work / 64;
    tmpl_map_work = 0;
  }
  if (++x->steps > x->o->limits.max_steps) {
    limit_error(x, "evaluation step limit exceeded");
    return false;
  }
  if (th_over_limit(x->h)) {
    limit_error(x, "memory limit exceeded");
    return false;
  }
  return !x->failed;
}

static bool is_hex_int(const char *s) {
  return strlen(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !strpbrk(s, "pP");
}

static rv ideal_constant(texec *x, const tnode *n) {
  x->node = n;
  if (n->is_float && !is_hex_int(n->quoted) && n->quoted[0] != '\'' && strpbrk(n->quoted, ".eEpP"))
    return RV(tv_float(x->h, n->fval));
  if (n->is_int) return RV(tv_int(x->h, n->ival));
  if (n->is_uint) {
    exec_errorf(x, "%s overflows int", n->quoted);
    return RV_ERR;
  }
  return RV(TV_INVALID);
}

static void not_a_function(texec *x, const tnode *cmd, int argoff, bool has_final) {
  if (cmd && (cmd->nkids - argoff > 1 || has_final)) {
    sb s = {0};
    node_string(&s, cmd->kids[argoff]);
    exec_errorf(x, "can't give argument to non-function %s", s.p);
    sb_free(&s);
  }
}

static rv eval_variable_node(texec *x, rv dot, const tnode *var, const tnode *cmd, int argoff,
                             rv final, bool has_final) {
  x->node = var;
  rv value = var_value(x, var->ident[0]);
  if (!value.v) return RV_ERR;
  if (var->nident == 1) {
    not_a_function(x, cmd, argoff, has_final);
    if (x->failed) return RV_ERR;
    return value;
  }
  return eval_field_chain(x, dot, value, var, var->ident + 1, var->nident - 1, cmd, argoff, final,
                          has_final);
}

static rv eval_arg(texec *x, rv dot, ptype t, const tnode *n);

static rv eval_chain_node(texec *x, rv dot, const tnode *chain, const tnode *cmd, int argoff,
                          rv final, bool has_final) {
  x->node = chain;
  if (chain->node->type == N_NIL) {
    sb s = {0};
    node_string(&s, chain);
    exec_errorf(x, "indirection through explicit nil in %s", s.p);
    sb_free(&s);
    return RV_ERR;
  }
  rv pipe = eval_arg(x, dot, P_RV, chain->node);
  if (!pipe.v) return RV_ERR;
  return eval_field_chain(x, dot, pipe, chain, chain->ident, chain->nident, cmd, argoff, final,
                          has_final);
}

static rv eval_function(texec *x, rv dot, const tnode *ident, const tnode *cmd, int argoff,
                        rv final, bool has_final) {
  x->node = ident;
  const char *name = ident->ident[0];
  const tfunc *f = tmpl_find_func(name);
  if (!f) {
    exec_errorf(x, "\"%s\" is not a defined function", name);
    return RV_ERR;
  }
  return eval_call_func(x, dot, f, cmd ? cmd : ident, name, cmd, argoff, final, has_final);
}

static rv eval_field_node(texec *x, rv dot, const tnode *field, const tnode *cmd, int argoff,
                          rv final, bool has_final) {
  x->node = field;
  return eval_field_chain(x, dot, dot, field, field->ident, field->nident, cmd, argoff, final,
                          has_final);
}

/* evalEmptyInterface */
static rv eval_empty_iface(texec *x, rv dot, const tnode *n) {
  x->node = n;
  switch (n->type) {
  case N_BOOL:
    return RV(tv_bool(x->h, n->bval));
  case N_DOT:
    return dot;
  case N_FIELD:
    return eval_field_node(x, dot, n, NULL, 0, RV_ERR, false);
  case N_IDENT:
    return eval_function(x, dot, n, NULL, 0, RV_ERR, false);
  case N_NIL:
    exec_errorf(x, "evalEmptyInterface: nil (can't happen)");
    return RV_ERR;
  case N_NUMBER:
    return ideal_constant(x, n);
  case N_STRING:
    return RV(tv_str(x->h, n->text, n->textlen));
  case N_VAR:
    return eval_variable_node(x, dot, n, NULL, 0, RV_ERR, false);
  case N_PIPE:
    return eval_pipeline(x, dot, n);
  case N_CHAIN:
    return eval_chain_node(x, dot, n, NULL, 0, RV_ERR, false);
  default:
    break;
  }
  sb s = {0};
  node_string(&s, n);
  exec_errorf(x, "can't handle assignment of %s to empty interface argument", s.p);
  sb_free(&s);
  return RV_ERR;
}

static rv validated(texec *x, rv v, ptype t) {
  if (!v.v) return RV_ERR;
  tval *r = validate_type(x, v, t);
  if (!r) return RV_ERR;
  return (rv){r, t == P_RV ? v.iface : false};
}

static rv eval_arg(texec *x, rv dot, ptype t, const tnode *n) {
  x->node = n;
  switch (n->type) {
  case N_DOT:
    return validated(x, dot, t);
  case N_NIL:
    if (can_be_nil(t)) return RV(t == P_RV ? TV_INVALID : tv_nil(x->h));
    exec_errorf(x, "cannot assign nil to %s", ptype_name(t));
    return RV_ERR;
  case N_FIELD:
    return validated(x, eval_field_node(x, dot, n, NULL, 0, RV_ERR, false), t);
  case N_VAR:
    return validated(x, eval_variable_node(x, dot, n, NULL, 0, RV_ERR, false), t);
  case N_PIPE:
    return validated(x, eval_pipeline(x, dot, n), t);
  case N_IDENT:
    return validated(x, eval_function(x, dot, n, NULL, 0, RV_ERR, false), t);
  case N_CHAIN:
    return validated(x, eval_chain_node(x, dot, n, NULL, 0, RV_ERR, false), t);
  default:
    break;
  }
  sb s = {0};
  node_string(&s, n);
  rv r = RV_ERR;
  switch (t) {
  case P_BOOL:
    if (n->type == N_BOOL)
      r = RV(tv_bool(x->h, n->bval));
    else
      exec_errorf(x, "expected bool; found %s", s.p);
    break;
  case P_F64:
    if (n->type == N_NUMBER && n->is_float)
      r = RV(tv_float(x->h, n->fval));
    else
      exec_errorf(x, "expected float; found %s", s.p);
    break;
  case P_INT:
  case P_I64:
    if (n->type == N_NUMBER && n->is_int)
      r = RV(t == P_INT ? tv_int(x->h, n->ival) : tv_i64(x->h, n->ival));
    else
      exec_errorf(x, "expected integer; found %s", s.p);
    break;
  case P_ULINT:
    if (n->type == N_NUMBER && n->is_uint) {
      tval *u = tv_i64(x->h, (int64_t)n->uval);
      u->tname = "uint";
      r = RV(u);
    } else
      exec_errorf(x, "expected unsigned integer; found %s", s.p);
    break;
  case P_ANY:
  case P_RV:
    r = eval_empty_iface(x, dot, n);
    break;
  case P_STR:
    if (n->type == N_STRING)
      r = RV(tv_str(x->h, n->text, n->textlen));
    else
      exec_errorf(x, "expected string; found %s", s.p);
    break;
  default:
    exec_errorf(x, "can't handle %s for arg of type %s", s.p, ptype_name(t));
    break;
  }
  sb_free(&s);
  return r;
}

/* Go's truth for and/or/not (indirectInterface + isTrue) */
static bool truth(const tval *v) {
  return tv_truth(v);
}

static rv eval_call(texec *x, rv dot, const tfunc *f, tmethod *m, tval *recv, const tnode *node,
                    const char *name, const tnode *cmd, int argoff, rv final, bool has_final) {
  /* args = cmd->kids[argoff+1 ..] */
  int nargs = cmd ? cmd->nkids - argoff - 1 : 0;
  const tnode *const *args = cmd ? (const tnode *const *)cmd->kids + argoff + 1 : NULL;
  int num_in = nargs + (has_final ? 1 : 0);
  int nparams = f ? f->nparams : (m->nparams < 0 ? 0 : m->nparams);
  bool variadic = f ? f->variadic : m->nparams < 0;
  int num_fixed = nargs;
  if (variadic) {
    num_fixed = nparams;
    if (num_in < num_fixed) {
      exec_errorf(x, "wrong number of args for %s: want at least %d got %d", name, nparams, nargs);
      return RV_ERR;
    }
  } else if (num_in != nparams) {
    exec_errorf(x, "wrong number of args for %s: want %d got %d", name, nparams, num_in);
    return RV_ERR;
  }
  ptype vtype = f ? f->vtype : (m->anyargs ? P_ANY : P_STR);
  /* and / or: short-circuit */
  if (f && (!strcmp(name, "and") || !strcmp(name, "or")) && f->fn == NULL) {
    bool is_or = name[0] == 'o';
    rv v = RV(TV_INVALID);
    for (int i = 0; i < nargs; i++) {
      v = eval_arg(x, dot, P_RV, args[i]);
      if (!v.v) return RV_ERR;
      if (truth(v.v) == is_or) return v;
    }
    if (has_final) {
      v = validated(x, final, P_RV);
    }
    return v;
  }
  tval *argvbuf[16];
  tval **argv = num_in <= 16 ? argvbuf : malloc((size_t)num_in * sizeof(tval *));
  if (!argv) abort();
  int i = 0;
  rv r = RV_ERR;
  for (; i < num_fixed && i < nargs; i++) {
    ptype pt = f ? f->p[i] : (m->anyargs ? P_ANY : P_STR);
    rv a = eval_arg(x, dot, pt, args[i]);
    if (!a.v) goto done;
    argv[i] = a.v;
  }
  if (variadic) {
    for (; i < nargs; i++) {
      rv a = eval_arg(x, dot, vtype, args[i]);
      if (!a.v) goto done;
      argv[i] = a.v;
    }
  }
  if (has_final) {
    ptype t;
    if (variadic) {
      if (num_in - 1 < num_fixed)
        t = f ? f->p[num_in - 1] : vtype;
      else
        t = vtype;
    } else {
      t = f ? f->p[nparams - 1] : vtype;
    }
    tval *fv = validate_type(x, final, t);
    if (!fv) goto done;
    argv[i] = fv;
  }
  x->fn_failed = false;
  tval *res;
  if (f && !strcmp(name, "call") && nargs > 0) {
    sb cn = {0};
    node_string(&cn, args[0]);
    tmpl_msgf(x->callee, sizeof x->callee, "%s", cn.p ? cn.p : "");
    sb_free(&cn);
  }
  if (f) {
    res = f->fn(x, argv, num_in);
  } else {
    res = NULL;
    int rc = m->fn((tmpl_call *)x, m->udata, recv, argv, (size_t)num_in, &res);
    if (rc != 0 || !res) {
      if (!x->fn_failed) fn_error(x, "method %s failed", name);
      res = NULL;
    }
  }
  if (!res) {
    if (!x->failed) {
      x->node = node;
      exec_errorf(x, "error calling %s: %s", name, x->fnerr.p ? x->fnerr.p : "");
    }
    goto done;
  }
  if (x->failed) goto done;
  r = RV(res);
done:
  if (argv != argvbuf) free(argv);
  return r;
}

static rv eval_call_func(texec *x, rv dot, const tfunc *f, const tnode *node, const char *name,
                         const tnode *cmd, int argoff, rv final, bool has_final) {
  return eval_call(x, dot, f, NULL, NULL, node, name, cmd, argoff, final, has_final);
}

static rv eval_field(texec *x, rv dot, const char *field, const tnode *node, const tnode *cmd,
                     int argoff, rv final, bool has_final, rv receiver) {
  tval *r = receiver.v;
  if (r->kind == TMPL_INVALID) {
    if (x->o->missingkey == 1) {
      exec_errorf(x, "nil data; no entry for key \"%s\"", field);
      return RV_ERR;
    }
    return RV(TV_INVALID);
  }
  const char *typ = receiver.iface ? "interface {}" : tv_type(r);
  if (r->kind == TMPL_NIL) {
    exec_errorf(x, "nil pointer evaluating interface {}.%s", field);
    return RV_ERR;
  }
  tmethod *m = tv_find_method(r, field);
  if (m) return eval_call(x, dot, NULL, m, r, node, field, cmd, argoff, final, has_final);
  bool has_args = (cmd && cmd->nkids - argoff > 1) || has_final;
  if (r->kind == TMPL_STRUCT) {
    tval *fv = tm_get(r, field, strlen(field));
    if (fv) {
      if (has_args) {
        exec_errorf(x, "%s has arguments but cannot be invoked as function", field);
        return RV_ERR;
      }
      return RV(fv);
    }
  } else if (r->kind == TMPL_MAP) {
    if (has_args) {
      exec_errorf(x, "%s is not a method but has arguments", field);
      return RV_ERR;
    }
    tval *fv = tm_get(r, field, strlen(field));
    bool strmap = r->tname && !strcmp(r->tname, "map[string]string");
    if (fv) return (rv){fv, !strmap};
    switch (x->o->missingkey) {
    case 0:
      if (strmap) return RV(tv_str(x->h, "", 0));
      return (rv){tv_nil(x->h), true};
    case 1:
      exec_errorf(x, "map has no entry for key \"%s\"", field);
      return RV_ERR;
    default:
      return RV(TV_INVALID);
    }
  }
  exec_errorf(x, "can't evaluate field %s in type %s", field, typ);
  return RV_ERR;
}

static rv eval_field_chain(texec *x, rv dot, rv receiver, const tnode *node, char **ident,
                           int nident, const tnode *cmd, int argoff, rv final, bool has_final) {
  for (int i = 0; i < nident - 1; i++) {
    receiver = eval_field(x, dot, ident[i], node, NULL, 0, RV_ERR, false, receiver);
    if (!receiver.v) return RV_ERR;
  }
  return eval_field(x, dot, ident[nident - 1], node, cmd, argoff, final, has_final, receiver);
}

static rv eval_command(texec *x, rv dot, const tnode *cmd, rv final, bool has_final) {
  if (!step(x)) return RV_ERR;
  const tnode *first = cmd->kids[0];
  switch (first->type) {
  case N_FIELD:
    return eval_field_node(x, dot, first, cmd, 0, final, has_final);
  case N_CHAIN:
    return eval_chain_node(x, dot, first, cmd, 0, final, has_final);
  case N_IDENT:
    return eval_function(x, dot, first, cmd, 0, final, has_final);
  case N_PIPE:
    not_a_function(x, cmd, 0, has_final);
    if (x->failed) return RV_ERR;
    return eval_pipeline(x, dot, first);
  case N_VAR:
    return eval_variable_node(x, dot, first, cmd, 0, final, has_final);
  default:
    break;
  }
  x->node = first;
  not_a_function(x, cmd, 0, has_final);
  if (x->failed) return RV_ERR;
  switch (first->type) {
  case N_BOOL:
    return RV(tv_bool(x->h, first->bval));
  case N_DOT:
    return dot;
  case N_NIL:
    exec_errorf(x, "nil is not a command");
    return RV_ERR;
  case N_NUMBER:
    return ideal_constant(x, first);
  case N_STRING:
    return RV(tv_str(x->h, first->text, first->textlen));
  default:
    break;
  }
  exec_errorf(x, "can't evaluate command");
  return RV_ERR;
}

static rv eval_pipeline(texec *x, rv dot, const tnode *pipe) {
  if (!pipe) return RV(TV_INVALID);
  x->node = pipe;
  rv value = RV_ERR;
  bool has = false;
  for (int i = 0; i < pipe->nkids; i++) {
    value = eval_command(x, dot, pipe->kids[i], value, has);
    if (!value.v) return RV_ERR;
    has = true;
    /* "lovely!": an interface{} value is unwrapped; nil → invalid */
    if (value.v->kind == TMPL_NIL) value = RV(TV_INVALID);
    value.iface = false;
  }
  for (int i = 0; i < pipe->ndecl; i++) {
    if (pipe->is_assign) {
      if (set_var(x, pipe->decl[i]->ident[0], value) != 0) return RV_ERR;
    } else
      push_var(x, pipe->decl[i]->ident[0], value);
  }
  return value;
}

/* ---------------- walk ---------------- */
enum { W_OK = 0, W_ERR = -1, W_BREAK = 1, W_CONTINUE = 2 };

static int print_value(texec *x, const tnode *n, tval *v) {
  x->node = n;
  sb s = {0};
  /* printableValue: an addressable struct whose pointer type is a
   * fmt.Stringer prints through String() (e.g. chartutil.KubeVersion) */
  tmethod *str = v->kind == TMPL_STRUCT ? tv_find_method(v, "String") : NULL;
  if (str && v->u.m->ext_type == 0) {
    tval *res = NULL;
    if (str->fn((tmpl_call *)x, str->udata, v, NULL, 0, &res) == 0 && res &&
        res->kind == TMPL_STRING) {
      int rc = out_write(x, res->u.s.p, res->u.s.n);
      return rc;
    }
  }
  gofmt_value(&s, v);
  /* printableValue dereferences a pointer: no "&" prefix */
  size_t skip =
      (v->kind == TMPL_STRUCT && v->tname && v->tname[0] == '*' && s.n && s.p[0] == '&') ? 1 : 0;
  int rc = out_write(x, s.p ? s.p + skip : "", s.n - skip);
  sb_free(&s);
  return rc;
}

static int walk_if_with(texec *x, ntype typ, rv dot, const tnode *n) {
  int mark = x->nvars;
  rv val = eval_pipeline(x, dot, n->pipe);
  if (!val.v) return W_ERR;
  int rc = W_OK;
  if (truth(val.v)) {
    rc = walk(x, typ == N_WITH ? val : dot, n->list);
  } else if (n->elselist) {
    rc = walk(x, dot, n->elselist);
  }
  x->nvars = mark;
  return rc;
}

static int range_iter(texec *x, const tnode *r, rv index, rv elem, int mark) {
  const tnode *p = r->pipe;
  if (p->ndecl > 0) {
    if (p->is_assign) {
      if (set_var(x, p->decl[0]->ident[0], p->ndecl > 1 ? index : elem)) return W_ERR;
    } else
      x->vars[x->nvars - 1].val = elem;
  }
  if (p->ndecl > 1) {
    if (p->is_assign) {
      if (set_var(x, p->decl[1]->ident[0], elem)) return W_ERR;
    } else
      x->vars[x->nvars - 2].val = index;
  }
  if (exec_count_iters(x, 1)) {
    limit_error(x, "range iteration limit exceeded");
    return W_ERR;
  }
  int rc = walk(x, elem, r->list);
  x->nvars = mark;
  if (rc == W_CONTINUE) rc = W_OK;
  return rc;
}

static int walk_range(texec *x, rv dot, const tnode *r) {
  x->node = r;
  int outer = x->nvars;
  rv val = eval_pipeline(x, dot, r->pipe);
  if (!val.v) return W_ERR;
  int mark = x->nvars;
  tval *v = val.v;
  int rc = W_OK;
  bool ran = false;
  switch (v->kind) {
  case TMPL_LIST: {
    bool iface = !tv_is_strlist(v) && !(v->tname && strcmp(v->tname, "[]interface {}"));
    size_t n = v->u.l->n;
    for (size_t i = 0; i < n && i < v->u.l->n; i++) {
      ran = true;
      rc = range_iter(x, r, RV(tv_int(x->h, (int64_t)i)), (rv){v->u.l->v[i], iface}, mark);
      if (rc != W_OK) break;
    }
    break;
  }
  case TMPL_BYTES:
    for (size_t i = 0; i < v->u.s.n; i++) {
      ran = true;
      tval *b = tv_i64(x->h, (unsigned char)v->u.s.p[i]);
      b->tname = "uint8";
      rc = range_iter(x, r, RV(tv_int(x->h, (int64_t)i)), RV(b), mark);
      if (rc != W_OK) break;
    }
    break;
  case TMPL_MAP: {
    /* iterate a snapshot of the sorted keys (Go sorts the keys first) */
    size_t n = v->u.m->n;
    if (n == 0) break;
    char **keys = malloc(n * sizeof *keys);
    size_t *kl = malloc(n * sizeof *kl);
    tval **vals = malloc(n * sizeof *vals);
    if (!keys || !kl || !vals) abort();
    memcpy(keys, v->u.m->k, n * sizeof *keys);
    memcpy(kl, v->u.m->kl, n * sizeof *kl);
    memcpy(vals, v->u.m->v, n * sizeof *vals);
    bool iface = !(v->tname && !strcmp(v->tname, "map[string]string"));
    for (size_t i = 0; i < n; i++) {
      ran = true;
      rc = range_iter(x, r, RV(tv_str(x->h, keys[i], kl[i])), (rv){vals[i], iface}, mark);
      if (rc != W_OK) break;
    }
    free(keys);
    free(kl);
    free(vals);
    break;
  }
  case TMPL_INVALID:
    break;
  default: {
    sb s = {0};
    gofmt_value(&s, v);
    exec_errorf(x, "range can't iterate over %s", s.p);
    sb_free(&s);
    return W_ERR;
  }
  }
  if (rc == W_BREAK) rc = W_OK;
  if (rc == W_OK && !ran && r->elselist) rc = walk(x, dot, r->elselist);
  x->nvars = outer;
  return rc;
}

static int exec_tree(texec *x, const ttree *t, rv dot);

static int walk_template(texec *x, rv dot, const tnode *n) {
  x->node = n;
  ttree *t = lookup_tmpl(x, n->text);
  if (!t) {
    exec_errorf(x, "template \"%s\" not defined", n->text);
    return W_ERR;
  }
  if (x->depth >= x->o->limits.max_depth) {
    x->limit_hit = true;
    exec_errorf(x, "exceeded maximum template depth (%d)", x->o->limits.max_depth);
    return W_ERR;
  }
  rv d = eval_pipeline(x, dot, n->pipe);
  if (!d.v) return W_ERR;
  const ttree *saved_t = x->tmpl;
  int saved_base = x->vbase, saved_n = x->nvars;
  x->depth++;
  x->tmpl = t;
  x->vbase = x->nvars;
  push_var(x, "$", d);
  int rc = walk(x, d, t->root);
  x->depth--;
  x->tmpl = saved_t;
  x->vbase = saved_base;
  x->nvars = saved_n;
  return rc;
}

static int walk(texec *x, rv dot, const tnode *n) {
  if (!step(x)) return W_ERR;
  x->node = n;
  switch (n->type) {
  case N_ACTION: {
    rv val = eval_pipeline(x, dot, n->pipe);
    if (!val.v) return W_ERR;
    if (n->pipe->ndecl == 0) return print_value(x, n, val.v) ? W_ERR : W_OK;
    return W_OK;
  }
  case N_BREAK:
    return W_BREAK;
  case N_CONTINUE:
    return W_CONTINUE;
  case N_COMMENT:
    return W_OK;
  case N_IF:
    return walk_if_with(x, N_IF, dot, n);
  case N_WITH:
    return walk_if_with(x, N_WITH, dot, n);
  case N_LIST:
    for (int i = 0; i < n->nkids; i++) {
      int rc = walk(x, dot, n->kids[i]);
      if (rc != W_OK) return rc;
    }
    return W_OK;
  case N_RANGE:
    return walk_range(x, dot, n);
  case N_TEMPLATE:
    return walk_template(x, dot, n);
  case N_TEXT:
    return out_write(x, n->text, n->textlen) ? W_ERR : W_OK;
  default:
    exec_errorf(x, "unknown node");
    return W_ERR;
  }
}

/* Template.execute: a fresh variable frame, $ = dot = data. */
static int exec_tree(texec *x, const ttree *t, rv dot) {
  const ttree *saved_t = x->tmpl;
  const tnode *saved_node = x->node;
  int saved_base = x->vbase, saved_n = x->nvars;
  x->tmpl = t;
  x->node = NULL;
  x->vbase = x->nvars;
  push_var(x, "$", dot);
  int rc;
  if (!t->root) {
    exec_errorf(x, "\"%s\" is an incomplete or empty template", t->name);
    rc = W_ERR;
  } else
    rc = walk(x, dot, t->root);
  x->tmpl = saved_t;
  x->node = saved_node;
  x->vbase = saved_base;
  x->nvars = saved_n;
  return rc == W_ERR ? -1 : 0;
}

/* Run `t` into a fresh buffer as a nested Template.Execute; on error the
 * message is moved into x->fnerr (for "error calling include: …"). */
static tval *exec_nested(texec *x, const ttree *t, tval *data, bool strip) {
  sb buf = {0};
  sb *saved_out = x->out;
  sb saved_msg = x->errmsg;
  x->errmsg = (sb){0};
  x->out = &buf;
  x->depth++;
  int rc = x->depth > x->o->limits.max_depth ? (x->limit_hit = true, -2) : 0;
  if (rc == 0) rc = exec_tree(x, t, RV(data && data->kind != TMPL_NIL ? data : TV_INVALID));
  x->depth--;
  x->out = saved_out;
  sb inner = x->errmsg;
  x->errmsg = saved_msg;
  if (rc == -2) {
    sb_free(&inner);
    sb_free(&buf);
    fn_error(x, "exceeded maximum template depth (%d)", x->o->limits.max_depth);
    return NULL;
  }
  if (rc != 0) {
    bool lim = x->limit_hit;
    sb_free(&x->fnerr);
    x->fnerr = inner;
    if (!x->fnerr.p) sb_putn(&x->fnerr, "", 0);
    x->fn_failed = true;
    sb_free(&buf);
    /* the failure is reported by the caller's evalCall */
    x->failed = false;
    x->limit_hit = lim;
    return NULL;
  }
  sb_free(&inner);
  if (strip && buf.n) {
    sb o = {0};
    sb_putn(&o, "", 0);
    for (size_t i = 0; i < buf.n;) {
      if (buf.n - i >= 10 && !memcmp(buf.p + i, "<no value>", 10)) {
        i += 10;
        continue;
      }
      sb_putc(&o, buf.p[i++]);
    }
    sb_free(&buf);
    buf = o;
  }
  return sb_to_val(x->h, &buf);
}

tval *exec_include(texec *x, const char *name, tval *data) {
  const char *root = x->o->root_name ? x->o->root_name : "gotpl";
  int idx = -1;
  for (int i = 0; i < x->nincl; i++)
    if (!strcmp(x->incl[i].name, name)) idx = i;
  if (idx >= 0) {
    if (x->incl[idx].n > x->o->limits.max_include_per_name)
      return fn_error(
          x, "rendering template has a nested reference name: %s: unable to execute template",
          name);
    x->incl[idx].n++;
  } else {
    if (x->nincl == x->capincl) {
      x->capincl = x->capincl ? x->capincl * 2 : 16;
      incl_count *ni = realloc(x->incl, (size_t)x->capincl * sizeof *ni);
      if (!ni) abort();
      x->incl = ni;
    }
    idx = x->nincl++;
    x->incl[idx].name = th_strdup(x->h, name);
    x->incl[idx].n = 1;
  }
  ttree *t = lookup_tmpl(x, name);
  tval *r;
  if (!t)
    r = fn_error(x, "template: no template \"%s\" associated with template \"%s\"", name, root);
  else
    r = exec_nested(x, t, data, false);
  /* x->incl may have moved; find again */
  for (int i = 0; i < x->nincl; i++)
    if (!strcmp(x->incl[i].name, name)) {
      x->incl[i].n--;
      break;
    }
  return r;
}

typedef struct ov_add_ctx {
  overlay *ov;
  tmpl_heap *h;
} ov_add_ctx;

static int overlay_add(void *ud, ttree *t, char *errbuf, size_t errcap) {
  (void)errbuf;
  (void)errcap;
  ov_add_ctx *c = ud;
  overlay *o = c->ov;
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->trees[i]->name, t->name)) {
      if (tree_is_empty(t->root) && o->trees[i]->root) return 0;
      o->trees[i] = t;
      return 0;
    }
  if (o->n == o->cap) {
    o->cap = o->cap ? o->cap * 2 : 8;
    ttree **nt = th_alloc(c->h, (size_t)o->cap * sizeof *nt);
    if (o->n) memcpy(nt, o->trees, (size_t)o->n * sizeof *nt);
    o->trees = nt;
  }
  o->trees[o->n++] = t;
  return 0;
}

tval *exec_tpl(texec *x, const char *text, size_t len, tval *data) {
  const char *root = x->o->root_name ? x->o->root_name : "gotpl";
  overlay ov = {0};
  ov.parent = x->ov;
  ov_add_ctx c = {&ov, x->h};
  tmpl_error *perr = malloc(sizeof *perr);
  if (!perr) abort();
  perr->msg[0] = 0;
  perr->detail = NULL;
  sb q = {0};
  gofmt_quote(&q, text, len);
  if (tmpl_parse_text(x->h, root, text, len, overlay_add, &c, perr) != 0) {
    fn_error(x, "cannot parse template %s: %s", q.p, perr->msg);
    free(perr);
    sb_free(&q);
    return NULL;
  }
  free(perr);
  /* the root template of the clone: the tree just parsed under `root` */
  ttree *t = NULL;
  for (int i = 0; i < ov.n; i++)
    if (!strcmp(ov.trees[i]->name, root)) t = ov.trees[i];
  overlay *saved = x->ov;
  x->ov = &ov;
  tval *r = t ? exec_nested(x, t, data, true) : tv_str(x->h, "", 0);
  x->ov = saved;
  if (!r) {
    sb inner = x->fnerr;
    x->fnerr = (sb){0};
    fn_error(x, "error during tpl function execution for %s: %s", q.p, inner.p ? inner.p : "");
    sb_free(&inner);
  }
  sb_free(&q);
  return r;
}

tval *exec_lookup(texec *x, tval **argv) {
  if (!x->o->lookup) return tv_map(x->h);
  tval *out = NULL;
  char err[1024] = "";
  int rc = x->o->lookup(x->o->lookup_udata, x->h, argv[0]->u.s.p, argv[1]->u.s.p, argv[2]->u.s.p,
                        argv[3]->u.s.p, &out, err, sizeof err);
  if (rc != 0 || !out) return fn_error(x, "%s", err[0] ? err : "lookup failed");
  return out;
}

/* ---------------- method call API ---------------- */
tmpl_heap *tmpl_call_heap(tmpl_call *c) {
  return ((texec *)c)->h;
}
int tmpl_call_error(tmpl_call *c, const char *fmt, ...) {
  texec *x = (texec *)c;
  if (!x) return -1;
  va_list ap;
  va_start(ap, fmt);
  sb t = {0};
  sb_vprintf(&t, fmt, ap);
  va_end(ap);
  sb_free(&x->fnerr);
  x->fnerr = t;
  if (!x->fnerr.p) sb_putn(&x->fnerr, "", 0);
  x->fn_failed = true;
  return -1;
}

int tmpl_add_method(tmpl_value *v, const char *name, int nparams, tmpl_method_fn fn, void *udata) {
  if (!v || !name || !fn) return TMPL_EINVALID;
  tmpl_heap *h;
  if (v->kind == TMPL_LIST)
    h = v->u.l->h;
  else if (v->kind == TMPL_MAP || v->kind == TMPL_STRUCT)
    h = v->u.m->h;
  else
    return TMPL_EINVALID;
  tmethod *m = th_alloc(h, sizeof *m);
  m->name = th_strdup(h, name);
  m->nparams = nparams;
  m->fn = fn;
  m->udata = udata;
  m->next = v->methods;
  v->methods = m;
  return 0;
}

/* ---------------- sets ---------------- */
tmpl_set *tmpl_set_new(const tmpl_options *opts) {
  tmpl_set *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (opts)
    s->opts = *opts;
  else
    s->opts.strip_no_value = 1;
  tmpl_limits *l = &s->opts.limits;
  if (!l->max_depth) l->max_depth = 3000;
  if (!l->max_include_per_name) l->max_include_per_name = 1000;
  if (!l->max_output) l->max_output = 64u << 20;
  if (!l->max_range_iters) l->max_range_iters = 10000000;
  if (!l->max_steps) l->max_steps = 200000000;
  if (!s->opts.root_name) s->opts.root_name = "gotpl";
  s->h = tmpl_heap_new(0);
  if (!s->h) {
    free(s);
    return NULL;
  }
  s->opts.root_name = th_strdup(s->h, s->opts.root_name);
  return s;
}

void tmpl_set_free(tmpl_set *s) {
  if (!s) return;
  free(s->trees);
  tmpl_heap_free(s->h);
  free(s);
}

static int set_add(void *ud, ttree *t, char *errbuf, size_t errcap) {
  (void)errbuf;
  (void)errcap;
  tmpl_set *s = ud;
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(s->trees[mid]->name, t->name);
    if (!c) {
      if (tree_is_empty(t->root) && s->trees[mid]->root) return 0;
      s->trees[mid] = t;
      return 0;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 32;
    ttree **nt = realloc(s->trees, nc * sizeof *nt);
    if (!nt) return -1;
    s->trees = nt;
    s->cap = nc;
  }
  memmove(s->trees + lo + 1, s->trees + lo, (s->n - lo) * sizeof *s->trees);
  s->trees[lo] = t;
  s->n++;
  return 0;
}

typedef struct bigstack_job {
  void (*fn)(void *);
  void *arg;
} bigstack_job;

static void *bigstack_thread(void *p) {
  bigstack_job *j = p;
  j->fn(j->arg);
  return NULL;
}

void tmpl_on_big_stack(void (*fn)(void *), void *arg) {
  pthread_attr_t attr;
  pthread_t th;
  bigstack_job j = {fn, arg};
  if (pthread_attr_init(&attr) == 0) {
    pthread_attr_setstacksize(&attr, (size_t)256 << 20);
    if (pthread_create(&th, &attr, bigstack_thread, &j) == 0) {
      pthread_attr_destroy(&attr);
      pthread_join(th, NULL);
      return;
    }
    pthread_attr_destroy(&attr);
  }
  fn(arg);
}

typedef struct parse_job {
  tmpl_set *s;
  const char *name, *text;
  size_t len;
  tmpl_error *err;
  int rc;
} parse_job;

static void parse_job_run(void *p) {
  parse_job *j = p;
  j->rc = tmpl_parse_text(j->s->h, j->name, j->text ? j->text : "", j->len, set_add, j->s, j->err);
}

int tmpl_set_parse(tmpl_set *s, const char *name, const char *text, size_t len, tmpl_error *err) {
  if (!s || !name || (!text && len)) {
    if (err) {
      err->code = TMPL_EINVALID;
      tmpl_msgf(err->msg, sizeof err->msg, "invalid argument");
    }
    return TMPL_EINVALID;
  }
  if (err) {
    err->detail = NULL;
    err->is_fail = 0;
  }
  parse_job j = {s, name, text, len, err, 0};
  tmpl_on_big_stack(parse_job_run, &j);
  return j.rc;
}

int tmpl_set_has(const tmpl_set *s, const char *name) {
  return s && name && set_lookup(s, name) != NULL;
}

typedef struct exec_job {
  tmpl_set *s;
  const char *name;
  tval *data;
  tmpl_heap *h;
  tmpl_buf *out;
  tmpl_error *err;
  int rc;
  size_t stack_max;
} exec_job;

static void run_job(exec_job *j) {
  texec x = {0};
  char base;
  x.stack_base = &base;
  x.stack_max = j->stack_max;
  tmpl_fmt_limit = j->s->opts.limits.max_output;
  x.set = j->s;
  x.h = j->h;
  x.o = &j->s->opts;
  x.err = j->err;
  x.rng = j->s->opts.rand_seed ? j->s->opts.rand_seed
                               : ((uint64_t)time(NULL) << 20) ^ (uint64_t)(uintptr_t)&x;
  if (j->err) {
    j->err->code = 0;
    j->err->msg[0] = 0;
    j->err->is_fail = 0;
    j->err->detail = NULL;
  }
  ttree *t = set_lookup(j->s, j->name);
  if (!t) {
    if (j->err) {
      j->err->code = TMPL_ENOTFOUND;
      tmpl_msgf(j->err->msg, sizeof j->err->msg,
                "template: no template \"%s\" associated with template \"%s\"", j->name,
                x.o->root_name);
    }
    j->rc = TMPL_ENOTFOUND;
    return;
  }
  sb buf = {0};
  x.out = &buf;
  int rc = exec_tree(&x, t, RV(j->data ? j->data : TV_INVALID));
  free(x.vars);
  free(x.incl);
  if (rc != 0 && j->err) {
    const char *m = x.errmsg.p ? x.errmsg.p : "";
    tmpl_msgf(j->err->msg, sizeof j->err->msg, "%s", m);
    if (x.errmsg.n >= sizeof j->err->msg) j->err->detail = strdup(m);
  }
  sb_free(&x.errmsg);
  sb_free(&x.fnerr);
  /* append to caller's buffer, optionally stripping "<no value>" */
  tmpl_buf *o = j->out;
  size_t need = o->len + buf.n + 1;
  if (need > o->cap) {
    size_t nc = o->cap ? o->cap : 256;
    while (nc < need)
      nc *= 2;
    char *p = realloc(o->data, nc);
    if (!p) {
      sb_free(&buf);
      j->rc = TMPL_ENOMEM;
      return;
    }
    o->data = p;
    o->cap = nc;
  }
  for (size_t i = 0; i < buf.n;) {
    if (x.o->strip_no_value && buf.n - i >= 10 && !memcmp(buf.p + i, "<no value>", 10)) {
      i += 10;
      continue;
    }
    o->data[o->len++] = buf.p[i++];
  }
  o->data[o->len] = 0;
  sb_free(&buf);
  if (rc != 0) {
    j->rc = x.limit_hit ? TMPL_ELIMIT : TMPL_EEXEC;
    if (j->err) {
      j->err->code = j->rc;
      j->err->is_fail = strstr(tmpl_error_text(j->err), "HELM_ERR_START") != NULL;
    }
    return;
  }
  j->rc = 0;
}

static void *job_thread(void *arg) {
  run_job(arg);
  return NULL;
}

int tmpl_set_execute(tmpl_set *s, const char *name, tmpl_value *data, tmpl_heap *h, tmpl_buf *out,
                     tmpl_error *err) {
  if (!s || !name || !h || !out) return TMPL_EINVALID;
  exec_job j = {s, name, data, h, out, err, 0, (size_t)448 << 20};
  /* run on a thread with a large stack: deep template recursion must not
   * overflow the caller's (possibly small) stack */
  pthread_attr_t attr;
  pthread_t th;
  if (pthread_attr_init(&attr) == 0) {
    pthread_attr_setstacksize(&attr, (size_t)512 << 20);
    if (pthread_create(&th, &attr, job_thread, &j) == 0) {
      pthread_attr_destroy(&attr);
      pthread_join(th, NULL);
      return j.rc;
    }
    pthread_attr_destroy(&attr);
  }
  j.stack_max = (size_t)4 << 20; /* caller's stack: be conservative */
  run_job(&j);
  return j.rc;
}

/* ---------------- Helm's error reformatting ---------------- */
const char *tmpl_error_text(const tmpl_error *e) {
  return e->detail ? e->detail : e->msg;
}

void tmpl_error_clear(tmpl_error *e) {
  if (!e) return;
  free(e->detail);
  e->detail = NULL;
  e->msg[0] = 0;
  e->code = 0;
  e->is_fail = 0;
}

char *tmpl_helm_error_string(const tmpl_error *e) {
  const char *m = tmpl_error_text(e);
  sb o = {0};
  sb_putn(&o, "", 0);
  if (e->code == TMPL_EPARSE) {
    /* cleanupParseError: "parse error at (LOCATION): LAST" */
    const char *p1 = strstr(m, ": ");
    if (!p1) {
      sb_puts(&o, m);
      return o.p;
    }
    const char *loc = p1 + 2;
    const char *p2 = strstr(loc, ": ");
    const char *last = m;
    for (const char *q = m; (q = strstr(q, ": ")); q += 2)
      last = q + 2;
    size_t ll = p2 ? (size_t)(p2 - loc) : strlen(loc);
    sb_printf(&o, "parse error at (%.*s): %s", (int)ll, loc, last);
    return o.p;
  }
  const char *s = strstr(m, "HELM_ERR_START");
  const char *en = NULL;
  for (const char *q = m; (q = strstr(q, "HELM_ERR_END")); q++)
    en = q;
  if (s && en && en >= s + 14 && !strncmp(m, "template: ", 10)) {
    const char *loc = m + 10;
    const char *p2 = strstr(loc, ": ");
    size_t ll = p2 ? (size_t)(p2 - loc) : strlen(loc);
    sb_printf(&o, "execution error at (%.*s): %.*s", (int)ll, loc, (int)(en - (s + 14)), s + 14);
    return o.p;
  }
  sb_puts(&o, m);
  return o.p;
}

void tmpl_helm_error_message(const tmpl_error *e, char *dst, size_t cap) {
  if (!cap) return;
  char *s = tmpl_helm_error_string(e);
  tmpl_msgf(dst, cap, "%s", s);
  free(s);
}

void exec_mark_fail(texec *x) {
  (void)x;
}
