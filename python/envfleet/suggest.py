"""What to suggest for a task id envfleet does not know: the ids a user most likely meant.

One place for the "did you mean" of `envfleet.make*` (registry.family_of) and of
`envfleet info`. In order, a mistyped id gets:
- the same id in another case (``cartpole-v1`` -> ``CartPole-v1``);
- for an Atari id in Gymnasium's older forms (``PongNoFrameskip-v4``, ``Pong-v4``,
  ``ALE/Pong-v5``, ``Pong-ramDeterministic-v4``): the ``<Game>-v5`` id, with a line saying that
  envfleet's Atari ids are EnvPool's ``-v5`` ids and that frame skip and the like are options;
- the other versions of the same task, newest first (``CartPole-v2`` -> ``CartPole-v1``);
- else the closest ids by spelling, compared without case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

# How similar (difflib's ratio, 0..1) an id must be to be suggested by spelling alone.
SPELLING_CUTOFF = 0.6
MAX_SUGGESTIONS = 3

# Gymnasium's and ale-py's older Atari ids: an optional ALE/ namespace, the game, an optional
# -ram observation, an optional NoFrameskip or Deterministic, a version.
_LEGACY_ATARI = re.compile(
    r"^(?:ALE/)?(?P<game>[A-Za-z0-9]+?)(?:-ram)?(?:NoFrameskip|Deterministic)?-v\d+$"
)
ATARI_NOTE = (
    "envfleet's Atari ids are EnvPool's '<Game>-v5' ids, with EnvPool's preprocessing; frame "
    "skip, sticky actions and the like are options of make() (see `envfleet info {game}`)."
)


def _base_and_version(task_id: str) -> tuple[str, int | None]:
    """("CartPole", 1) for "CartPole-v1"; (task_id, None) if it has no -v<N> suffix."""
    match = re.fullmatch(r"(?P<base>.+)-v(?P<version>\d+)", task_id)
    if match is None:
        return task_id, None
    return match["base"], int(match["version"])


def _by_lower_case(known: Sequence[str]) -> dict[str, str]:
    return {task_id.lower(): task_id for task_id in known}


def close_task_ids(task_id: str, known: Sequence[str], atari: Sequence[str]) -> list[str]:
    """Up to MAX_SUGGESTIONS ids of `known` that `task_id` most likely meant (maybe none).

    `atari` are the Atari family's ids (all of the form <Game>-v5).
    """
    lower = _by_lower_case(known)
    if task_id.lower() in lower:
        return [lower[task_id.lower()]]

    # An older Atari id of a game envfleet has.
    legacy = _LEGACY_ATARI.match(task_id)
    if legacy is not None:
        atari_lower = _by_lower_case(atari)
        game = f"{legacy['game']}-v5".lower()
        if game in atari_lower:
            return [atari_lower[game]]

    # Another version of the same task, newest first.
    base, _ = _base_and_version(task_id)
    versions = [
        (version or 0, name)
        for name in known
        for name_base, version in [_base_and_version(name)]
        if name_base.lower() == base.lower()
    ]
    if versions:
        return [name for _, name in sorted(versions, reverse=True)][:MAX_SUGGESTIONS]

    # The closest spellings.
    matches = difflib.get_close_matches(
        task_id.lower(), list(lower), n=MAX_SUGGESTIONS, cutoff=SPELLING_CUTOFF
    )
    return [lower[match] for match in matches]


def unknown_task_hint(task_id: str, known: Sequence[str], atari: Sequence[str]) -> str:
    """The sentences after "unknown task id ...": "Did you mean ...?" and, for an older Atari
    id, what envfleet's Atari ids are; "" if there is nothing to suggest."""
    suggestions = close_task_ids(task_id, known, atari)
    if not suggestions:
        return ""
    hint = f"Did you mean {', '.join(map(repr, suggestions))}?"
    renamed = suggestions[0].lower() != task_id.lower()
    if renamed and suggestions[0] in atari and _LEGACY_ATARI.match(task_id):
        hint += " " + ATARI_NOTE.format(game=suggestions[0])
    return hint
