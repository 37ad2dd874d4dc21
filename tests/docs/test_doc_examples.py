"""Every ```python block of the user docs runs, each in a fresh namespace, as the reader would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs every example of the docs

DOCS = Path(__file__).resolve().parents[2] / "docs"
# The pages whose Python blocks are complete programs (adding_an_env.md shows fragments).
PAGES = ("quickstart.md", "api.md", "from_envpool.md", "integrations.md", "recipes.md")
FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks(page: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block of `page`."""
    text = (DOCS / page).read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


EXAMPLES = [
    pytest.param(page, code, id=f"{page}:{line}")
    for page in PAGES
    for line, code in python_blocks(page)
]


def test_every_page_has_examples():
    for page in PAGES:
        assert python_blocks(page), f"{page} has no ```python block: did the fence change?"


@pytest.mark.parametrize(("page", "code"), EXAMPLES)
def test_example_runs(page: str, code: str) -> None:
    exec(compile(code, f"{DOCS / page}", "exec"), {"__name__": "__doc_example__"})
