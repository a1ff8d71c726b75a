"""Lifecycles as data: a TRANSITIONS table maps (state, event) to (next state, guard, handler).

Guards return None when the move is allowed, or a sentence saying why not. Handlers do what the
move itself means for the object (timestamps, due dates); services add the audit record, the
messages and the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Guard = Callable[[Any, Mapping[str, Any]], str | None]
Handler = Callable[[Any, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Transition:
    next_state: str
    guard: Guard | None = None
    handler: Handler | None = None


class TransitionError(Exception):
    """A move the lifecycle does not allow, in words for the person who tried it."""


def allowed_events(table: Mapping[tuple[str, str], Transition], state: str) -> list[str]:
    return sorted(event for (from_state, event) in table if from_state == state)


def fire(table: Mapping[tuple[str, str], Transition], obj: Any, event: str, **context: Any) -> str:
    """Move `obj` (anything with a `status`) by `event`, or raise TransitionError."""
    transition = table.get((obj.status, event))
    if transition is None:
        raise TransitionError(f"You cannot {event.replace('_', ' ')} when it is {obj.status}.")
    if transition.guard is not None:
        problem = transition.guard(obj, context)
        if problem:
            raise TransitionError(problem)
    if transition.handler is not None:
        transition.handler(obj, context)
    obj.status = transition.next_state
    return obj.status
