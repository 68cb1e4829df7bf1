/* gitops_helm_release internals shared by hr_*.c. */
#ifndef HR_INTERNAL_H
#define HR_INTERNAL_H

#include <cjson/cJSON.h>

#include "engine/helm/helm.h"
#include "resources/hr_release.h"
#include "resources/res.h"

/* Everything the configuration renders to, without a cluster. */
typedef struct hr_render {
  const char *name, *ns; /* borrowed from the config */
  helm_chart *chart;     /* after rendering (dependencies processed) */
  helm_value *config;    /* user-supplied values (what Helm stores as config) */
  helm_release r;        /* manifest (no CRDs), hooks, notes */
  char *version, *app_version;
  char digest[65];  /* sha256 of r.manifest */
  char **sensitive; /* set_sensitive values (for redaction) */
  size_t n_sensitive;
} hr_render;

void hr_render_free(hr_render *h);
/* Loads the chart (local path or http(s) repository), merges values and renders. */
int hr_render_config(const res_ctx *ctx, const tf_value *config, int is_upgrade, hr_render *out,
                     tf_diags *d);
/* Error on a top-level attribute. Returns -1. */
int hr_attr_error(tf_diags *d, const char *attr, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The release's manifest as objects, Helm's labels and annotations added;
 * namespace filled in for namespaced kinds (static knowledge of cluster-scoped kinds). */
int hr_manifest_objects(const char *manifest, const char *name, const char *ns, cJSON ***objs,
                        size_t *n, char *err, size_t errcap);
void hr_objects_free(cJSON **objs, size_t n);
/* "group/Kind/namespace/name" => YAML (redacted) map value. */
tf_value *hr_objects_map(const char *manifest, const char *name, const char *ns,
                         const char *const *sensitive, size_t n_sensitive, tf_diags *d);
void hr_sha256_hex(const char *s, size_t len, char out[65]);

#endif
