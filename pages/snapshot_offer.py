"""The end of a "take it away" form, shared by the Map and Trends pages: the Create button and,
once pressed for exactly this request, the preview, the download and the alt text.

A picture is drawn only on request (it costs seconds) and kept while the request stays the
same; an error the user can fix is one line, anything else goes to the server log.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.pictures.snapshot import Snapshot
from pages import sidebar


def offer(
    request: tuple,
    make: Callable[..., Snapshot],
    fmt: str,
    formats: dict[str, str],
    *,
    what: str,
    state_key: str,
    button_key: str | None = None,
    download_key: str = "download",
) -> None:
    """The Create button for ``request`` (the arguments of ``make``) and, once it was pressed for this
    very request, the picture ``make`` draws: a preview for a PNG, its download and its alt text."""
    if st.button(f"Create the {what}", type="primary", icon=":material/photo_camera:", key=button_key):
        st.session_state[state_key] = request
    if st.session_state.get(state_key) != request:
        st.caption(f"Edit the title if you like, pick a format, then create the {what} to preview and download it.")
        return
    try:
        shot = make(*request)
    except AtlasError as err:
        st.error(md_escape(str(err)), icon=":material/error:")
        return
    except Exception:
        sidebar.unexpected(f"drawing the {what}")
        return
    if fmt == "png":
        st.image(shot.data, caption=None, width="stretch")
    st.download_button(
        f"Download {formats[fmt]}",
        data=shot.data,
        file_name=shot.file_name,
        mime=shot.mime,
        on_click="ignore",
        key=f"{download_key}-{fmt}",
        type="primary",
        icon=":material/download:",
    )
    st.markdown(f"**Alt text** (embedded in the file): {md_escape(shot.alt)}")
