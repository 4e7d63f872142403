"""geo.official.assets: the map's npm assets fetched (local HTTP server or folder, never the internet),
verified against the pinned integrity, cached, published for Streamlit and inlined."""

from __future__ import annotations

import dataclasses
import io
import os
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from atlas_testing import DATA_ENV, MIRROR_ENV, LocalServer, assert_one_line

from geo.core.errors import SourceError
from geo.official import assets, download

PNG_A = b"\x89PNG\r\n\x1a\nlayers"
PNG_B = b"\x89PNG\r\n\x1a\nmarker"
FILES = {
    "LICENSE": b"BSD-2-Clause",
    "dist/leaflet.js": b"window.L = {version: '9.9.9'};\n//# sourceMappingURL=leaflet.js.map\n",
    "dist/leaflet.css": b'.a { background: url(images/layers.png); }\n.b { background-image: url("images/marker-icon.png"); }\n',
    "dist/images/layers.png": PNG_A,
    "dist/images/marker-icon.png": PNG_B,
    "dist/leaflet-src.js": b"// not wanted",
}
WANTED = tuple(name for name in FILES if name != "dist/leaflet-src.js")


def make_tarball(files: dict[str, bytes]) -> bytes:
    """An npm-style tarball: every file under ``package/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


TARBALL = make_tarball(FILES)


def fake_package(tarball: bytes = TARBALL, files: tuple[str, ...] = WANTED) -> assets.Package:
    return dataclasses.replace(
        assets.LEAFLET, name="fakeleaflet", version="9.9.9", integrity=assets.integrity_of(tarball),
        files=files, title="FakeLeaflet 9.9.9",
    )  # fmt: skip


FAKE = fake_package()
NO_WAIT = download.Retry(attempts=3, backoff=0.5, timeout=10, sleep=lambda seconds: None)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache, no mirrors: each test says where its tarball comes from."""
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(MIRROR_ENV, "")
    monkeypatch.delenv(assets.MIRROR_ENV, raising=False)
    return tmp_path / "cache"


def tarball_server(tarball: bytes = TARBALL, failures: int = 0, status: int = 503) -> LocalServer:
    """Serves ``tarball`` at the registry path of :data:`FAKE`, after ``failures`` answers of ``status``."""
    left = [failures]

    def respond(path: str) -> tuple[int, bytes, str]:
        if path != f"/{FAKE.name}/-/{FAKE.tarball}":
            return 404, b"not found", "text/plain"
        if left[0] > 0:
            left[0] -= 1
            return status, b"busy", "text/plain"
        return 200, tarball, "application/octet-stream"

    return LocalServer(respond)


# -- fetching ------------------------------------------------------------------------------


def test_fetch_from_registry_verifies_and_extracts(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    with tarball_server() as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        lines = assets.fetch(packages=(FAKE,), retry=NO_WAIT)
        again = assets.fetch(packages=(FAKE,), retry=NO_WAIT)
    folder = isolated / "assets" / "fakeleaflet-9.9.9"
    assert "sha512 verified" in lines[0] and "127.0.0.1" in lines[0]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".integrity", "LICENSE", "images/layers.png", "images/marker-icon.png", "leaflet.css", "leaflet.js",
    ]  # fmt: skip
    assert (folder / "leaflet.js").read_bytes() == FILES["dist/leaflet.js"]
    assert (isolated / "assets" / FAKE.tarball).read_bytes() == TARBALL  # kept: an offline mirror for later
    assert not (folder.parent / ".fakeleaflet-9.9.9.tmp").exists()
    assert "already cached" in again[0]
    assert server.requests == ["/fakeleaflet/-/fakeleaflet-9.9.9.tgz"]  # once
    assert assets.missing((FAKE,)) == [] and assets.missing_message((FAKE,)) is None


def test_fetch_refuses_a_tarball_with_the_wrong_hash(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    tampered = make_tarball({**FILES, "dist/leaflet.js": b"stealCookies();"})
    with tarball_server(tampered) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        with pytest.raises(SourceError) as info:
            assets.fetch(packages=(FAKE,), retry=NO_WAIT)
    assert_one_line(info.value, "fakeleaflet-9.9.9.tgz", "does not match its pinned sha512 integrity", "refused")
    assert not (isolated / "assets" / "fakeleaflet-9.9.9").exists()
    assert not (isolated / "assets" / FAKE.tarball).exists()
    assert assets.missing((FAKE,)) == [FAKE]


def test_fetch_retries_a_transient_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    progress: list[str] = []
    retry = dataclasses.replace(NO_WAIT, sleep=waits.append)
    with tarball_server(failures=1) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        assets.fetch(packages=(FAKE,), retry=retry, progress=progress.append)
    assert len(server.requests) == 2
    assert waits == [0.5]
    assert any("HTTP 503, trying again in 0.5 s" in line for line in progress)
    assert assets.missing((FAKE,)) == []


def test_fetch_unreachable_registry_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with tarball_server(failures=99, status=404) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        with pytest.raises(SourceError) as info:
            assets.fetch(packages=(FAKE,), retry=NO_WAIT)
    assert len(server.requests) == 1  # a 404 is not retried
    assert_one_line(info.value, "cannot download FakeLeaflet 9.9.9", "HTTP 404", assets.MIRROR_ENV)


def test_fetch_from_a_relative_mirror_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "npm-mirror"
    folder.mkdir()
    (folder / FAKE.tarball).write_bytes(TARBALL)
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setenv(assets.MIRROR_ENV, os.path.relpath(folder))
    lines = assets.fetch(packages=(FAKE,))
    assert f"from {folder}" in lines[0]
    assert assets.missing((FAKE,)) == []


def test_fetch_from_the_official_files_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One folder can hold the ONS files and the tarball for an offline machine."""
    folder = tmp_path / "geo-mirror"
    folder.mkdir()
    (folder / FAKE.tarball).write_bytes(TARBALL)
    monkeypatch.setenv(MIRROR_ENV, str(folder))
    assert f"from {folder}" in assets.fetch(packages=(FAKE,))[0]


def test_a_damaged_cached_tarball_is_fetched_again(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    (isolated / "assets").mkdir(parents=True)
    (isolated / "assets" / FAKE.tarball).write_bytes(TARBALL[:100])
    with tarball_server() as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        assets.fetch(packages=(FAKE,), retry=NO_WAIT)
    assert len(server.requests) == 1
    assert (isolated / "assets" / FAKE.tarball).read_bytes() == TARBALL


def test_fetch_refuses_a_tarball_without_a_pinned_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    partial = make_tarball({"dist/leaflet.js": b"x"})
    package = fake_package(partial)
    (tmp_path / package.tarball).write_bytes(partial)
    monkeypatch.setenv(assets.MIRROR_ENV, str(tmp_path))
    with pytest.raises(SourceError) as info:
        assets.fetch(packages=(package,))
    assert_one_line(info.value, "has no LICENSE", "geo/official/assets.py")


def test_pinned_leaflet(assets_mirror: Path) -> None:
    """The pinned tarball is the registry's (as fetched by `make`), and holds what the map needs."""
    assert assets.LEAFLET.tarball_url() == "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz"
    data = (assets_mirror / assets.LEAFLET.tarball).read_bytes()
    assert assets.integrity_of(data) == assets.LEAFLET.integrity
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        names = set(archive.getnames())
    assert {f"package/{path}" for path in assets.LEAFLET.files} <= names


# -- serving and inlining ------------------------------------------------------------------


def fetched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, package: assets.Package = FAKE, tarball: bytes = TARBALL
) -> None:
    (tmp_path / package.tarball).write_bytes(tarball)
    monkeypatch.setenv(assets.MIRROR_ENV, str(tmp_path))
    assets.fetch(packages=(package,))


def test_publish_copies_into_static_and_returns_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fetched(monkeypatch, tmp_path)
    static = tmp_path / "app" / "static"
    js, css = assets.publish(static, url_base="/atlas/app/static/", packages=(FAKE,))
    assert js == ["/atlas/app/static/fakeleaflet-9.9.9/leaflet.js"]
    assert css == ["/atlas/app/static/fakeleaflet-9.9.9/leaflet.css"]
    assert (static / "fakeleaflet-9.9.9" / "images" / "layers.png").read_bytes() == PNG_A
    stamp = (static / "fakeleaflet-9.9.9" / "leaflet.js").stat().st_mtime_ns
    assert assets.publish(static, packages=(FAKE,)) == assets.served_urls(packages=(FAKE,))
    assert (static / "fakeleaflet-9.9.9" / "leaflet.js").stat().st_mtime_ns == stamp  # not copied twice
    assert not [p for p in static.rglob("*.tmp")]


def test_publish_from_concurrent_sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Streamlit runs sessions as threads of one process: several may publish at once."""
    fetched(monkeypatch, tmp_path)
    static = tmp_path / "static"
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: assets.publish(static, packages=(FAKE,)), range(6)))
    assert all(result == results[0] for result in results)
    assert (static / "fakeleaflet-9.9.9" / "leaflet.css").read_bytes() == FILES["dist/leaflet.css"]
    assert not [p for p in static.rglob("*.tmp")]


def test_publish_without_fetched_assets_says_how_to_get_them(tmp_path: Path) -> None:
    message = assets.missing_message((FAKE,))
    assert message is not None
    assert_one_line(SourceError(message), "FakeLeaflet 9.9.9", "not downloaded", "python -m geo fetch", "make run")
    with pytest.raises(SourceError) as info:
        assets.publish(tmp_path / "static", packages=(FAKE,))
    assert str(info.value) == message
    assert not (tmp_path / "static").exists()


def test_inline_texts_embed_images_and_drop_the_source_map(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fetched(monkeypatch, tmp_path)
    (js,), (css,) = assets.inline_texts((FAKE,))
    assert "sourceMappingURL" not in js and "window.L" in js
    assert "images/" not in css
    assert 'url("data:image/png;base64,iVBORw0KGgpsYXllcnM=")' in css  # PNG_A
    assert css.count("data:image/png;base64,") == 2
    html = assets.inline_html((FAKE,))
    assert html.startswith("<style>") and "</style>\n<script>" in html and html.endswith("</script>")


def test_inline_html_refuses_a_script_that_would_close_its_element(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tarball = make_tarball({**FILES, "dist/leaflet.js": b"var s = '</script><img src=x>';"})
    package = fake_package(tarball)
    fetched(monkeypatch, tmp_path, package, tarball)
    with pytest.raises(SourceError) as info:
        assets.inline_html((package,))
    assert_one_line(info.value, "</script>", "HTML export")
