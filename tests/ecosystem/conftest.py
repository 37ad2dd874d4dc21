"""Settings of the ecosystem tests.

Tianshou's replay buffers compile their index helpers with numba on first use (about 11 s here);
the tests collect a few hundred steps, for which numba's interpreted fallback is as exact and
faster. Set before Tianshou (and so numba) is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_DISABLE_JIT", "1")
