#include "plugin/rpc_provider.h"

#include <grpc/status.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "health.pb-c.h"
#include "log/hclog.h"
#include "plugin.pb-c.h"
#include "plugin/rpc_convert.h"
#include "resources/res.h"
#include "tfplugin6.pb-c.h"

/* Process-wide provider state: configured once, read by concurrent RPCs. */
static struct {
  pthread_mutex_t lock;
  res_provider *configured;
  res_provider *retired[8]; /* replaced configurations, kept alive for in-flight calls */
  size_t n_retired;
  atomic_int stop;
  tf_diags init_diags;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER};

typedef struct {
  rpc_arena arena;
  tf_diags diags;
  res_ctx ctx;
} call_state;

static void call_begin(call_state *c) {
  memset(c, 0, sizeof *c);
  tf_diags_init(&c->diags);
  pthread_mutex_lock(&g.lock);
  c->ctx.provider = g.configured;
  pthread_mutex_unlock(&g.lock);
  c->ctx.stop = &g.stop;
}

/* Packs the response message and frees everything the call allocated. */
static int call_end(call_state *c, const ProtobufCMessage *msg, uint8_t **resp, size_t *len) {
  *len = protobuf_c_message_get_packed_size(msg);
  *resp = malloc(*len ? *len : 1);
  int status = GRPC_STATUS_OK;
  if (!*resp)
    status = GRPC_STATUS_RESOURCE_EXHAUSTED;
  else
    protobuf_c_message_pack(msg, *resp);
  rpc_arena_free(&c->arena);
  tf_diags_free(&c->diags);
  return status;
}

static void *unpack(call_state *c, const ProtobufCMessageDescriptor *desc, const uint8_t *req,
                    size_t len) {
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, len, req);
  if (!m)
    tf_diags_add(&c->diags, TF_ERROR, NULL, "Malformed request",
                 "The %s message could not be decoded as protocol buffers (%zu bytes).", desc->name,
                 len);
  return m;
}

static void unpack_free(void *m) {
  if (m) protobuf_c_message_free_unpacked(m, NULL);
}

#define DIAGS(c, resp)                                                                             \
  ((resp).diagnostics = rpc_diags_to_pb(&(c).arena, &(c).diags, &(resp).n_diagnostics))

static int unknown_type(call_state *c, const char *kind, const char *name) {
  return tf_diags_add(&c->diags, TF_ERROR, NULL, "Unknown type",
                      "This provider has no %s named \"%s\".", kind, name ? name : "");
}

/* Terraform leaves it to providers to reject values for computed-only attributes. */
static void reject_computed_only(const tf_block *b, const tf_value *v, tf_path *p, tf_diags *d) {
  if (!v || tf_value_is_null(v) || !tf_value_is_known(v)) return;
  for (size_t i = 0; i < b->n_attrs; i++) {
    const tf_attribute *a = &b->attrs[i];
    const tf_value *av = tf_value_get_attr(v, a->name);
    if (a->computed && !a->optional && av && !tf_value_is_null(av)) {
      tf_path_push_attr(p, a->name);
      tf_diags_add(d, TF_ERROR, p, "Invalid Configuration for Read-Only Attribute",
                   "Cannot set value for this attribute as the provider has marked it as "
                   "read-only. Remove the configuration line setting the value.");
      tf_path_pop(p);
    }
  }
  for (size_t i = 0; i < b->n_blocks; i++) {
    const tf_nested_block *nb = &b->blocks[i];
    const tf_value *bv = tf_value_get_attr(v, nb->name);
    if (!bv || tf_value_is_null(bv) || !tf_value_is_known(bv)) continue;
    tf_path_push_attr(p, nb->name);
    if (nb->nesting == TF_NEST_SINGLE || nb->nesting == TF_NEST_GROUP) {
      reject_computed_only(nb->block, bv, p, d);
    } else {
      for (size_t j = 0; j < tf_value_len(bv); j++) {
        if (nb->nesting == TF_NEST_MAP)
          tf_path_push_key(p, tf_value_key_at(bv, j));
        else
          tf_path_push_index(p, (int64_t)j);
        reject_computed_only(nb->block, tf_value_at(bv, j), p, d);
        tf_path_pop(p);
      }
    }
    tf_path_pop(p);
  }
}

static void validate_shape(const res_entry *e, const tf_value *config, tf_diags *d) {
  tf_path p;
  tf_path_init(&p);
  reject_computed_only(e->schema, config, &p, d);
  tf_path_free(&p);
}

/* ---- tfplugin6.Provider ---- */

static int h_get_provider_schema(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                 size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__GetProviderSchema__Response out = TFPLUGIN6__GET_PROVIDER_SCHEMA__RESPONSE__INIT;
  Tfplugin6__ServerCapabilities caps = TFPLUGIN6__SERVER_CAPABILITIES__INIT;
  const res_entry *p = res_provider_entry();
  out.provider = rpc_schema_to_pb(&c.arena, p->schema, 0);
  size_t n_ds, n_rs;
  const res_entry *ds = res_data_sources(&n_ds), *rs = res_resources(&n_rs);
  out.data_source_schemas = rpc_arena_alloc(&c.arena, (n_ds + 1) * sizeof *out.data_source_schemas);
  out.resource_schemas = rpc_arena_alloc(&c.arena, (n_rs + 1) * sizeof *out.resource_schemas);
  for (size_t i = 0; i < n_ds && out.data_source_schemas; i++) {
    Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *e =
        rpc_arena_alloc(&c.arena, sizeof *e);
    tfplugin6__get_provider_schema__response__data_source_schemas_entry__init(e);
    e->key = rpc_arena_strdup(&c.arena, ds[i].type_name);
    e->value = rpc_schema_to_pb(&c.arena, ds[i].schema, ds[i].version);
    out.data_source_schemas[out.n_data_source_schemas++] = e;
  }
  for (size_t i = 0; i < n_rs && out.resource_schemas; i++) {
    Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e =
        rpc_arena_alloc(&c.arena, sizeof *e);
    tfplugin6__get_provider_schema__response__resource_schemas_entry__init(e);
    e->key = rpc_arena_strdup(&c.arena, rs[i].type_name);
    e->value = rpc_schema_to_pb(&c.arena, rs[i].schema, rs[i].version);
    out.resource_schemas[out.n_resource_schemas++] = e;
  }
  out.server_capabilities = &caps;
  out.diagnostics = rpc_diags_to_pb(&c.arena, &g.init_diags, &out.n_diagnostics);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_get_metadata(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                          size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__GetMetadata__Response out = TFPLUGIN6__GET_METADATA__RESPONSE__INIT;
  Tfplugin6__ServerCapabilities caps = TFPLUGIN6__SERVER_CAPABILITIES__INIT;
  size_t n_ds, n_rs;
  const res_entry *ds = res_data_sources(&n_ds), *rs = res_resources(&n_rs);
  out.data_sources = rpc_arena_alloc(&c.arena, (n_ds + 1) * sizeof *out.data_sources);
  out.resources = rpc_arena_alloc(&c.arena, (n_rs + 1) * sizeof *out.resources);
  for (size_t i = 0; i < n_ds && out.data_sources; i++) {
    Tfplugin6__GetMetadata__DataSourceMetadata *m = rpc_arena_alloc(&c.arena, sizeof *m);
    tfplugin6__get_metadata__data_source_metadata__init(m);
    m->type_name = rpc_arena_strdup(&c.arena, ds[i].type_name);
    out.data_sources[out.n_data_sources++] = m;
  }
  for (size_t i = 0; i < n_rs && out.resources; i++) {
    Tfplugin6__GetMetadata__ResourceMetadata *m = rpc_arena_alloc(&c.arena, sizeof *m);
    tfplugin6__get_metadata__resource_metadata__init(m);
    m->type_name = rpc_arena_strdup(&c.arena, rs[i].type_name);
    out.resources[out.n_resources++] = m;
  }
  out.server_capabilities = &caps;
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_validate_provider_config(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                      size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ValidateProviderConfig__Response out =
      TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__RESPONSE__INIT;
  Tfplugin6__ValidateProviderConfig__Request *in =
      unpack(&c, &tfplugin6__validate_provider_config__request__descriptor, req, len);
  tf_value *config = NULL;
  if (in && rpc_value_from_pb(in->config, res_provider_entry()->type, &config, &c.diags) == 0)
    res_provider_validate(config, &c.diags);
  tf_value_free(config);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_configure_provider(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ConfigureProvider__Response out = TFPLUGIN6__CONFIGURE_PROVIDER__RESPONSE__INIT;
  Tfplugin6__ConfigureProvider__Request *in =
      unpack(&c, &tfplugin6__configure_provider__request__descriptor, req, len);
  tf_value *config = NULL;
  res_provider *p = NULL;
  if (in && rpc_value_from_pb(in->config, res_provider_entry()->type, &config, &c.diags) == 0 &&
      res_provider_configure(config, &p, &c.diags) == 0) {
    hclog_kv(HCLOG_DEBUG, "provider", "configured", "terraform_version", in->terraform_version,
             NULL);
    pthread_mutex_lock(&g.lock);
    if (g.configured && g.n_retired < sizeof g.retired / sizeof g.retired[0])
      g.retired[g.n_retired++] = g.configured;
    else
      res_provider_free(g.configured);
    g.configured = p;
    pthread_mutex_unlock(&g.lock);
  }
  tf_value_free(config);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_validate_resource_config(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                      size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ValidateResourceConfig__Response out =
      TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__RESPONSE__INIT;
  Tfplugin6__ValidateResourceConfig__Request *in =
      unpack(&c, &tfplugin6__validate_resource_config__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  tf_value *config = NULL;
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && rpc_value_from_pb(in->config, e->type, &config, &c.diags) == 0) {
    validate_shape(e, config, &c.diags);
    if (e->rs->validate) e->rs->validate(&c.ctx, config, &c.diags);
  }
  tf_value_free(config);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_validate_data_resource_config(void *ctx, const uint8_t *req, size_t len,
                                           uint8_t **resp, size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ValidateDataResourceConfig__Response out =
      TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__RESPONSE__INIT;
  Tfplugin6__ValidateDataResourceConfig__Request *in =
      unpack(&c, &tfplugin6__validate_data_resource_config__request__descriptor, req, len);
  const res_entry *e = in ? res_find_data_source(in->type_name) : NULL;
  tf_value *config = NULL;
  if (in && !e) unknown_type(&c, "data source", in->type_name);
  if (e && rpc_value_from_pb(in->config, e->type, &config, &c.diags) == 0) {
    validate_shape(e, config, &c.diags);
    e->ds->validate(&c.ctx, config, &c.diags);
  }
  tf_value_free(config);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_read_data_source(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                              size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ReadDataSource__Response out = TFPLUGIN6__READ_DATA_SOURCE__RESPONSE__INIT;
  Tfplugin6__ReadDataSource__Request *in =
      unpack(&c, &tfplugin6__read_data_source__request__descriptor, req, len);
  const res_entry *e = in ? res_find_data_source(in->type_name) : NULL;
  tf_value *config = NULL, *state = NULL;
  if (in && !e) unknown_type(&c, "data source", in->type_name);
  if (e && rpc_value_from_pb(in->config, e->type, &config, &c.diags) == 0) {
    if (!tf_value_is_wholly_known(config)) {
      tf_diags_add(&c.diags, TF_ERROR, NULL, "Configuration not known",
                   "ReadDataSource received a configuration with unknown values.");
    } else if (!c.ctx.provider) {
      tf_diags_add(&c.diags, TF_ERROR, NULL, "Provider not configured",
                   "ReadDataSource arrived before ConfigureProvider.");
    } else if (e->ds->read(&c.ctx, config, &state, &c.diags) == 0) {
      out.state = rpc_value_to_pb(&c.arena, state, e->type, &c.diags);
    }
  }
  tf_value_free(config);
  tf_value_free(state);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_upgrade_resource_state(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                    size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__UpgradeResourceState__Response out = TFPLUGIN6__UPGRADE_RESOURCE_STATE__RESPONSE__INIT;
  Tfplugin6__UpgradeResourceState__Request *in =
      unpack(&c, &tfplugin6__upgrade_resource_state__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  tf_value *state = NULL;
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && (!in->raw_state || !in->raw_state->json.len)) {
    tf_diags_add(&c.diags, TF_ERROR, NULL, "Unsupported state format",
                 "The state of this resource has no JSON form (states written before "
                 "Terraform 0.12 are not supported).");
  } else if (e && tf_json_decode((const char *)in->raw_state->json.data, in->raw_state->json.len,
                                 e->type, &state, &c.diags) == 0) {
    out.upgraded_state = rpc_value_to_pb(&c.arena, state, e->type, &c.diags);
  }
  tf_value_free(state);
  unpack_free(in);
  DIAGS(c, out);
  return call_end(&c, &out.base, resp, resp_len);
}

/* Copies a resource's private bytes into the arena, or passes the incoming ones on. */
static void set_private(call_state *c, const res_response *r, const ProtobufCBinaryData *in,
                        ProtobufCBinaryData *out) {
  if (!r->private_set) {
    if (in) *out = *in;
    return;
  }
  out->data = rpc_arena_alloc(&c->arena, r->private_out_len);
  out->len = out->data ? r->private_out_len : 0;
  if (out->data && r->private_out_len) memcpy(out->data, r->private_out, r->private_out_len);
}

static int h_read_resource(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                           size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ReadResource__Response out = TFPLUGIN6__READ_RESOURCE__RESPONSE__INIT;
  Tfplugin6__ReadResource__Request *in =
      unpack(&c, &tfplugin6__read_resource__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  tf_value *state = NULL;
  res_response r = {0};
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && rpc_value_from_pb(in->current_state, e->type, &state, &c.diags) == 0) {
    res_request rq = {
        .prior = state, .private_in = in->private_.data, .private_in_len = in->private_.len};
    if (e->rs->read(&c.ctx, &rq, &r, &c.diags) == 0) {
      out.new_state = rpc_value_to_pb(&c.arena, r.state, e->type, &c.diags);
    } else {
      out.new_state = rpc_value_to_pb(&c.arena, state, e->type, &c.diags); /* keep tracking it */
    }
  }
  if (in) set_private(&c, &r, &in->private_, &out.private_);
  DIAGS(c, out);
  int status = call_end(&c, &out.base, resp, resp_len);
  res_response_free(&r);
  tf_value_free(state);
  unpack_free(in);
  return status;
}

static int h_plan_resource_change(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                  size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__PlanResourceChange__Response out = TFPLUGIN6__PLAN_RESOURCE_CHANGE__RESPONSE__INIT;
  Tfplugin6__PlanResourceChange__Request *in =
      unpack(&c, &tfplugin6__plan_resource_change__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  tf_value *prior = NULL, *proposed = NULL, *config = NULL;
  res_response r = {0};
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && rpc_value_from_pb(in->prior_state, e->type, &prior, &c.diags) == 0 &&
      rpc_value_from_pb(in->proposed_new_state, e->type, &proposed, &c.diags) == 0 &&
      rpc_value_from_pb(in->config, e->type, &config, &c.diags) == 0) {
    res_request rq = {.prior = prior,
                      .proposed = proposed,
                      .config = config,
                      .private_in = in->prior_private.data,
                      .private_in_len = in->prior_private.len};
    if (tf_value_is_null(proposed)) {
      /* Destroy plans (only with plan_destroy, which we do not announce): null. */
      out.planned_state = rpc_value_to_pb(&c.arena, proposed, e->type, &c.diags);
    } else if (e->rs->plan(&c.ctx, &rq, &r, &c.diags) == 0) {
      out.planned_state = rpc_value_to_pb(&c.arena, r.state, e->type, &c.diags);
      out.requires_replace = rpc_arena_alloc(&c.arena, (r.n_replace + 1) * sizeof(void *));
      for (size_t i = 0; out.requires_replace && i < r.n_replace; i++)
        out.requires_replace[out.n_requires_replace++] = rpc_path_to_pb(&c.arena, &r.replace[i]);
    }
  }
  if (in) set_private(&c, &r, &in->prior_private, &out.planned_private);
  DIAGS(c, out);
  int status = call_end(&c, &out.base, resp, resp_len);
  res_response_free(&r);
  tf_value_free(prior);
  tf_value_free(proposed);
  tf_value_free(config);
  unpack_free(in);
  return status;
}

static int h_apply_resource_change(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                   size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ApplyResourceChange__Response out = TFPLUGIN6__APPLY_RESOURCE_CHANGE__RESPONSE__INIT;
  Tfplugin6__ApplyResourceChange__Request *in =
      unpack(&c, &tfplugin6__apply_resource_change__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  tf_value *prior = NULL, *planned = NULL, *config = NULL;
  res_response r = {0};
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && rpc_value_from_pb(in->prior_state, e->type, &prior, &c.diags) == 0 &&
      rpc_value_from_pb(in->planned_state, e->type, &planned, &c.diags) == 0 &&
      rpc_value_from_pb(in->config, e->type, &config, &c.diags) == 0) {
    res_request rq = {.prior = prior,
                      .planned = planned,
                      .config = config,
                      .private_in = in->planned_private.data,
                      .private_in_len = in->planned_private.len};
    int rc = e->rs->apply(&c.ctx, &rq, &r, &c.diags);
    /* On failure a resource reports what exists (r.state); with nothing reported
     * Terraform keeps the prior object, so nothing applied is lost track of. */
    const tf_value *result = r.state ? r.state : (rc == 0 ? planned : prior);
    out.new_state = rpc_value_to_pb(&c.arena, result, e->type, &c.diags);
  }
  if (in) set_private(&c, &r, &in->planned_private, &out.private_);
  DIAGS(c, out);
  int status = call_end(&c, &out.base, resp, resp_len);
  res_response_free(&r);
  tf_value_free(prior);
  tf_value_free(planned);
  tf_value_free(config);
  unpack_free(in);
  return status;
}

static int h_import_resource_state(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                   size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__ImportResourceState__Response out = TFPLUGIN6__IMPORT_RESOURCE_STATE__RESPONSE__INIT;
  Tfplugin6__ImportResourceState__ImportedResource imported =
      TFPLUGIN6__IMPORT_RESOURCE_STATE__IMPORTED_RESOURCE__INIT;
  Tfplugin6__ImportResourceState__ImportedResource *list[1] = {&imported};
  Tfplugin6__ImportResourceState__Request *in =
      unpack(&c, &tfplugin6__import_resource_state__request__descriptor, req, len);
  const res_entry *e = in ? res_find_resource(in->type_name) : NULL;
  res_response r = {0};
  if (in && !e) unknown_type(&c, "resource type", in->type_name);
  if (e && !e->rs->import) {
    tf_diags_add(&c.diags, TF_ERROR, NULL, "Resource Import Not Implemented",
                 "%s does not support import.", e->type_name);
  } else if (e && e->rs->import(&c.ctx, in->id, &r, &c.diags) == 0 && r.state) {
    imported.type_name = (char *)e->type_name;
    imported.state = rpc_value_to_pb(&c.arena, r.state, e->type, &c.diags);
    set_private(&c, &r, NULL, &imported.private_);
    out.imported_resources = list;
    out.n_imported_resources = 1;
  }
  DIAGS(c, out);
  int status = call_end(&c, &out.base, resp, resp_len);
  res_response_free(&r);
  unpack_free(in);
  return status;
}

/* No provider-defined functions (yet): an empty map, as the spec allows. */
static int h_get_functions(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                           size_t *resp_len) {
  call_state c;
  call_begin(&c);
  Tfplugin6__GetFunctions__Response out = TFPLUGIN6__GET_FUNCTIONS__RESPONSE__INIT;
  return call_end(&c, &out.base, resp, resp_len);
}

static int h_stop_provider(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                           size_t *resp_len) {
  call_state c;
  call_begin(&c);
  atomic_store(&g.stop, 1); /* stays set: like Terraform's stop context, it is never reset */
  hclog_kv(HCLOG_INFO, "provider", "StopProvider: cancelling work in flight", NULL);
  Tfplugin6__StopProvider__Response out = TFPLUGIN6__STOP_PROVIDER__RESPONSE__INIT;
  return call_end(&c, &out.base, resp, resp_len);
}

/* ---- go-plugin and health ---- */

static int h_shutdown(void *ctx, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len) {
  atomic_store(&g.stop, 1);
  *resp = NULL;
  *resp_len = 0; /* plugin.Empty */
  return GRPC_STATUS_OK;
}

static int h_health_check(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                          size_t *resp_len) {
  Grpc__Health__V1__HealthCheckRequest *in =
      grpc__health__v1__health_check_request__unpack(NULL, len, req);
  if (!in) return GRPC_STATUS_INVALID_ARGUMENT;
  int known = !*in->service || strcmp(in->service, "plugin") == 0;
  grpc__health__v1__health_check_request__free_unpacked(in, NULL);
  if (!known) return GRPC_STATUS_NOT_FOUND;
  Grpc__Health__V1__HealthCheckResponse out = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
  out.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
  *resp_len = grpc__health__v1__health_check_response__get_packed_size(&out);
  *resp = malloc(*resp_len + 1);
  if (!*resp) return GRPC_STATUS_RESOURCE_EXHAUSTED;
  grpc__health__v1__health_check_response__pack(&out, *resp);
  return GRPC_STATUS_OK;
}

#define P6(name) "/tfplugin6.Provider/" name
static const rpc_method methods[] = {
    {P6("GetMetadata"), RPC_UNARY, h_get_metadata},
    {P6("GetProviderSchema"), RPC_UNARY, h_get_provider_schema},
    {P6("ValidateProviderConfig"), RPC_UNARY, h_validate_provider_config},
    {P6("ConfigureProvider"), RPC_UNARY, h_configure_provider},
    {P6("ValidateResourceConfig"), RPC_UNARY, h_validate_resource_config},
    {P6("ValidateDataResourceConfig"), RPC_UNARY, h_validate_data_resource_config},
    {P6("UpgradeResourceState"), RPC_UNARY, h_upgrade_resource_state},
    {P6("ReadResource"), RPC_UNARY, h_read_resource},
    {P6("PlanResourceChange"), RPC_UNARY, h_plan_resource_change},
    {P6("ApplyResourceChange"), RPC_UNARY, h_apply_resource_change},
    {P6("ImportResourceState"), RPC_UNARY, h_import_resource_state},
    {P6("ReadDataSource"), RPC_UNARY, h_read_data_source},
    {P6("GetFunctions"), RPC_UNARY, h_get_functions},
    {P6("StopProvider"), RPC_UNARY, h_stop_provider},
    {"/plugin.GRPCController/Shutdown", RPC_SHUTDOWN, h_shutdown},
    {"/plugin.GRPCStdio/StreamStdio", RPC_HOLD_STREAM, NULL},
    {"/grpc.health.v1.Health/Check", RPC_UNARY, h_health_check},
};

int rpc_provider_init(void) {
  tf_diags_init(&g.init_diags);
  return res_registry_init(&g.init_diags);
}

void rpc_provider_shutdown(void) {
  pthread_mutex_lock(&g.lock);
  res_provider_free(g.configured);
  g.configured = NULL;
  for (size_t i = 0; i < g.n_retired; i++)
    res_provider_free(g.retired[i]);
  g.n_retired = 0;
  pthread_mutex_unlock(&g.lock);
  res_registry_free();
  tf_diags_free(&g.init_diags);
}

const rpc_method *rpc_provider_methods(size_t *n) {
  *n = sizeof methods / sizeof methods[0];
  return methods;
}
