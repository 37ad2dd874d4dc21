"""Writes docs/catalogue.md, the env catalogue, from envfleet's registry and the envs' own specs.

Run `python tools/make_catalogue.py` after adding or changing an env; `--check` only reports
whether the page is current. tests/docs/test_catalogue_is_current.py fails when it is not, so the
page cannot drift from the code. Every value comes from the built extension modules (the one C++
declaration of each env), never from a list kept here.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

import gymnasium
import numpy as np

from envfleet import registry
from envfleet.spec import EnvSpec

PAGE = Path(__file__).resolve().parent.parent / "docs" / "catalogue.md"

FAMILY_TITLES = {
    "classic_control": "Classic control",
    "toy_text": "Toy text",
    "box2d": "Box2D",
    "atari": "Atari",
    "mujoco": "MuJoCo",
    "dm_control": "DeepMind Control Suite",
}
FAMILY_PAGES = {
    "toy_text": "toy_text.md",
    "box2d": "box2d.md",
    "atari": "atari.md",
    "mujoco": "mujoco.md",
    "dm_control": "dm_control.md",
}
NONE = "—"


def default_spec(task_id: str) -> EnvSpec:
    """The spec of `task_id` with default options.

    Calls the family module's `describe` once; `envfleet.make_spec` calls it twice (once for the
    option defaults), which for an Atari game means loading its ROM twice.
    """
    return EnvSpec.from_description(registry.family_module(task_id).describe(task_id, {}), {})


def _number(value: float, integral: bool) -> str:
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if integral else format(float(value), ".6g")


def format_space(space: gymnasium.Space) -> str:
    """A short, numpy-version-independent description of one env's space."""
    if isinstance(space, gymnasium.spaces.Discrete):
        return f"Discrete({int(space.n)})"
    if isinstance(space, gymnasium.spaces.Tuple):
        return f"Tuple({', '.join(format_space(part) for part in space.spaces)})"
    if isinstance(space, gymnasium.spaces.Dict):
        # The Control Suite's keys: unbounded float64 arrays, named with their shapes.
        return (
            "Dict("
            + ", ".join(
                f"{name}: ({', '.join(map(str, part.shape))}{',' if len(part.shape) == 1 else ''})"
                for name, part in space.spaces.items()
            )
            + ") float64"
        )
    integral = space.dtype.kind in "iub"
    shape = f"({', '.join(str(d) for d in space.shape)}{',' if len(space.shape) == 1 else ''})"
    low, high = np.ravel(space.low), np.ravel(space.high)
    if low.size and (low == low[0]).all() and (high == high[0]).all():
        bounds = f"{_number(low[0], integral)}, {_number(high[0], integral)}"
    else:
        bounds = ", ".join(
            "[" + ", ".join(_number(v, integral) for v in side) + "]" for side in (low, high)
        )
    return f"Box({bounds}, {shape}, {space.dtype})"


def describe_columns(spec: EnvSpec) -> dict[str, str]:
    """The catalogue's columns for one env, as text."""
    return {
        "observation": format_space(spec.observation_space),
        "action": format_space(spec.action_space),
        "max_episode_steps": str(spec.max_episode_steps),
        "reward_threshold": NONE if spec.reward_threshold is None else f"{spec.reward_threshold:g}",
        "info keys": ", ".join(f"`{name}`" for name in spec.info_spaces) or NONE,
        "get_state parts": ", ".join(f"`{n}` ({s})" for n, s in spec.state_layout) or NONE,
        "render": NONE if spec.render_shape is None else "x".join(map(str, spec.render_shape)),
    }


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _paragraph(text: str) -> str:
    """`text` wrapped at 100 columns, never inside a word."""
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def _task_name(task_id: str) -> str:
    """The id without its version: `HalfCheetah-v5` -> `HalfCheetah`."""
    return re.sub(r"-v\d+$", "", task_id)


def _options_section(specs: dict[str, EnvSpec]) -> list[str]:
    """Option tables: one for the family if every id has the same options, else one per task."""
    options = {task_id: spec.options for task_id, spec in specs.items()}
    first = next(iter(options.values()))
    if all(o == first for o in options.values()):
        if not first:
            return ["No options.", ""]
        rows = [[f"`{name}`", f"`{value!r}`"] for name, value in first.items()]
        table = _table(["option", "default"], rows)
        return [f"Options of every id ({len(options)}):", "", *table, ""]

    tasks: dict[str, list[str]] = {}
    for task_id in options:
        tasks.setdefault(_task_name(task_id), []).append(task_id)
    lines: list[str] = []
    without = [task_id for task_id, o in options.items() if not o]
    for name, task_ids in tasks.items():
        if not any(options[task_id] for task_id in task_ids):
            continue
        names = list(dict.fromkeys(n for task_id in task_ids for n in options[task_id]))
        rows = [
            [f"`{n}`"] + [f"`{options[t][n]!r}`" if n in options[t] else NONE for t in task_ids]
            for n in names
        ]
        lines += [f"**{name}**", "", *_table(["option", *task_ids], rows), ""]
    if without:
        lines += ["Ids without options: " + ", ".join(f"`{t}`" for t in without) + ".", ""]
    return lines


def family_section(family: str, task_ids: tuple[str, ...]) -> list[str]:
    """The catalogue section of one family: shared values once, then a table of what differs."""
    specs = {task_id: default_spec(task_id) for task_id in task_ids}
    columns = {task_id: describe_columns(spec) for task_id, spec in specs.items()}
    names = list(next(iter(columns.values())))
    shared = [n for n in names if len({c[n] for c in columns.values()}) == 1 and len(columns) > 1]
    varying = [n for n in names if n not in shared]

    title = FAMILY_TITLES.get(family, family)
    lines = [f"## {title} ({len(task_ids)} ids)", ""]
    if family in FAMILY_PAGES:
        page = FAMILY_PAGES[family]
        lines += [f"Semantics and options explained: [{page}]({page}).", ""]
    if shared:
        lines += ["Shared by every id of the family:", ""]
        first = next(iter(columns.values()))
        lines += [f"- {n}: {first[n]}" for n in shared]
        lines += [""]
    rows = [[f"`{task_id}`"] + [c[n] for n in varying] for task_id, c in columns.items()]
    lines += [*_table(["id", *varying], rows), ""]
    lines += _options_section(specs)
    lines += _reset_options_section(specs)
    return lines


def _reset_options_section(specs: dict[str, EnvSpec]) -> list[str]:
    """The options each id takes per env at reset (`reset(env_id=..., options={...})`)."""
    # Ids with the same options share a row (every Atari game: one).
    groups: dict[tuple[str, ...], list[str]] = {}
    for task_id, spec in specs.items():
        if spec.reset_options:
            groups.setdefault(spec.reset_options, []).append(task_id)
    if not groups:
        return []
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(specs) > 1:
        names = ", ".join(f"`{name}`" for name in next(iter(groups)))
        return [f"Options that change per env at reset, every id: {names}.", ""]
    rows = [
        "- "
        + ", ".join(f"`{task_id}`" for task_id in task_ids)
        + ": "
        + ", ".join(f"`{name}`" for name in options)
        for options, task_ids in groups.items()
    ]
    return [
        "Options that change per env at reset (`reset(env_id=..., options={...})`):",
        "",
        *rows,
        "",
    ]


def render_catalogue() -> str:
    """The whole page, as text."""
    families = registry.families()
    total = sum(len(ids) for ids in families.values())
    lines = [
        "# Env catalogue",
        "",
        "<!-- Generated by tools/make_catalogue.py from the registry: do not edit by hand. -->",
        "",
        _paragraph(
            f"Every id `envfleet.list_all_envs()` returns ({total}), grouped by family. Spaces are "
            "one env's (a pool adds a leading axis of `batch_size` rows) with default options; "
            "options can change them (Atari's `stack_num`, `img_height`, `gray_scale`; MuJoCo's "
            "`exclude_current_positions_from_observation`, ...): "
            "`envfleet.make_spec(id, **options)` or `envfleet info ID` gives the exact spec. "
            "Every id also takes the pool keywords "
            "(`num_envs`, `batch_size`, `num_threads`, `seed`, `max_episode_steps`, "
            "`autoreset_mode`, `thread_affinity_offset`; see [api.md](api.md)). "
            "Every info key is an array with one row per env, beside `env_id` and `elapsed_step`."
        ),
        "",
    ]
    for family, task_ids in families.items():
        lines += family_section(family, task_ids)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Writes the page (or, with --check, says whether it is current); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is not current")
    args = parser.parse_args(argv)
    text = render_catalogue()
    if args.check:
        current = PAGE.exists() and PAGE.read_text() == text
        print(f"{PAGE}: {'current' if current else 'out of date; run tools/make_catalogue.py'}")
        return 0 if current else 1
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
