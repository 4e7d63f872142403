"""Values computed once per script run and shared by everything that run draws.

A page, the sidebar and the map all ask for the selection's view and dataset; through
``st.cache_data`` each ask costs a hash of the arguments and a fresh copy of the value (tens of
milliseconds for a view with its shapes). :func:`once` keeps each value for the rest of the run
instead: the sidebar starts every full run with :func:`new_run`, so nothing outlives the run it
was made in (a fragment's rerun reuses the values of the run it belongs to). Callers share one
object: treat it as read-only. Outside a script run (tests, the command line) nothing is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

MEMO_KEY = "atlas_run_memo"
MAX_ENTRIES = 32  # a run needs a handful; a fragment moving through many dates adds one per date

P = ParamSpec("P")
R = TypeVar("R")


def new_run() -> None:
    """Forget every value kept so far: called first on every full run (and when caches are cleared)."""
    if get_script_run_ctx() is not None:
        st.session_state[MEMO_KEY] = {}


def once(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` called at most once per script run for each set of (hashable, positional) arguments."""

    @functools.wraps(function)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        if get_script_run_ctx() is None:
            return function(*args, **kwargs)
        memo: dict = st.session_state.setdefault(MEMO_KEY, {})
        key = (function.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = function(*args, **kwargs)
            while len(memo) > MAX_ENTRIES:  # the oldest first
                memo.pop(next(iter(memo)))
        return memo[key]

    return kept
