/*
 * Attribute paths (AttributePath steps) and their display form.
 */
#include <stdlib.h>
#include <string.h>

#include "tf/tf_internal.h"

void tf_path_init(tf_path *p) {
  p->steps = NULL;
  p->len = 0;
}

void tf_path_free(tf_path *p) {
  if (!p) return;
  for (size_t i = 0; i < p->len; i++)
    free(p->steps[i].name);
  free(p->steps);
  tf_path_init(p);
}

static int path_push(tf_path *p, tf_path_step_kind kind, const char *name, int64_t index) {
  char *copy = NULL;
  if (name && !(copy = tf_strdup(name))) return -1;
  tf_path_step *steps = realloc(p->steps, (p->len + 1) * sizeof(*steps));
  if (!steps) {
    free(copy);
    return -1;
  }
  p->steps = steps;
  p->steps[p->len].kind = kind;
  p->steps[p->len].name = copy;
  p->steps[p->len].index = index;
  p->len++;
  return 0;
}

int tf_path_copy(tf_path *dst, const tf_path *src) {
  tf_path_init(dst);
  for (size_t i = 0; i < src->len; i++) {
    if (path_push(dst, src->steps[i].kind, src->steps[i].name, src->steps[i].index) < 0) {
      tf_path_free(dst);
      return -1;
    }
  }
  return 0;
}

int tf_path_push_attr(tf_path *p, const char *name) {
  return path_push(p, TF_PATH_ATTR, name ? name : "", 0);
}

int tf_path_push_key(tf_path *p, const char *key) {
  return path_push(p, TF_PATH_KEY, key ? key : "", 0);
}

int tf_path_push_index(tf_path *p, int64_t index) {
  return path_push(p, TF_PATH_INDEX, NULL, index);
}

void tf_path_pop(tf_path *p) {
  if (!p->len) return;
  p->len--;
  free(p->steps[p->len].name);
  p->steps[p->len].name = NULL;
}

char *tf_path_to_string(const tf_path *p) {
  tf_buf b = {0};
  for (size_t i = 0; p && i < p->len; i++) {
    const tf_path_step *s = &p->steps[i];
    switch (s->kind) {
    case TF_PATH_ATTR:
      tf_buf_puts(&b, ".");
      tf_buf_puts(&b, s->name);
      break;
    case TF_PATH_KEY:
      tf_buf_puts(&b, "[");
      tf_buf_quote(&b, s->name, strlen(s->name));
      tf_buf_puts(&b, "]");
      break;
    case TF_PATH_INDEX:
      tf_buf_printf(&b, "[%lld]", (long long)s->index);
      break;
    }
  }
  return tf_buf_finish(&b);
}
