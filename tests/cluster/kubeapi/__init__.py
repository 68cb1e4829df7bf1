"""A Kubernetes API server for tests (see tests/cluster/README.md)."""
