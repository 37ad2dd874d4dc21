"""docs/catalogue.md is exactly what tools/make_catalogue.py generates from the registry now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import envfleet
from envfleet import registry

pytestmark = pytest.mark.slow  # regenerates the catalogue from every task's spec

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    """tools/make_catalogue.py as a module (tools/ is not a package)."""
    path = ROOT / "tools" / "make_catalogue.py"
    spec = importlib.util.spec_from_file_location("make_catalogue", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogue_is_current():
    for family in registry.families():
        # A build without a family (-DENVFLEET_WITH_<FAMILY>=OFF) cannot describe its ids.
        # (Imported as envfleet imports it: with the libraries it needs loaded first.)
        try:
            registry.import_family(family)
        except ModuleNotFoundError as error:
            pytest.skip(f"this build has no {family} family: {error}")
    generated = load_generator().render_catalogue()
    page = (ROOT / "docs/catalogue.md").read_text()
    assert page == generated, "docs/catalogue.md is out of date: run python tools/make_catalogue.py"


def test_catalogue_lists_every_id_once():
    page = (ROOT / "docs/catalogue.md").read_text()
    for task_id in envfleet.list_all_envs():
        assert page.count(f"| `{task_id}` |") == 1, task_id


def test_space_format_keeps_per_element_bounds():
    generator = load_generator()
    spec = envfleet.make_spec("CartPole-v1")
    assert generator.format_space(spec.observation_space) == (
        "Box([-4.8, -inf, -0.418879, -inf], [4.8, inf, 0.418879, inf], (4,), float32)"
    )
    assert generator.format_space(spec.action_space) == "Discrete(2)"
