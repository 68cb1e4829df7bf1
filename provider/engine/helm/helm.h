/*
 * engine/helm — Helm 3 charts rendered like `helm template` (Helm v3.17).
 *
 * Pieces, each usable on its own:
 *   values     helm_value: the tree Helm's values are (nil, bool, int64,
 *              float64, string, list, map); YAML / JSON readers with Helm's
 *              semantics (sigs.k8s.io/yaml: every YAML number is float64).
 *   strvals    --set / --set-string / --set-json / --set-file / --set-literal
 *              parsing with Helm's pkg/strvals rules.
 *   charts     loading from a directory or a .tgz (read safely: no path
 *              traversal, no links, size and file-count limits), .helmignore,
 *              Chart.yaml v1/v2, values.yaml, values.schema.json, charts/.
 *   coalesce   chart defaults <- parent values <- user values, globals;
 *              dependencies: condition, tags, alias, import-values.
 *   schema     values.schema.json validation (JSON Schema draft 7 subset)
 *              with Helm 3.17's (gojsonschema) error text.
 *   render     the template engine (engine/gotmpl) run the way Helm's engine
 *              runs it, manifests split and sorted in Helm's install order.
 *   cli        helm_cli_template(): the `template` subcommand.
 *
 * Errors (libgit2 style): functions return 0 or a negative helm_code and fill
 * the caller's helm_error (message in Helm's words, plus the C file:line that
 * raised it); release it with helm_error_clear().  Nothing here prints or
 * exits except helm_cli_template().
 *
 * Ownership: everything returned is owned by the caller and released by the
 * matching *_free function; input strings are borrowed for the call.
 */
#ifndef GITOPS_ENGINE_HELM_H
#define GITOPS_ENGINE_HELM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                               */

typedef enum helm_code {
  HELM_OK = 0,
  HELM_EINVALID = -1,  /* bad input: chart, values, flags */
  HELM_ENOTFOUND = -2, /* missing file, chart, template */
  HELM_EIO = -3,       /* read error */
  HELM_ENOMEM = -4,
  HELM_ETOOBIG = -5, /* a size / count limit was exceeded */
  HELM_EUNSAFE = -6, /* archive entry escapes the chart (.., /, links) */
  HELM_ESCHEMA = -7, /* values do not meet values.schema.json */
  HELM_ERENDER = -8, /* template parse / execution error */
  HELM_EYAML = -9    /* YAML / JSON syntax error */
} helm_code;

typedef struct helm_error {
  int code;         /* same as the return value */
  char *message;    /* heap, Helm's text (without "Error: "); NULL if none */
  const char *file; /* C source file:line that set the error */
  int line;
} helm_error;

void helm_error_clear(helm_error *err);
/* Static symbolic name of a code ("HELM_EINVALID"). */
const char *helm_strerror(int code);

/* ------------------------------------------------------------------ */
/* Values                                                               */

typedef enum helm_vtype {
  HELM_NULL = 0,
  HELM_BOOL,
  HELM_INT,   /* int64 (--set) */
  HELM_FLOAT, /* float64 (YAML / JSON numbers) */
  HELM_STRING,
  HELM_LIST,
  HELM_MAP /* keys kept sorted (byte-wise), unique */
} helm_vtype;

typedef struct helm_value helm_value;
struct helm_value {
  helm_vtype type;
  union {
    int b;
    int64_t i;
    double f;
    struct {
      char *s;
      size_t len;
    } str;
    struct {
      helm_value **items;
      size_t n, cap;
    } list;
    struct {
      char **keys;
      helm_value **vals;
      size_t n, cap;
    } map;
  } u;
};

helm_value *helm_value_null(void);
helm_value *helm_value_bool(int b);
helm_value *helm_value_int(int64_t i);
helm_value *helm_value_float(double f);
helm_value *helm_value_string(const char *s);
helm_value *helm_value_stringn(const char *s, size_t n);
helm_value *helm_value_list(void);
helm_value *helm_value_map(void);
void helm_value_free(helm_value *v);
helm_value *helm_value_copy(const helm_value *v); /* deep; NULL on ENOMEM */
int helm_value_equal(const helm_value *a, const helm_value *b);

/* Maps: get returns a borrowed pointer or NULL; set takes ownership of val
 * (replacing and freeing an existing one); take removes and returns. */
helm_value *helm_map_get(const helm_value *map, const char *key);
int helm_map_set(helm_value *map, const char *key, helm_value *val);
helm_value *helm_map_take(helm_value *map, const char *key);
int helm_map_delete(helm_value *map, const char *key);
/* Walks a dotted path of maps ("a.b.c"); NULL if any step is missing. */
helm_value *helm_map_path(const helm_value *map, const char *dotted);
/* Lists: append takes ownership. */
int helm_list_append(helm_value *list, helm_value *item);
/* Short type name Go's %T would print for the value as Helm holds it
 * ("map[string]interface {}", "[]interface {}", "string", "float64",
 * "int64", "bool", "<nil>"). */
const char *helm_value_go_type(const helm_value *v);

/* YAML (one document, sigs.k8s.io/yaml semantics: numbers float64, YAML
 * 1.1 booleans, merge keys, non-string keys stringified).  An empty
 * document gives HELM_NULL.  `what` names the input in error messages. */
int helm_yaml_parse(const char *text, size_t len, helm_value **out, helm_error *err);
/* Values-file flavour: the top level must be a map (or empty: {}). */
int helm_yaml_parse_values(const char *text, size_t len, helm_value **out, helm_error *err);
/* JSON (numbers float64, or int64 for integral numbers when ints_as_int64). */
int helm_json_parse(const char *text, size_t len, int ints_as_int64, helm_value **out,
                    helm_error *err);
/* Compact JSON as Go's encoding/json prints it (keys sorted). Heap string. */
char *helm_value_to_json(const helm_value *v);

/* ------------------------------------------------------------------ */
/* strvals (--set and friends)                                          */

typedef enum helm_set_kind {
  HELM_SET = 0,    /* --set: ints int64, true/false bool, null deletes */
  HELM_SET_STRING, /* --set-string: every value a string */
  HELM_SET_JSON,   /* --set-json: values are JSON */
  HELM_SET_FILE,   /* --set-file: values are file paths, contents as strings */
  HELM_SET_LITERAL /* --set-literal: the whole rest is one literal string */
} helm_set_kind;

/* Parse one flag argument ("a.b[0].c=x,d={1,2}") into `into` (a map). */
int helm_strvals_parse(const char *s, helm_set_kind kind, helm_value *into, helm_error *err);

/* Merge of user-supplied values, in Helm's order (values.Options.MergeValues):
 * -f files (each merged over the previous, maps merged, other types
 * replaced), then --set-json, --set, --set-string, --set-file,
 * --set-literal, each in the order given. "-" as a file reads stdin. */
typedef struct helm_values_options {
  const char *const *value_files;
  size_t n_value_files;
  const char *const *json_values;
  size_t n_json_values;
  const char *const *values;
  size_t n_values;
  const char *const *string_values;
  size_t n_string_values;
  const char *const *file_values;
  size_t n_file_values;
  const char *const *literal_values;
  size_t n_literal_values;
} helm_values_options;
int helm_values_merge(const helm_values_options *opts, helm_value **out, helm_error *err);

/* ------------------------------------------------------------------ */
/* Charts                                                               */

typedef struct helm_file {
  char *name;          /* '/'-separated, relative to the chart root */
  unsigned char *data; /* NUL-terminated for convenience */
  size_t size;
} helm_file;

typedef struct helm_dependency {
  char *name, *version, *repository, *condition, *alias;
  char **tags;
  size_t n_tags;
  helm_value *import_values; /* list (strings or {child,parent} maps) or NULL */
  int enabled;               /* set by dependency processing */
} helm_dependency;

typedef struct helm_chart helm_chart;
struct helm_chart {
  /* Chart.yaml */
  char *api_version, *name, *version, *app_version, *type, *kube_version;
  char *description, *condition, *tags;
  int deprecated;
  helm_dependency *deps;
  size_t n_deps;        /* Chart.yaml / requirements.yaml */
  helm_value *metadata; /* Chart.yaml as read (for .Chart), name kept current */

  helm_file *templates;
  size_t n_templates; /* templates/... */
  helm_file *files;
  size_t n_files;     /* .Files: every other file */
  helm_value *values; /* values.yaml (a map, maybe empty) */
  char *schema;
  size_t schema_len; /* values.schema.json or NULL */

  helm_chart **charts;
  size_t n_charts; /* charts/ (loaded sub-charts) */
  helm_chart *parent;
};

typedef struct helm_load_limits {
  size_t max_files;      /* per chart archive / directory tree; 0: 20000 */
  size_t max_file_size;  /* one file, decompressed; 0: 5 MiB (Helm's) */
  size_t max_total_size; /* whole chart, decompressed; 0: 100 MiB (Helm's) */
  int max_depth;         /* nested sub-charts; 0: 32 */
} helm_load_limits;

/* A directory or a .tgz file (Helm's loader.Load). limits may be NULL. */
int helm_chart_load(const char *path, const helm_load_limits *limits, helm_chart **out,
                    helm_error *err);
/* A gzip-compressed tar archive in memory (loader.LoadArchive). */
int helm_chart_load_archive(const unsigned char *data, size_t len, const helm_load_limits *limits,
                            helm_chart **out, helm_error *err);
void helm_chart_free(helm_chart *c);
/* "parent/charts/name" path Helm uses in template names. Heap string. */
char *helm_chart_full_path(const helm_chart *c);
/* Dependencies in Chart.yaml missing from charts/ (action.CheckDependencies):
 * fills err with Helm's message and returns HELM_ENOTFOUND. */
int helm_chart_check_dependencies(const helm_chart *c, helm_error *err);

/* ------------------------------------------------------------------ */
/* Coalescing and dependencies                                          */

/* chartutil.CoalesceValues: user values over the chart's defaults (and,
 * recursively, every sub-chart's under its name, globals copied down).
 * Returns a new tree in *out. */
int helm_coalesce_values(const helm_chart *c, const helm_value *user, helm_value **out,
                         helm_error *err);
/* chartutil.ProcessDependenciesWithMerge: drops disabled sub-charts
 * (condition, tags), applies aliases, and import-values into the chart's
 * values. Modifies the chart. */
int helm_process_dependencies(helm_chart *c, const helm_value *user, helm_error *err);

/* values.schema.json validation of `values` for chart c and its sub-charts:
 * on failure HELM_ESCHEMA with Helm's full message. */
int helm_validate_schema(const helm_chart *c, const helm_value *values, helm_error *err);
/* Validate one document against one schema (JSON text); on failure fills
 * *report with the "- field: message\n" lines (heap) and returns HELM_ESCHEMA. */
int helm_schema_validate(const char *schema_json, size_t len, const helm_value *values,
                         char **report, helm_error *err);

/* Masterminds semver constraint check (Chart.yaml kubeVersion). 1 = ok,
 * 0 = not satisfied, negative = bad constraint/version. */
int helm_semver_check(const char *constraint, const char *version);

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

typedef struct helm_render_options {
  const char *release_name; /* default "release-name" */
  const char *namespace_;   /* default "default" */
  const char *kube_version; /* NULL: v1.32.0 */
  const char *const *api_versions;
  size_t n_api_versions; /* added to defaults */
  int include_crds;
  int is_upgrade;
} helm_render_options;

typedef struct helm_manifest {
  char *name;    /* "chart/templates/file.yaml" */
  char *content; /* the document, trimmed */
  char *kind;
  int weight; /* hooks: helm.sh/hook-weight */
} helm_manifest;

typedef struct helm_release {
  char *manifest; /* what Helm stores as the release manifest
                     ("---\n# Source: …\n…\n" per document, CRDs first
                     with include_crds) */
  helm_manifest *manifests;
  size_t n_manifests; /* sorted, non-hook */
  helm_manifest *hooks;
  size_t n_hooks; /* sorted hooks */
  char *notes;    /* rendered NOTES.txt of the top chart */
  char *warnings; /* lines Helm logs on stderr while coalescing and
                     processing dependencies ("coalesce.go:237: warning: …");
                     set on failure too */
} helm_release;

/* The whole `helm template` pipeline after values are merged: dependencies,
 * coalescing, schema, rendering, sorting (action.Install in client-only
 * mode).  Modifies the chart (dependency processing). */
int helm_render(helm_chart *c, const helm_value *user_values, const helm_render_options *opts,
                helm_release *out, helm_error *err);
void helm_release_free(helm_release *r);

/* Helm's releaseutil.SplitManifests: documents of a rendered file, trimmed,
 * empty ones dropped. *docs is a heap array of heap strings. */
int helm_split_manifests(const char *text, char ***docs, size_t *n);
/* Install order rank of a kind (index in Helm's InstallOrder), -1 unknown. */
int helm_install_order(const char *kind);
#define HELM_N_INSTALL_ORDER 36 /* kinds in Helm's InstallOrder */

/* ------------------------------------------------------------------ */
/* CLI                                                                  */

/* `terraform-provider-gitops template [NAME] CHART [flags]`: argv[0] is
 * "template" (main passes argc-1, argv+1).  Prints like `helm template`
 * and returns the exit status (0, or 1 after "Error: …" on stderr). */
int helm_cli_template(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
