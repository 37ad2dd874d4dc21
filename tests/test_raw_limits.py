"""The raw limits step the workload's own number of simulators, each batch going to the next ones
in turn, so that simulator i gets the actions the pool's env i gets in sync mode."""

from __future__ import annotations

from envfleet.benchmark import raw_limits


def test_each_action_of_a_batch_goes_to_the_next_simulator_in_turn() -> None:
    calls: list[tuple[str, int]] = []
    step = raw_limits._in_turns(["a", "b", "c"], lambda sim, action: calls.append((sim, action)))

    # Sync: a batch per simulator count; async: batches of 2 of the 3, carrying on in turn.
    step([0, 1, 2])
    assert calls == [("a", 0), ("b", 1), ("c", 2)]
    step([3, 4])
    step([5, 6])
    assert calls[3:] == [("a", 3), ("b", 4), ("c", 5), ("a", 6)]
