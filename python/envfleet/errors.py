"""The exception envfleet raises when an environment itself fails inside the pool."""

from __future__ import annotations

from typing import Any


class EnvError(RuntimeError):
    """An env raised inside the pool during step or reset (see docs/reliability.md).

    The message names the first env that raised. `env_ids` lists every env that raised, in row
    order. `result` is the complete result of the call that failed, as the pool's native
    (obs, reward, terminated, truncated, info) tuple: the other envs' rows are their normal
    results; a failed env's row has a zero observation and reward and truncated True. No env is
    left in flight, and the pool stays usable: a failed env is reset on its next step.
    """

    def __init__(self, message: str, env_ids: list[int], result: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.env_ids = list(env_ids)
        self.env_id = self.env_ids[0]
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.env_ids, self.result))
