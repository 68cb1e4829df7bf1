/* rpc_convert — tf values, schemas and diagnostics to and from tfplugin6 messages.
 * Messages built here live in an arena freed after the response is packed. */
#ifndef RPC_CONVERT_H
#define RPC_CONVERT_H

#include <stddef.h>

#include "tf/tf.h"
#include "tfplugin6.pb-c.h"

typedef struct {
  void **ptrs;
  size_t len, cap;
} rpc_arena;

void *rpc_arena_alloc(rpc_arena *a, size_t size); /* zeroed; NULL on OOM */
char *rpc_arena_strdup(rpc_arena *a, const char *s);
void rpc_arena_free(rpc_arena *a);

Tfplugin6__Schema *rpc_schema_to_pb(rpc_arena *a, const tf_block *b, int64_t version);
/* Appends d's items as a freshly allocated array; *n is set. */
Tfplugin6__Diagnostic **rpc_diags_to_pb(rpc_arena *a, const tf_diags *d, size_t *n);
Tfplugin6__AttributePath *rpc_path_to_pb(rpc_arena *a, const tf_path *p);

/* DynamicValue → value of type t: msgpack when present, else JSON, else null. */
int rpc_value_from_pb(const Tfplugin6__DynamicValue *dv, const tf_type *t, tf_value **out,
                      tf_diags *d);
/* value → msgpack DynamicValue (NULL on failure, with a diagnostic). */
Tfplugin6__DynamicValue *rpc_value_to_pb(rpc_arena *a, const tf_value *v, const tf_type *t,
                                         tf_diags *d);

#endif
