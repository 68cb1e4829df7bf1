/* engine/manifest — mf_to_yaml: YAML as `kubectl get -o yaml` prints it
 * (sigs.k8s.io/yaml: json.Marshal, then yaml.v2 Unmarshal + Marshal):
 * keys in go-yaml's order, 2-space indent, indentless sequences, go-yaml's
 * quoting decisions and block scalars, emitted with libyaml's emitter (the
 * C original of go-yaml's emitterc.go), 80-column folding included. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "engine/manifest/mf_internal.h"

static int write_handler(void *data, unsigned char *buffer, size_t size) {
  mf_buf *b = data;
  mf_buf_put(b, (const char *)buffer, size);
  return !b->oom;
}

static bool emit(yaml_emitter_t *e, yaml_event_t *ev) {
  return yaml_emitter_emit(e, ev) != 0; /* consumes ev */
}

static bool scalar(yaml_emitter_t *e, const char *s, size_t len, yaml_scalar_style_t style) {
  yaml_event_t ev;
  if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style))
    return false;
  return emit(e, &ev);
}

/* yaml.v2 encoder.stringv for an untagged string. */
static bool string_scalar(yaml_emitter_t *e, const char *s, bool key) {
  size_t n = strlen(s);
  char *fixed = NULL;
  if (!mf_utf8_valid(s, n)) {
    if (!(fixed = mf_utf8_sanitize(s, n))) return false;
    s = fixed;
    n = strlen(s);
  }
  yaml_scalar_style_t style;
  if (strstr(s, "\xC2\x85") || strstr(s, "\xE2\x80\xA8") || strstr(s, "\xE2\x80\xA9")) {
    /* NEL, LS, PS are line breaks to YAML: go-yaml would pick single
     * quotes and kubectl's output would not read back the same
     * string; double quotes escape them (\N, \L, \P). */
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  } else if (memchr(s, '\n', n)) {
    style = YAML_LITERAL_SCALAR_STYLE;
  } else {
    mf_resolved r;
    mf_resolve("", s, n, &r);
    /* go-yaml prints a "<<" key plain, which then reads back as a
     * merge key (kubectl's output does not round-trip); we quote it. */
    bool plain = r.kind == MF_R_STR && !mf_is_base60_float(s) && !(key && strcmp(s, "<<") == 0);
    style = plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  }
  bool ok = n <= INT32_MAX && scalar(e, s, n, style);
  free(fixed);
  return ok;
}

/* Integer text beyond 64 bits: JSONToYAML re-reads it as a float64. When
 * that float64 prints back as the same JSON text (e.g. 1e20 written as
 * 100000000000000000000) print it as go-yaml does ("1e+20"); otherwise the
 * digits are more than a float64 holds and we keep them all. */
static void big_integer(const char *text, char *out, size_t cap) {
  double d = strtod(text, NULL);
  char back[400];
  if (isfinite(d)) {
    mf_fmt_go_json(d, back, sizeof(back));
    if (strcmp(back, text) == 0) {
      mf_fmt_go_g(d, 64, out, cap);
      return;
    }
  }
  snprintf(out, cap, "%s", text);
}

/* A JSON number as JSONToYAML re-reads and prints it. */
static bool number_scalar(yaml_emitter_t *e, const cJSON *v) {
  char text[400], out[400];
  if (mf_number_text(v, text, sizeof(text))) return false;
  if (!strpbrk(text, ".eE")) {
    int64_t i;
    uint64_t u;
    if (mf_go_parse_int(text, &i))
      snprintf(out, sizeof(out), "%lld", (long long)i);
    else if (mf_go_parse_uint(text, &u))
      snprintf(out, sizeof(out), "%llu", (unsigned long long)u);
    else
      big_integer(text, out, sizeof(out));
  } else {
    double d = strtod(text, NULL);
    if (!isfinite(d)) return false;
    mf_fmt_go_g(d, 64, out, sizeof(out));
  }
  return scalar(e, out, strlen(out), YAML_PLAIN_SCALAR_STYLE);
}

static int key_cmp(const void *a, const void *b) {
  const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
  return mf_yaml_key_cmp(x->string ? x->string : "", y->string ? y->string : "");
}

static bool node(yaml_emitter_t *e, const cJSON *v, int depth) {
  yaml_event_t ev;
  if (depth > 10000) return false;
  if (cJSON_IsObject(v)) {
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
      n++;
    const cJSON **items = n ? malloc(n * sizeof(*items)) : NULL;
    if (n && !items) return false;
    n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
      items[n++] = c;
    if (n > 1) qsort(items, n, sizeof(*items), key_cmp);
    bool ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
              emit(e, &ev);
    for (size_t i = 0; ok && i < n; i++)
      ok = string_scalar(e, items[i]->string ? items[i]->string : "", true) &&
           node(e, items[i], depth + 1);
    free(items);
    return ok && yaml_mapping_end_event_initialize(&ev) && emit(e, &ev);
  }
  if (cJSON_IsArray(v)) {
    bool ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) &&
              emit(e, &ev);
    for (const cJSON *c = v->child; ok && c; c = c->next)
      ok = node(e, c, depth + 1);
    return ok && yaml_sequence_end_event_initialize(&ev) && emit(e, &ev);
  }
  if (cJSON_IsString(v)) return string_scalar(e, v->valuestring ? v->valuestring : "", false);
  if (mf_is_number(v)) return number_scalar(e, v);
  if (cJSON_IsTrue(v)) return scalar(e, "true", 4, YAML_PLAIN_SCALAR_STYLE);
  if (cJSON_IsFalse(v)) return scalar(e, "false", 5, YAML_PLAIN_SCALAR_STYLE);
  if (cJSON_IsNull(v)) return scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
  return false;
}

char *mf_to_yaml(const cJSON *obj) {
  if (!obj) return NULL;
  mf_buf b = {0};
  yaml_emitter_t e;
  yaml_event_t ev;
  if (!yaml_emitter_initialize(&e)) return NULL;
  yaml_emitter_set_output(&e, write_handler, &b);
  yaml_emitter_set_unicode(&e, 1);
  yaml_emitter_set_indent(&e, 2);
  yaml_emitter_set_width(&e, 80);
  yaml_emitter_set_break(&e, YAML_LN_BREAK);
  bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(&e, &ev) &&
            yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(&e, &ev) &&
            node(&e, obj, 0) && yaml_document_end_event_initialize(&ev, 1) && emit(&e, &ev);
  if (ok) {
    e.open_ended = 0; /* as go-yaml's encoder.finish: no "..." */
    ok = yaml_stream_end_event_initialize(&ev) && emit(&e, &ev) && yaml_emitter_flush(&e);
  }
  yaml_emitter_delete(&e);
  if (!ok) {
    mf_buf_free(&b);
    return NULL;
  }
  return mf_buf_detach(&b);
}
