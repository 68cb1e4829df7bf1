/* Log lines must parse as go-hclog JSON: string @level/@message/@timestamp, Go's layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "log/hclog.h"

static void levels(void **state) {
  (void)state;
  assert_int_equal(hclog_parse_level("debug"), HCLOG_DEBUG);
  assert_int_equal(hclog_parse_level("TRACE"), HCLOG_TRACE);
  assert_int_equal(hclog_parse_level("JSON"), HCLOG_TRACE);
  assert_int_equal(hclog_parse_level("bogus"), HCLOG_TRACE);
  assert_int_equal(hclog_parse_level("off"), HCLOG_OFF);
  assert_int_equal(hclog_parse_level(""), HCLOG_OFF);
  assert_int_equal(hclog_parse_level(NULL), HCLOG_OFF);
  setenv("TF_LOG", "info", 1);
  setenv("TF_LOG_PROVIDER", "warn", 1);
  hclog_init();
  assert_false(hclog_enabled(HCLOG_INFO));
  assert_true(hclog_enabled(HCLOG_WARN));
  unsetenv("TF_LOG_PROVIDER");
  hclog_init();
  assert_true(hclog_enabled(HCLOG_INFO));
  unsetenv("TF_LOG");
  hclog_init();
  assert_false(hclog_enabled(HCLOG_WARN));
  assert_true(hclog_enabled(HCLOG_ERROR)); /* Terraform scans error lines even when off */
}

static void line_format(void **state) {
  (void)state;
  char buf[1024];
  const char *kv[] = {"tf_rpc", "ReadDataSource", "quote", "a\"b\\c\n\x01", NULL};
  int n = hclog_format(buf, sizeof buf, HCLOG_WARN, "provider.git", "fetch \"x\"", kv);
  assert_true(n > 0 && buf[n - 1] == '\n');
  cJSON *j = cJSON_Parse(buf);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "@level")->valuestring, "warn");
  assert_string_equal(cJSON_GetObjectItem(j, "@message")->valuestring, "fetch \"x\"");
  assert_string_equal(cJSON_GetObjectItem(j, "@module")->valuestring, "provider.git");
  assert_string_equal(cJSON_GetObjectItem(j, "quote")->valuestring, "a\"b\\c\n\x01");
  const char *ts = cJSON_GetObjectItem(j, "@timestamp")->valuestring;
  regex_t re;
  assert_int_equal(regcomp(&re,
                           "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$",
                           REG_EXTENDED | REG_NOSUB),
                   0);
  assert_int_equal(regexec(&re, ts, 0, NULL, 0), 0);
  regfree(&re);
  cJSON_Delete(j);
}

static void truncation_keeps_json(void **state) {
  (void)state;
  char buf[64];
  hclog_format(buf, sizeof buf, HCLOG_INFO, NULL,
               "a message far longer than the buffer can hold, so it is cut somewhere", NULL);
  assert_true(strlen(buf) < sizeof buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(levels), cmocka_unit_test(line_format),
                                     cmocka_unit_test(truncation_keeps_json)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
