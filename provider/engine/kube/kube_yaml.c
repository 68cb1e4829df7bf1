/* Kubeconfig files are YAML: load the first document into cJSON with libyaml.
 * Scalars become strings (plain null / ~ / empty become JSON null); callers
 * interpret booleans with kube__jbool.  Anchors and aliases are supported. */
#include "engine/kube/kube_internal.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

typedef struct {
  yaml_parser_t parser;
  char *errbuf;
  size_t errcap;
  kube_map anchors; /* anchor → cJSON* (borrowed from the tree being built) */
} yload;

static cJSON *load_node(yload *y, yaml_event_t *ev, int depth);

static int next_event(yload *y, yaml_event_t *ev) {
  if (!yaml_parser_parse(&y->parser, ev)) {
    snprintf(y->errbuf, y->errcap, "line %zu: %s", y->parser.problem_mark.line + 1,
             y->parser.problem ? y->parser.problem : "YAML syntax error");
    return -1;
  }
  return 0;
}

static void remember(yload *y, const yaml_char_t *anchor, cJSON *node) {
  if (anchor) kube__map_put(&y->anchors, (const char *)anchor, node);
}

static cJSON *scalar(yaml_event_t *ev) {
  const char *v = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
      (n == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
       strcmp(v, "NULL") == 0))
    return cJSON_CreateNull();
  return cJSON_CreateString(v);
}

static cJSON *load_node(yload *y, yaml_event_t *ev, int depth) {
  if (depth > 64) {
    snprintf(y->errbuf, y->errcap, "YAML nested too deeply");
    return NULL;
  }
  switch (ev->type) {
  case YAML_SCALAR_EVENT: {
    cJSON *s = scalar(ev);
    remember(y, ev->data.scalar.anchor, s);
    return s;
  }
  case YAML_ALIAS_EVENT: {
    cJSON *t = kube__map_get(&y->anchors, (const char *)ev->data.alias.anchor);
    if (!t) {
      snprintf(y->errbuf, y->errcap, "line %zu: unknown alias *%s", ev->start_mark.line + 1,
               ev->data.alias.anchor);
      return NULL;
    }
    return cJSON_Duplicate(t, 1);
  }
  case YAML_SEQUENCE_START_EVENT: {
    cJSON *arr = cJSON_CreateArray();
    remember(y, ev->data.sequence_start.anchor, arr);
    for (;;) {
      yaml_event_t e;
      if (next_event(y, &e)) {
        cJSON_Delete(arr);
        return NULL;
      }
      if (e.type == YAML_SEQUENCE_END_EVENT) {
        yaml_event_delete(&e);
        return arr;
      }
      cJSON *item = load_node(y, &e, depth + 1);
      yaml_event_delete(&e);
      if (!item) {
        cJSON_Delete(arr);
        return NULL;
      }
      cJSON_AddItemToArray(arr, item);
    }
  }
  case YAML_MAPPING_START_EVENT: {
    cJSON *obj = cJSON_CreateObject();
    remember(y, ev->data.mapping_start.anchor, obj);
    for (;;) {
      yaml_event_t k;
      if (next_event(y, &k)) {
        cJSON_Delete(obj);
        return NULL;
      }
      if (k.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&k);
        return obj;
      }
      if (k.type != YAML_SCALAR_EVENT) {
        snprintf(y->errbuf, y->errcap, "line %zu: only scalar mapping keys are supported",
                 k.start_mark.line + 1);
        yaml_event_delete(&k);
        cJSON_Delete(obj);
        return NULL;
      }
      char *key = strdup((const char *)k.data.scalar.value);
      yaml_event_delete(&k);
      yaml_event_t v;
      if (!key || next_event(y, &v)) {
        free(key);
        cJSON_Delete(obj);
        return NULL;
      }
      cJSON *val = load_node(y, &v, depth + 1);
      yaml_event_delete(&v);
      if (!val) {
        free(key);
        cJSON_Delete(obj);
        return NULL;
      }
      if (strcmp(key, "<<") == 0 && cJSON_IsObject(val)) { /* merge key */
        cJSON *it;
        cJSON_ArrayForEach(it, val) {
          if (!cJSON_GetObjectItemCaseSensitive(obj, it->string))
            cJSON_AddItemToObject(obj, it->string, cJSON_Duplicate(it, 1));
        }
        cJSON_Delete(val);
      } else if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
      } else {
        cJSON_AddItemToObject(obj, key, val);
      }
      free(key);
    }
  }
  default:
    snprintf(y->errbuf, y->errcap, "line %zu: unexpected YAML event", ev->start_mark.line + 1);
    return NULL;
  }
}

int kube__yaml_load(const char *text, size_t len, cJSON **out, char *errbuf, size_t errcap) {
  *out = NULL;
  errbuf[0] = 0;
  yload y = {.errbuf = errbuf, .errcap = errcap};
  if (!yaml_parser_initialize(&y.parser)) {
    snprintf(errbuf, errcap, "out of memory");
    return -1;
  }
  yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
  int rc = -1;
  for (;;) {
    yaml_event_t ev;
    if (next_event(&y, &ev)) break;
    yaml_event_type_t t = ev.type;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      *out = cJSON_CreateObject(); /* empty file */
      rc = 0;
      break;
    }
    if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT || t == YAML_SCALAR_EVENT) {
      *out = load_node(&y, &ev, 0);
      yaml_event_delete(&ev);
      rc = *out ? 0 : -1;
      break;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&y.parser);
  kube__map_free(&y.anchors, NULL);
  if (rc == 0 && cJSON_IsNull(*out)) {
    cJSON_Delete(*out);
    *out = cJSON_CreateObject();
  }
  return rc;
}
