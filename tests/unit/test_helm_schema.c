/* engine/helm: values.schema.json validation, gojsonschema's messages as
 * Helm 3.17 prints them (the bad-chart cases of tests/helm/golden.sh compare
 * the same against the real helm at test time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "engine/helm/helm.h"

static const char schema[] =
    "{\"$schema\":\"https://json-schema.org/draft-07/schema#\",\"type\":\"object\","
    "\"required\":[\"image\"],"
    "\"properties\":{"
    "\"replicas\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
    "\"name\":{\"type\":[\"string\",\"null\"],\"pattern\":\"^[a-z][a-z0-9-]*$\",\"maxLength\":8},"
    "\"image\":{\"type\":\"object\",\"required\":[\"repository\"],\"additionalProperties\":false,"
    "\"properties\":{\"repository\":{\"type\":\"string\"},\"pullPolicy\":{\"enum\":[\"Always\","
    "\"Never\"]}}},"
    "\"mode\":{\"$ref\":\"#/definitions/mode\"},"
    "\"port\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"}]},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"uniqueItems\":"
    "true},"
    "\"one\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"string\",\"minLength\":2}]}"
    "},\"definitions\":{\"mode\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}}}";

static void check(const char *values_yaml, const char *want) {
  helm_value *v = NULL;
  helm_error e = {0};
  if (helm_yaml_parse_values(values_yaml, strlen(values_yaml), &v, &e)) fail_msg("%s", e.message);
  char *rep = NULL;
  int rc = helm_schema_validate(schema, strlen(schema), v, &rep, &e);
  if (!want) {
    if (rc) fail_msg("%s: unexpected %s", values_yaml, rep ? rep : e.message);
  } else {
    assert_int_equal(rc, HELM_ESCHEMA);
    if (strcmp(rep, want)) fail_msg("%s:\ngot:\n%swant:\n%s", values_yaml, rep, want);
  }
  free(rep);
  helm_error_clear(&e);
  helm_value_free(v);
}

static void messages(void **state) {
  (void)state;
  check("image: {repository: nginx}\nreplicas: 3\nname: web\nmode: a\nport: '80'\ntags: [x]\n",
        NULL);
  check("replicas: 3\n", "- (root): image is required\n");
  check("image: {repository: nginx}\nreplicas: abc\n",
        "- replicas: Invalid type. Expected: integer, given: string\n");
  check("image: {repository: nginx}\nreplicas: 1.5\n",
        "- replicas: Invalid type. Expected: integer, given: number\n");
  check("image: {repository: nginx}\nreplicas: 0\n",
        "- replicas: Must be greater than or equal to 1\n");
  check("image: {repository: nginx}\nreplicas: 11\n",
        "- replicas: Must be less than or equal to 10\n");
  check("image: {repository: nginx}\nname: Web\n",
        "- name: Does not match pattern '^[a-z][a-z0-9-]*$'\n");
  check("image: {repository: nginx}\nname: abcdefghij\n",
        "- name: String length must be less than or equal to 8\n");
  check("image: {repository: nginx}\nname: 5\n",
        "- name: Invalid type. Expected: [string,null], given: integer\n");
  check("image: {repository: nginx, extra: 1}\n",
        "- image: Additional property extra is not allowed\n");
  check(
      "image: {repository: nginx, pullPolicy: Sometimes}\n",
      "- image.pullPolicy: image.pullPolicy must be one of the following: \"Always\", \"Never\"\n");
  check("image: {}\n", "- image: repository is required\n");
  check("image: {repository: nginx}\nmode: c\n",
        "- mode: mode must be one of the following: \"a\", \"b\"\n");
  check("image: {repository: nginx}\nport: http\n",
        "- port: Must validate at least one schema (anyOf)\n- port: Does not match pattern "
        "'^[0-9]+$'\n");
  check("image: {repository: nginx}\ntags: []\n", "- tags: Array must have at least 1 items\n");
  check("image: {repository: nginx}\ntags: [a, 1]\n",
        "- tags.1: Invalid type. Expected: string, given: integer\n");
  check("image: {repository: nginx}\ntags: [a, a]\n", "- tags: array items[0,1] must be unique\n");
  check("image: {repository: nginx}\none: abc\n",
        "- one: Must validate one and only one schema (oneOf)\n");
}

static void whole_chart(void **state) {
  (void)state;
  helm_chart c = {0};
  c.name = "web";
  c.schema = (char *)schema;
  c.schema_len = strlen(schema);
  helm_value *v = NULL;
  helm_yaml_parse_values("replicas: 3\n", 12, &v, NULL);
  helm_error e = {0};
  assert_int_equal(helm_validate_schema(&c, v, &e), HELM_ESCHEMA);
  assert_string_equal(e.message,
                      "values don't meet the specifications of the schema(s) in the following "
                      "chart(s):\nweb:\n- (root): image is required\n");
  helm_error_clear(&e);
  helm_value_free(v);
  char *rep = NULL;
  assert_int_not_equal(helm_schema_validate("{bad", 4, NULL, &rep, &e), 0);
  helm_error_clear(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(messages), cmocka_unit_test(whole_chart)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
