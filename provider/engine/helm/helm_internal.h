/* Internal helpers shared by the engine/helm sources. */
#ifndef GITOPS_ENGINE_HELM_INTERNAL_H
#define GITOPS_ENGINE_HELM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "engine/helm/helm.h"

/* Sets err (when non-NULL; replacing an earlier message) and returns code. */
int helm_error_set(helm_error *err, int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prefixes the current message: "PREFIX: old". Returns err->code. */
int helm_error_wrap(helm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define HELM_ERR(err, code, ...) helm_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)
#define HELM_ENOMEM_ERR(err) HELM_ERR((err), HELM_ENOMEM, "out of memory")

/* Warnings Helm's log.Printf would print (collected, printed by the CLI). */
struct helm_sb;
void helm_warn_begin(struct helm_sb *sink); /* NULL stops collecting */
void helm_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable string. */
typedef struct helm_sb {
  char *s;
  size_t len, cap;
  int oom;
} helm_sb;
int helm_sb_add(helm_sb *b, const char *s, size_t n);
int helm_sb_puts(helm_sb *b, const char *s);
int helm_sb_putc(helm_sb *b, char c);
int helm_sb_printf(helm_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the string (never NULL unless oom) and resets the builder. */
char *helm_sb_take(helm_sb *b);
void helm_sb_free(helm_sb *b);

char *helm_strdup(const char *s);
char *helm_strndup(const char *s, size_t n);
int helm_has_prefix(const char *s, const char *p);
int helm_has_suffix(const char *s, const char *p);

/* Reads a whole file (limit bytes at most, 0 = unlimited). */
int helm_read_file(const char *path, size_t limit, char **data, size_t *len, helm_error *err);

/* Go's float64 %v / strconv 'g' shortest formatting into buf (>= 32 bytes). */
void helm_format_float(double f, char *buf, size_t cap);
/* json: encoding/json's float text (exponent only < 1e-6 or >= 1e21). */
void helm_format_float_mode(double f, int json, char *buf, size_t cap);

/* Tar (ustar / GNU / PAX) reader over a gzip stream, with safety checks. */
typedef struct helm_tar_entry {
  char *name;          /* as stored (PAX / GNU long names applied) */
  char type;           /* tar typeflag: '0' file, '5' dir, '2' symlink, ... */
  unsigned char *data; /* regular files only */
  size_t size;
} helm_tar_entry;
int helm_tar_read_gz(const unsigned char *gz, size_t len, const helm_load_limits *lim,
                     helm_tar_entry **entries, size_t *n, helm_error *err);
void helm_tar_entries_free(helm_tar_entry *e, size_t n);

/* .helmignore rules. */
typedef struct helm_ignore helm_ignore;
int helm_ignore_parse(const char *text, size_t len, helm_ignore **out, helm_error *err);
helm_ignore *helm_ignore_empty(void);
/* Adds Helm's defaults ("templates/.?*"). */
int helm_ignore_add_defaults(helm_ignore *r);
/* path: '/'-separated relative path; is_dir: the entry is a directory. */
int helm_ignore_match(const helm_ignore *r, const char *path, int is_dir);
void helm_ignore_free(helm_ignore *r);

/* Go's path.Match / filepath.Match (no '\\' escapes on '/' systems). 1 = match,
 * 0 = no, -1 = bad pattern. */
int helm_glob_match(const char *pattern, const char *name);

/* Loader from a flat list of (name, data) files (loader.LoadFiles). */
typedef struct helm_buffered_file {
  char *name;
  unsigned char *data;
  size_t size;
} helm_buffered_file;
int helm_chart_from_files(helm_buffered_file *files, size_t n, const helm_load_limits *lim,
                          int depth, helm_chart **out, helm_error *err);

/* Chart.yaml → fields of c (and the metadata map). */
int helm_chartfile_parse(helm_chart *c, const char *text, size_t len, helm_error *err);
int helm_chart_validate(const helm_chart *c, helm_error *err);
/* requirements.yaml (v1 charts): dependencies. */
int helm_chartfile_parse_requirements(helm_chart *c, const char *text, size_t len, helm_error *err);
int helm_dependency_from_value(helm_dependency *d, const helm_value *v);
void helm_dependency_clear(helm_dependency *d);

/* Coalescing primitives (chartutil). */
int helm_coalesce_tables(helm_value *dst, const helm_value *src, const char *prefix, int merge);
int helm_merge_maps(helm_value *dst, const helm_value *src); /* values.mergeMaps */

/* MergeValues (coalescing that keeps nulls). */
int helm_merge_values_chart(const helm_chart *c, const helm_value *user, helm_value **out,
                            helm_error *err);
/* Go's %v of a value (map[a:1 b:[x y]]). Heap string. */
char *helm_value_go_fmt(const helm_value *v);
/* Deep copy of a chart (sub-charts too; parent pointers fixed). */
helm_chart *helm_chart_clone(const helm_chart *c);

/* Manifest sorting. */
int helm_sort_manifests(char **names, char **contents, size_t n, helm_release *rel,
                        helm_error *err);

/* Heads of a manifest document (SimpleHead). */
typedef struct helm_head {
  char *kind, *name;
  helm_value *annotations; /* map or NULL */
} helm_head;
int helm_head_parse(const char *doc, helm_head *h, helm_error *err);
void helm_head_clear(helm_head *h);

/* Capabilities defaults (helm_caps.c). */
extern const char *const helm_default_api_versions[];
extern const char helm_default_kube_version[];
extern const char helm_version[];
extern const char helm_git_commit[];
extern const char helm_git_tree_state[];
extern const char helm_go_version[];
/* k8s ParseGeneric-style "v1.26.3" normalisation; -1 if not a version. */
int helm_parse_kube_version(const char *in, char *out, size_t cap);

#endif
