#!/usr/bin/env python3
"""Entry point: python3 tests/cluster/server.py --dir DIR [--port N] [--status-delay S]."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubeapi.server import main  # noqa: E402

if __name__ == "__main__":
    main()
