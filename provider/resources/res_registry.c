/* The table of everything the provider serves, with schemas built once. */
#include <stdlib.h>
#include <string.h>

#include "resources/res.h"

extern const res_data_source_def res_ds_git_revision;
extern const res_data_source_def res_ds_manifests;
extern const res_resource_def res_rs_helm_release;
extern const res_resource_def res_app_application;

static const res_data_source_def *const data_source_defs[] = {&res_ds_git_revision,
                                                              &res_ds_manifests};
/* NULL-terminated. */
static const res_resource_def *const resource_defs[] = {&res_rs_helm_release, &res_app_application,
                                                        NULL};

#define N_DS (sizeof data_source_defs / sizeof data_source_defs[0])
#define MAX_RS (sizeof resource_defs / sizeof resource_defs[0])

static res_entry g_provider;
static res_entry g_ds[N_DS];
static res_entry g_rs[MAX_RS];
static size_t g_n_rs;

static int build(res_entry *e, const char *name, tf_block *schema, int64_t version, tf_diags *d) {
  e->type_name = name;
  e->schema = schema;
  e->version = version;
  if (!schema) return tf_diags_add(d, TF_ERROR, NULL, "Schema construction failed", "%s", name);
  if (tf_block_validate(schema, d) != 0) return -1;
  e->type = tf_block_implied_type(schema);
  return e->type ? 0 : tf_diags_add(d, TF_ERROR, NULL, "Schema type failed", "%s", name);
}

int res_registry_init(tf_diags *d) {
  if (build(&g_provider, "provider", res_provider_schema(), 0, d) != 0) return -1;
  for (size_t i = 0; i < N_DS; i++) {
    g_ds[i].ds = data_source_defs[i];
    if (build(&g_ds[i], data_source_defs[i]->type_name, data_source_defs[i]->build_schema(), 0,
              d) != 0)
      return -1;
  }
  for (g_n_rs = 0; resource_defs[g_n_rs]; g_n_rs++) {
    const res_resource_def *r = resource_defs[g_n_rs];
    g_rs[g_n_rs].rs = r;
    if (build(&g_rs[g_n_rs], r->type_name, r->build_schema(), r->schema_version, d) != 0) return -1;
  }
  return 0;
}

static void entry_free(res_entry *e) {
  tf_block_free(e->schema);
  tf_type_unref(e->type);
  memset(e, 0, sizeof *e);
}

void res_registry_free(void) {
  entry_free(&g_provider);
  for (size_t i = 0; i < N_DS; i++)
    entry_free(&g_ds[i]);
  for (size_t i = 0; i < g_n_rs; i++)
    entry_free(&g_rs[i]);
  g_n_rs = 0;
}

const res_entry *res_provider_entry(void) {
  return &g_provider;
}

const res_entry *res_data_sources(size_t *n) {
  *n = N_DS;
  return g_ds;
}

const res_entry *res_resources(size_t *n) {
  *n = g_n_rs;
  return g_rs;
}

const res_entry *res_find_data_source(const char *type_name) {
  for (size_t i = 0; i < N_DS; i++)
    if (type_name && strcmp(g_ds[i].type_name, type_name) == 0) return &g_ds[i];
  return NULL;
}

const res_entry *res_find_resource(const char *type_name) {
  for (size_t i = 0; i < g_n_rs; i++)
    if (type_name && strcmp(g_rs[i].type_name, type_name) == 0) return &g_rs[i];
  return NULL;
}
