/* Stand-alone driver for tests/helm/golden.sh while the provider binary does
 * not dispatch `template` yet: helm-template template [NAME] CHART [flags]. */
#include "engine/helm/helm.h"

int main(int argc, char **argv) {
  return helm_cli_template(argc - 1, argv + 1);
}
