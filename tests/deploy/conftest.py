from __future__ import annotations

import sys
from pathlib import Path

# The shared helpers of these tests (k8s_manifests.py), importable by each test module.
sys.path.insert(0, str(Path(__file__).parent))
