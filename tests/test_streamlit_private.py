"""pages/streamlit_private.py: the private Streamlit internals it uses are still there and still mean
what it assumes. A failure here means Streamlit changed them: read the module's docstring, check
whether a public API now does the job, and drop or adapt the workaround."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from streamlit.runtime import Runtime, scriptrunner
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from pages import streamlit_private

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture
def legacy_flag():
    """PagesManager's class flag, restored after the test (AppTest and the server share it)."""
    saved = PagesManager.uses_pages_directory
    yield
    PagesManager.uses_pages_directory = saved


def test_the_legacy_pages_flag_is_still_a_class_attribute_set_from_the_pages_folder(legacy_flag) -> None:
    assert "uses_pages_directory" in vars(PagesManager), "PagesManager.uses_pages_directory is gone"
    PagesManager.uses_pages_directory = None
    PagesManager(str(APP))  # app.py has pages/ beside it
    assert PagesManager.uses_pages_directory is True


def test_the_script_runner_still_runs_a_page_alone_while_the_flag_is_set() -> None:
    # What the workaround exists for: with the flag set, a page file runs as multipage v1.
    source = inspect.getsource(script_runner)
    assert "if PagesManager.uses_pages_directory:" in source and "_mpa_v1(" in source


def test_leaving_legacy_mode_clears_the_flag_once(legacy_flag) -> None:
    PagesManager.uses_pages_directory = True
    assert streamlit_private.leave_legacy_pages_mode() is True
    assert PagesManager.uses_pages_directory is False
    assert streamlit_private.leave_legacy_pages_mode() is False  # no second rerun
    PagesManager.uses_pages_directory = None  # not yet decided: nothing to leave
    assert streamlit_private.leave_legacy_pages_mode() is False


def test_the_runtime_still_answers_whether_a_session_is_active() -> None:
    for name in ("exists", "instance", "is_active_session"):
        assert callable(getattr(Runtime, name, None)), f"Runtime.{name} is gone"
    assert list(inspect.signature(Runtime.is_active_session).parameters) == ["self", "session_id"]
    assert callable(getattr(scriptrunner, "get_script_run_ctx", None)), "get_script_run_ctx is gone"
    assert "session_id" in inspect.signature(scriptrunner.ScriptRunContext).parameters


def test_outside_a_server_the_session_counts_as_active() -> None:
    assert not Runtime.exists() or scriptrunner.get_script_run_ctx() is None
    assert streamlit_private.session_is_active() is True


def test_a_gone_session_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    class Ctx:
        session_id = "gone-session"

    class FakeRuntime:
        @staticmethod
        def exists() -> bool:
            return True

        @staticmethod
        def instance() -> FakeRuntime:
            return FakeRuntime()

        def is_active_session(self, session_id: str) -> bool:
            return session_id != "gone-session"

    monkeypatch.setattr("streamlit.runtime.Runtime", FakeRuntime)
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: Ctx())
    assert streamlit_private.session_is_active() is False
