/*
 * gotmpl — Go text/template + Sprig v3 + Helm's template functions, in C.
 *
 * Goal: render Helm chart templates byte-identical to `helm template`
 * (Helm v3.17, Go text/template with missingkey=zero, Sprig v3.3).
 *
 * Three parts:
 *   1. tmpl_heap / tmpl_value: a dynamic value model shaped like the Go values
 *      Helm passes to templates (nil, bool, int, int64, float64, string,
 *      []interface{}, map[string]interface{}, []byte, structs with fields, and
 *      C-implemented methods on any map/struct/list such as .Files.Get or
 *      .Capabilities.APIVersions.Has).  Every value lives in a tmpl_heap and is
 *      freed with it (no per-value free).  Maps and lists are references, like
 *      in Go: `set`/`merge` in a template mutate the map everyone sees.
 *   2. tmpl_set: a set of named templates (Helm parses every template of a
 *      chart and its subcharts into one set so `define`d names are shared),
 *      executed by name into a tmpl_buf.
 *   3. hooks: lookup, limits; helpers that build Helm's built-in objects
 *      (.Capabilities, .Files, .Chart) with Helm's Go type names and methods.
 *
 * Errors: every int-returning function returns 0 on success or a negative
 * tmpl_code and fills `err` (when non-NULL) with Go's / Helm's message text,
 * e.g. `template: x/templates/a.yaml:3:12: executing "x/templates/a.yaml" at
 * <.Values.a>: nil pointer evaluating interface {}.a`.
 *
 * Threading: a tmpl_set and a tmpl_heap are single-threaded objects; distinct
 * ones may be used from different threads.  Execution runs on an internal
 * thread with a large stack (deep include chains cannot overflow the caller's
 * stack); callbacks are invoked on that thread while the caller waits.
 */
#ifndef GITOPS_ENGINE_GOTMPL_GOTMPL_H
#define GITOPS_ENGINE_GOTMPL_GOTMPL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

typedef enum tmpl_code {
  TMPL_OK = 0,
  TMPL_EPARSE = -1,    /* template syntax error */
  TMPL_EEXEC = -2,     /* error while executing (incl. fail/required) */
  TMPL_ENOTFOUND = -3, /* no template of that name */
  TMPL_ELIMIT = -4,    /* a tmpl_limits bound was hit */
  TMPL_EINVALID = -5,  /* bad argument to an API function */
  TMPL_ENOMEM = -6
} tmpl_code;

#define TMPL_ERROR_MAX 8192

typedef struct tmpl_error {
  int code; /* tmpl_code */
  /* Go's error text (ExecError / parse error); truncated to fit. */
  char msg[TMPL_ERROR_MAX];
  /* For execution errors: 1 when the root cause is Sprig's `fail` or
   * Helm's `required` (Helm prints those as "execution error at (...)"). */
  int is_fail;
  /* The complete message when it is longer than msg (include loops give
   * ~100 KB), else NULL.  Set by tmpl_set_parse/tmpl_set_execute, which
   * do not free an earlier one: release it with tmpl_error_clear(). */
  char *detail;
} tmpl_error;

/* The full error text (detail or msg); never NULL. */
const char *tmpl_error_text(const tmpl_error *e);
void tmpl_error_clear(tmpl_error *e);

/* Growable output buffer.  Zero-initialise; free with tmpl_buf_free. */
typedef struct tmpl_buf {
  char *data; /* NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
} tmpl_buf;
void tmpl_buf_free(tmpl_buf *b);

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

typedef struct tmpl_heap tmpl_heap;
typedef struct tmpl_value tmpl_value;

typedef enum tmpl_kind {
  TMPL_INVALID = 0, /* Go's invalid reflect.Value: prints "<no value>" */
  TMPL_NIL,         /* nil interface{} (JSON null) */
  TMPL_BOOL,
  TMPL_INT,   /* Go int / int64 / int32 / uint… (see tmpl_type_name) */
  TMPL_FLOAT, /* float64 */
  TMPL_STRING,
  TMPL_BYTES,  /* []byte (e.g. .Files.GetBytes) */
  TMPL_LIST,   /* []interface{} or []string */
  TMPL_MAP,    /* map[string]interface{} (or map[string]string) */
  TMPL_STRUCT, /* struct / *struct: fields by name (missing = error) */
  TMPL_OPAQUE  /* other Go types (semver, time.Time…); internal */
} tmpl_kind;

/* A heap owns every value allocated in it.  max_bytes bounds its total
 * allocation (0 = unlimited); exceeding it makes execution fail with
 * TMPL_ELIMIT ("memory limit exceeded"). */
tmpl_heap *tmpl_heap_new(size_t max_bytes);
void tmpl_heap_free(tmpl_heap *h);
size_t tmpl_heap_used(const tmpl_heap *h);

/* Constructors.  Strings are copied.  Return NULL only on allocation
 * failure / heap limit. */
tmpl_value *tmpl_nil(tmpl_heap *h);
tmpl_value *tmpl_bool(tmpl_heap *h, int b);
tmpl_value *tmpl_int64(tmpl_heap *h, int64_t i); /* Go int64 (--set ints) */
tmpl_value *tmpl_int(tmpl_heap *h, int64_t i);   /* Go int */
tmpl_value *tmpl_float(tmpl_heap *h, double f);  /* Go float64 */
tmpl_value *tmpl_string(tmpl_heap *h, const char *s);
tmpl_value *tmpl_stringn(tmpl_heap *h, const char *s, size_t n);
tmpl_value *tmpl_bytes(tmpl_heap *h, const void *p, size_t n);
tmpl_value *tmpl_list(tmpl_heap *h); /* []interface{} */
tmpl_value *tmpl_map(tmpl_heap *h);  /* map[string]interface{} */
/* A struct (Go field access; a missing field is an execution error).
 * type_name is Go's %T, e.g. "*chart.Metadata" (copied). */
tmpl_value *tmpl_struct(tmpl_heap *h, const char *type_name);

/* Go type name override for %T / typeOf / kindIs, e.g. "chartutil.Values"
 * for .Values, "chartutil.VersionSet" for a []string with methods,
 * "[]string", "map[string]string", "int32".  Copied. */
void tmpl_set_type_name(tmpl_value *v, const char *type_name);
const char *tmpl_type_name(const tmpl_value *v); /* never NULL */

tmpl_kind tmpl_kind_of(const tmpl_value *v); /* NULL → TMPL_INVALID */
int tmpl_get_bool(const tmpl_value *v);
int64_t tmpl_get_int(const tmpl_value *v);
double tmpl_get_float(const tmpl_value *v);
/* String or bytes contents (NUL-terminated) and length. */
const char *tmpl_get_string(const tmpl_value *v, size_t *len);

/* Lists. */
int tmpl_list_append(tmpl_value *list, tmpl_value *item);
size_t tmpl_list_len(const tmpl_value *list);
tmpl_value *tmpl_list_get(const tmpl_value *list, size_t i);

/* Maps and structs (fields).  set replaces an existing key. */
int tmpl_map_set(tmpl_value *map, const char *key, tmpl_value *val);
tmpl_value *tmpl_map_get(const tmpl_value *map, const char *key); /* NULL if absent */
int tmpl_map_delete(tmpl_value *map, const char *key);
size_t tmpl_map_len(const tmpl_value *map);
/* Keys in Go's sorted order (byte-wise); i < tmpl_map_len. */
const char *tmpl_map_key_sorted(const tmpl_value *map, size_t i);

/* Methods implemented in C, callable from templates as `.Obj.Name ARGS…`
 * on a map, struct or list value.  Return 0 and set *out, or return
 * non-zero after tmpl_call_error() (Go's "error calling NAME: MSG"). */
typedef struct tmpl_call tmpl_call;
typedef int (*tmpl_method_fn)(tmpl_call *c, void *udata, tmpl_value *self, tmpl_value **args,
                              size_t nargs, tmpl_value **out);
/* nparams: number of string-or-any parameters the Go method declares (Go
 * checks the count: "wrong number of args for Get: want 1 got 0"). */
int tmpl_add_method(tmpl_value *v, const char *name, int nparams, tmpl_method_fn fn, void *udata);
tmpl_heap *tmpl_call_heap(tmpl_call *c);
int tmpl_call_error(tmpl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cJSON bridge.  JSON numbers become float64 (as Helm's YAML→JSON values
 * do) unless ints_as_int64 is set, then integral numbers that fit become
 * int64 (as --set values do).  Objects become map[string]interface{}. */
tmpl_value *tmpl_from_cjson(tmpl_heap *h, const struct cJSON *j, int ints_as_int64);
/* Go's encoding/json view of a value (maps sorted; structs via their fields
 * as set).  Caller frees with cJSON_Delete. */
struct cJSON *tmpl_to_cjson(const tmpl_value *v);

/* YAML helpers with Helm's semantics: sigs.k8s.io/yaml (go-yaml v2, then
 * JSON), so every number is float64, as chartutil.ReadValues and fromYaml
 * see them; only the first document is read; an empty document gives a
 * TMPL_NIL value.  Returns NULL and fills err on a YAML error (go-yaml's
 * message, e.g. "error converting YAML to JSON: yaml: line 2: …"). */
tmpl_value *tmpl_from_yaml(tmpl_heap *h, const char *yaml, size_t len, tmpl_error *err);
/* Helm's toYaml (no trailing newline trimmed: exact yaml.Marshal output). */
int tmpl_to_yaml(const tmpl_value *v, tmpl_buf *out, tmpl_error *err);

/* ------------------------------------------------------------------ */
/* Helm's built-in objects                                              */
/* ------------------------------------------------------------------ */

/* .Capabilities (*chartutil.Capabilities): KubeVersion{Version, Major,
 * Minor, GitVersion} (methods too), APIVersions (VersionSet with .Has),
 * HelmVersion{Version, GitCommit, GitTreeState, GoVersion}.
 * kube_version like "v1.31.0"; api_versions: n strings
 * ("apps/v1", "apps/v1/Deployment", …). */
typedef struct tmpl_capabilities_info {
  const char *kube_version; /* "v1.32.0" (Helm default for 3.17) */
  const char *const *api_versions;
  size_t n_api_versions;
  const char *helm_version; /* "v3.17.2" */
  const char *helm_git_commit;
  const char *helm_git_tree_state; /* "clean" */
  const char *go_version;          /* "go1.23.7" */
} tmpl_capabilities_info;
tmpl_value *tmpl_capabilities_new(tmpl_heap *h, const tmpl_capabilities_info *ci);

/* .Files (engine.files): names[i] → data[i] (lens[i] bytes).  Methods Get,
 * GetBytes, Glob, Lines, AsConfig, AsSecrets as Helm implements them. */
tmpl_value *tmpl_files_new(tmpl_heap *h, const char *const *names, const char *const *data,
                           const size_t *lens, size_t n);

/* Make `map` a chartutil.Values: type name plus its methods YAML, AsMap and
 * Table (Helm's top-level data, .Values and .Template are Values). */
int tmpl_helm_values(tmpl_value *map);

/* .Chart (*chart.Metadata) from Chart.yaml converted to JSON (field
 * names as in Chart.yaml: name, version, appVersion, …). */
tmpl_value *tmpl_chart_metadata_from_cjson(tmpl_heap *h, const struct cJSON *chart_yaml);

/* ------------------------------------------------------------------ */
/* Template sets                                                        */
/* ------------------------------------------------------------------ */

typedef struct tmpl_set tmpl_set;

/* `lookup apiVersion kind namespace name`: return a map (the object, or a
 * list object `{items: […]}` when name is "") in *out.  NULL hook → an
 * empty map, as `helm template` does. */
typedef int (*tmpl_lookup_fn)(void *udata, tmpl_heap *h, const char *api_version, const char *kind,
                              const char *ns, const char *name, tmpl_value **out, char *errmsg,
                              size_t errcap);

typedef struct tmpl_limits {
  /* Nested template/include/tpl calls in total (Go: 100000; C stack is
   * the real limit here).  0 → default 3000. */
  int max_depth;
  /* Per-name include nesting, Helm's recursionMaxNums. 0 → 1000. */
  int max_include_per_name;
  /* Total output bytes of one tmpl_set_execute (incl. what include/tpl
   * produce).  0 → 64 MiB. */
  size_t max_output;
  /* Total range iterations (+ until/seq lengths) per execute. 0 → 10M. */
  uint64_t max_range_iters;
  /* Evaluation steps per execute (guards against everything else).
   * 0 → 200M. */
  uint64_t max_steps;
} tmpl_limits;

typedef struct tmpl_options {
  tmpl_limits limits;
  /* missingkey option: 0 = zero (Helm non-strict default), 1 = error
   * (helm --strict / lint), 2 = default ("invalid"). */
  int missingkey;
  /* Helm's "<no value>" → "" replacement on the output of the executed
   * template (and inside tpl), as Helm's engine does. */
  int strip_no_value;
  tmpl_lookup_fn lookup;
  void *lookup_udata;
  /* Fixed seed for randomness (rand*, uuidv4, shuffle, genPrivateKey
   * still uses OpenSSL's RNG); 0 → unpredictable.  For tests. */
  uint64_t rand_seed;
  /* Fixed "now" in Unix seconds for now/date/ago; 0 → the clock. */
  int64_t fixed_now;
  /* Name of the root template (Helm: "gotpl"): the name `tpl` parses its
   * text under. NULL → "gotpl". */
  const char *root_name;
  /* getHostByName resolves names only when set (helm --enable-dns);
   * otherwise it returns "" as Helm does by default. */
  int enable_dns;
} tmpl_options;

/* opts may be NULL (Helm defaults).  Copied. */
tmpl_set *tmpl_set_new(const tmpl_options *opts);
void tmpl_set_free(tmpl_set *s);

/* Parse `text` as template `name` (Go: t.New(name).Parse(text)); its
 * {{define}}s are added to the set (a later definition replaces an earlier
 * one; an empty body never replaces a non-empty one, as in Go).
 * Parse errors: "template: NAME:LINE: …" like Go. */
int tmpl_set_parse(tmpl_set *s, const char *name, const char *text, size_t len, tmpl_error *err);
int tmpl_set_has(const tmpl_set *s, const char *name);

/* Execute template `name` with `data` (dot and $) appending to `out`.
 * Values created during execution are allocated in `h` (normally the heap
 * that holds `data`).  On error, out holds the partial output. */
int tmpl_set_execute(tmpl_set *s, const char *name, tmpl_value *data, tmpl_heap *h, tmpl_buf *out,
                     tmpl_error *err);

/* Helm's reformatting of an execution error for template file `filename`
 * (engine.reformatExecErrorMsg): fail/required become
 * "execution error at (FILE:LINE:COL): MSG".  Writes into dst. */
void tmpl_helm_error_message(const tmpl_error *e, char *dst, size_t cap);
/* Same, complete and malloc'ed (free() it). */
char *tmpl_helm_error_string(const tmpl_error *e);

/* Convenience: Go's %v formatting of a value (as {{ . }} prints it). */
int tmpl_format_value(const tmpl_value *v, tmpl_buf *out);

#ifdef __cplusplus
}
#endif
#endif
