/*
 * engine/manifest — Kubernetes manifests as documents and objects.
 *
 * Multi-document YAML (libyaml) <-> JSON objects (cJSON), read the way
 * Kubernetes reads YAML (sigs.k8s.io/yaml -> gopkg.in/yaml.v2 -> JSON):
 * YAML 1.1 booleans, ints (0x, 0o, 0, _), floats, null, merge keys, tags,
 * non-string keys converted to strings, duplicate keys rejected.
 *
 * Numbers: every number this module creates is a cJSON *raw* item
 * (cJSON_IsRaw) whose valuestring is the canonical JSON number text, the
 * text Go's encoding/json prints for the value Kubernetes would hold
 * (`1.0` -> "1", `0x1F` -> "31", `1e-7` -> "1e-7"), except integers beyond
 * the uint64 range, which keep all their digits. Use mf_number_text() /
 * mf_number_value() to read a number whatever its representation; plain
 * cJSON numbers (cJSON_CreateNumber) are accepted everywhere as input.
 *
 * Errors: functions return 0 (MF_OK) or a negative MF_E* code and fill the
 * caller's mf_error (file, 1-based line and column, message). No printing,
 * no exit/abort. All returned memory is owned by the caller: free documents
 * with mf_docs_free(), strings with free().
 */
#ifndef GITOPS_ENGINE_MANIFEST_H
#define GITOPS_ENGINE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes (negative = error). */
enum {
  MF_OK = 0,
  MF_ENOMEM = -1,    /* out of memory */
  MF_EINVAL = -2,    /* bad argument (NULL pointer, bad glob, ...) */
  MF_ESYNTAX = -3,   /* YAML / JSON syntax error */
  MF_EVALUE = -4,    /* bad scalar: !!int that is not, .inf/.nan, bad !!binary, unsupported key */
  MF_EDUPKEY = -5,   /* duplicate mapping key */
  MF_ELIMIT = -6,    /* nesting depth, alias expansion or size limit exceeded */
  MF_ENOTOBJ = -7,   /* a document (or List item) is not a mapping */
  MF_EOBJECT = -8,   /* object without apiVersion or kind (or not strings) */
  MF_ENOTFOUND = -9, /* helper: field absent */
  MF_ERANGE = -10    /* helper: output buffer too small */
};

typedef struct mf_error {
  int code;          /* same as the return value */
  char message[512]; /* human readable, without the file:line prefix */
  char file[256];    /* file name given to the parser ("" if none) */
  int line, column;  /* 1-based; 0 when not applicable */
} mf_error;

/* Formats "file:line:column: message" (parts present only) into buf. */
const char *mf_error_format(const mf_error *err, char *buf, size_t cap);

typedef struct mf_doc {
  cJSON *obj; /* a mapping (cJSON object), owned by the mf_docs */
  int line;   /* first line of the document: its "---" line, or its first
               * content line when it has none (for List items: the List's) */
  char *file; /* file name the document came from (owned), NULL if none */
} mf_doc;

typedef struct mf_docs {
  mf_doc *items;
  size_t count, cap;
} mf_docs;

/* Limits and switches for parsing; mf_parse() uses mf_parse_opts_default(). */
typedef struct mf_parse_opts {
  size_t max_alias_nodes; /* nodes produced through aliases/merge keys, per stream (1000000) */
  int max_depth;          /* nesting of collections (1000) */
  size_t max_docs;        /* documents per stream, 0 = unlimited (0) */
  bool expand_lists;      /* expand kind *List with items[] into their items (true) */
  bool require_gvk;       /* every object needs string apiVersion and kind (true) */
} mf_parse_opts;

void mf_parse_opts_default(mf_parse_opts *opts);

/*
 * Parses every document of a YAML stream and appends them to *out (which
 * must be zero-initialised or hold earlier documents). Empty documents
 * (nothing, comments, null) are skipped; a kind ending in "List" with an
 * items array is replaced by its items (items without apiVersion and kind
 * take the List's apiVersion and the kind minus "List", as kubectl does);
 * one with items: null gives nothing. Every document must be a mapping and
 * every object needs non-empty string apiVersion and kind. Duplicate keys
 * are errors. On error *out is left as it was before the call (nothing
 * appended) and err is filled.
 */
int mf_parse(const char *buf, size_t len, const char *filename, mf_docs *out, mf_error *err);
int mf_parse_ex(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                mf_docs *out, mf_error *err);

/* YAML stream -> JSON values without any Kubernetes object rules: every
 * document as it is (null documents included as JSON null) in a cJSON
 * array. Same scalar rules and limits. For values files and tests. */
int mf_yaml_to_json(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                    cJSON **out, mf_error *err);

/* One JSON document (a .json manifest file) -> objects, with the same
 * object rules as mf_parse (List expansion, apiVersion/kind). */
int mf_parse_json(const char *buf, size_t len, const char *filename, const mf_parse_opts *opts,
                  mf_docs *out, mf_error *err);

void mf_docs_free(mf_docs *docs); /* frees the items, zeroes *docs */
int mf_docs_append(mf_docs *docs, cJSON *obj, int line, const char *file); /* takes obj */

/* YAML as `kubectl get -o yaml` prints it (sorted keys, 2-space indent,
 * go-yaml v2 quoting and block scalars). NULL on out of memory or for
 * inf/nan numbers. Caller frees. */
char *mf_to_yaml(const cJSON *obj);

/* Canonical JSON: keys sorted (byte order), no whitespace, numbers in
 * canonical form, strings escaped as Go's encoding/json does: the bytes
 * json.Marshal prints for the same value. NULL on OOM or inf/nan. */
char *mf_canonical_json(const cJSON *obj);

/* Lower-case hex SHA-256 of mf_canonical_json(obj). 0 or MF_ENOMEM/MF_EVALUE. */
int mf_digest(const cJSON *obj, char out[65]);

/* Numbers: canonical JSON text of a number item (raw or double) into buf;
 * value as double. Return 0, MF_EINVAL if item is not a number, MF_ERANGE. */
int mf_number_text(const cJSON *item, char *buf, size_t cap);
int mf_number_value(const cJSON *item, double *out);
bool mf_is_number(const cJSON *item);
/* New number item from canonical JSON number text (validated), or NULL. */
cJSON *mf_number_create(const char *json_number_text);

/* ---- object helpers (obj is a cJSON object) ---- */

typedef struct mf_gvk {
  char group[256]; /* "" for the core group (apiVersion "v1") */
  char version[128];
  char kind[256];
} mf_gvk;

/* From apiVersion and kind; MF_EOBJECT if absent or not strings. */
int mf_obj_gvk(const cJSON *obj, mf_gvk *out);
/* Pointers into obj (valid while obj lives), NULL if absent/not a string. */
const char *mf_obj_api_version(const cJSON *obj);
const char *mf_obj_kind(const cJSON *obj);
const char *mf_obj_name(const cJSON *obj);      /* metadata.name */
const char *mf_obj_namespace(const cJSON *obj); /* metadata.namespace */
const char *mf_obj_label(const cJSON *obj, const char *key);
const char *mf_obj_annotation(const cJSON *obj, const char *key);
/* metadata.labels / metadata.annotations objects, NULL if absent. */
const cJSON *mf_obj_labels(const cJSON *obj);
const cJSON *mf_obj_annotations(const cJSON *obj);
/* Set (creating metadata/labels/annotations as needed); 0 or MF_ENOMEM/MF_EINVAL. */
int mf_obj_set_label(cJSON *obj, const char *key, const char *value);
int mf_obj_set_annotation(cJSON *obj, const char *key, const char *value);
int mf_obj_set_namespace(cJSON *obj, const char *ns);

/* "group/Kind/namespace/name", empty parts as "": "/ConfigMap/default/x",
 * "apps/Deployment/web/api", "/Namespace//web". 0, MF_EOBJECT, MF_ERANGE. */
int mf_obj_key(const cJSON *obj, char *buf, size_t cap);

/* ---- directory source (Argo CD's "directory" source) ---- */

typedef struct mf_file {
  const char *path; /* relative to the source root, '/' separated */
  const char *data;
  size_t size;
} mf_file;

/*
 * As Argo CD's directory source (reposerver findManifests): picks files
 * named *.yaml, *.yml and *.json (case-sensitive, like Argo's regexp;
 * *.jsonnet is not supported and skipped), in filepath.Walk order (sorted
 * component by component), only top-level files unless recurse; exclude /
 * include globs (NULL or "" = none) are matched against the whole relative
 * path with gobwas/glob rules as Argo CD uses them: `*` and `?` also match
 * '/', `[a-z]`, `[!x]`, `{a,b}` alternation, `\` escapes; a malformed glob
 * is MF_EINVAL. YAML files go through mf_parse; a YAML file that fails
 * before giving any object and does not contain all of "apiVersion:",
 * "kind:" and "metadata:" is ignored, as Argo CD ignores it (values files,
 * CI configs). JSON files are one JSON document each (a UTF-8 BOM is
 * dropped). Appends to *out; on error nothing is appended and err names
 * the file (path as given, minus a leading "./") and line.
 */
int mf_load_files(const mf_file *files, size_t n, const char *include_glob,
                  const char *exclude_glob, bool recurse, mf_docs *out, mf_error *err);

/* Glob match as used by mf_load_files; false for a malformed pattern. */
bool mf_glob_match(const char *pattern, const char *path);

#ifdef __cplusplus
}
#endif
#endif
