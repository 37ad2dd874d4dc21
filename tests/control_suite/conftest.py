import sys
from pathlib import Path

# suite_reference.py, the tests' helper, sits beside them.
sys.path.insert(0, str(Path(__file__).parent))
