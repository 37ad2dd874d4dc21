"""The Python registry names exactly the task ids each family's extension module defines.

The registry lists ids in Python so that `import envfleet` and `list_all_envs()` load no
extension; each family's C++ declares them again, where they are made. Both lists must agree.
"""

from __future__ import annotations

import pytest

from envfleet import registry

FAMILIES = [*registry.families(), *registry.internal_families()]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_module_defines_the_registry_s_ids(family):
    listed = registry.families().get(family) or registry.internal_families()[family]
    assert sorted(registry.import_family(family).env_ids()) == sorted(listed)


def test_every_id_belongs_to_one_family():
    ids = registry.list_all_envs()
    assert len(ids) == len(set(ids))
    for family, task_ids in registry.families().items():
        assert all(registry.family_of(task_id) == family for task_id in task_ids)
