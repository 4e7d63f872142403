"""The map's browser assets (Leaflet): obtained from the npm registry, never committed.

The interactive map needs Leaflet's script, its stylesheet and the stylesheet's images,
nothing else (folium's other defaults — jQuery, Bootstrap, Font Awesome, awesome-markers,
glyphicons — serve popups and markers the atlas does not draw). :func:`fetch` takes the
pinned npm tarball from a mirror folder or an npm registry, refuses it unless it matches
the pinned ``sha512`` integrity, and extracts those files into the cache beside the
prepared official data (``geo.settings.cache_dir() / "assets"``). Then

- :func:`publish` copies them into a Streamlit app's ``static/`` folder and returns the
  URLs the dashboard's own server answers (``/app/static/...``),
- :func:`inline_texts` / :func:`inline_html` give them as text, the stylesheet's images
  as ``data:`` URIs, for a self-contained HTML export,
- :func:`missing_message` says in one line how to get them when they are not there.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import tarfile
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

from geo import settings
from geo.core.errors import SourceError
from geo.official import download, sources

MIRROR_ENV = settings.ASSETS_MIRROR
REGISTRY = "https://registry.npmjs.org"
URL_BASE = "/app/static"  # where Streamlit serves <app folder>/static/
FETCH_HINT = "run `python -m geo fetch` (or `make run`)"


@dataclass(frozen=True)
class Package:
    """One npm package version: what to take out of its tarball and how to check it."""

    name: str
    version: str
    integrity: str  # the registry's ``dist.integrity`` (Subresource Integrity, sha512)
    files: tuple[str, ...]  # paths inside the tarball's ``package/`` folder, kept as they are below ``strip``
    strip: str  # leading folder dropped on extraction ("dist/")
    js: tuple[str, ...]  # scripts, in load order (paths after ``strip``)
    css: tuple[str, ...]  # stylesheets
    title: str

    @property
    def folder(self) -> str:
        """Folder name in the cache and under ``static/``: ``leaflet-1.9.4``."""
        return f"{self.name}-{self.version}"

    @property
    def tarball(self) -> str:
        """The tarball's file name, as ``npm pack`` and the registry name it."""
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def tarball_url(self, registry: str = REGISTRY) -> str:
        """The tarball's URL on an npm registry (the registry's own layout)."""
        return f"{registry.rstrip('/')}/{self.name}/-/{self.tarball}"


# https://registry.npmjs.org/leaflet/1.9.4 -> dist.integrity, dist.tarball
LEAFLET = Package(
    name="leaflet",
    version="1.9.4",
    integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
    files=(
        "LICENSE",
        "dist/leaflet.js",
        "dist/leaflet.css",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
    ),
    strip="dist/",
    js=("leaflet.js",),
    css=("leaflet.css",),
    title="Leaflet 1.9.4",
)
PACKAGES: tuple[Package, ...] = (LEAFLET,)
_MARKER = ".integrity"  # written last into a package folder: its content is the verified integrity


def _target(package: Package, path: str) -> str:
    return path[len(package.strip) :] if path.startswith(package.strip) else path


def assets_dir() -> Path:
    """Where the extracted assets are cached: ``geo.settings.cache_dir()/assets``."""
    return settings.cache_dir() / "assets"


def package_dir(package: Package = LEAFLET) -> Path:
    """The cached, extracted files of ``package``."""
    return assets_dir() / package.folder


def _complete(folder: Path, package: Package) -> bool:
    marker = folder / _MARKER
    try:
        if marker.read_text(encoding="ascii").strip() != package.integrity:
            return False
    except OSError:
        return False
    return all((folder / _target(package, path)).is_file() for path in package.files)


def missing(packages: tuple[Package, ...] = PACKAGES) -> list[Package]:
    """The packages not (completely) in the cache."""
    return [p for p in packages if not _complete(package_dir(p), p)]


def missing_message(packages: tuple[Package, ...] = PACKAGES) -> str | None:
    """One line "problem: fix" when the map's scripts are not downloaded yet, else ``None``."""
    absent = missing(packages)
    if not absent:
        return None
    names = ", ".join(p.title for p in absent)
    return f"the interactive map's scripts ({names}) are not downloaded yet: {FETCH_HINT}"


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity value (``sha512-<base64>``) of ``data``, as npm records it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


# -- fetching -----------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    return urllib.parse.urlsplit(value).scheme in ("http", "https", "file")


def _candidates(package: Package, mirror: str | os.PathLike[str] | None) -> list[tuple[str, str]]:
    """Where to look for the tarball, in order: (kind, location) with kind "file" or "url"."""
    found: list[tuple[str, str]] = [("file", str(assets_dir() / package.tarball))]
    configured = settings.text(MIRROR_ENV) or ""
    folders: list[Path] = []
    if configured and not _is_url(configured):
        folders.append(settings.resolve_path(configured))
    # The official-files mirror may hold the tarball too (one folder for an offline machine).
    if mirror is not None:
        geo_mirror = settings.resolve_path(os.fspath(mirror)) if os.fspath(mirror) else None
    else:
        geo_mirror = settings.folder(settings.GEO_MIRROR)
    if geo_mirror is not None:
        folders.append(geo_mirror)
    found += [("file", str(folder / package.tarball)) for folder in folders]
    registry = configured if configured and _is_url(configured) else REGISTRY
    found.append(("url", package.tarball_url(registry)))
    return found


def _read_tarball(
    package: Package,
    mirror: str | os.PathLike[str] | None,
    retry: download.Retry,
    progress: sources.Progress,
) -> tuple[bytes, str]:
    """The tarball's bytes, verified against the pinned integrity, and where they came from."""
    for kind, location in _candidates(package, mirror):
        if kind == "file":
            path = Path(location)
            if not path.is_file():
                continue
            data, origin = path.read_bytes(), f"{path.parent}"
            if path.parent == assets_dir() and integrity_of(data) != package.integrity:
                path.unlink(missing_ok=True)  # a damaged cached copy: fetch it again
                continue
        else:
            progress(f"{package.title}: downloading {location}")
            try:
                data = download.get(location, f"{package.title} download", retry=retry, progress=progress)
            except download.Unreachable as exc:
                raise SourceError(
                    f"cannot download {package.title} from the npm registry ({exc.reason}): connect to the "
                    f"internet, or set {MIRROR_ENV} to a folder holding {package.tarball}"
                ) from None
            origin = urllib.parse.urlsplit(location).netloc or location
        if integrity_of(data) != package.integrity:
            raise SourceError(
                f"{package.tarball} from {origin} does not match its pinned sha512 integrity, so it was refused: "
                f"replace it with the file the npm registry publishes for {package.name}@{package.version}"
            )
        return data, origin
    raise AssertionError("the registry is always a candidate")  # pragma: no cover


def _extract(package: Package, data: bytes, target: Path) -> None:
    """Write ``package.files`` from the tarball into ``target`` (replaced atomically per package)."""
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for path in package.files:
            try:
                member = archive.getmember(f"package/{path}")
                source = archive.extractfile(member)
            except KeyError:
                source = None
            if source is None:
                raise SourceError(
                    f"{package.tarball} has no {path}: the pinned package changed layout; "
                    "update geo/official/assets.py for the new version"
                )
            out = staging / _target(package, path)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(source.read())
    (staging / _MARKER).write_text(package.integrity + "\n", encoding="ascii")
    shutil.rmtree(target, ignore_errors=True)
    staging.replace(target)


def fetch(
    mirror: str | os.PathLike[str] | None = None,
    *,
    refresh: bool = False,
    progress: sources.Progress | None = None,
    retry: download.Retry = download.DEFAULT_RETRY,
    packages: tuple[Package, ...] = PACKAGES,
) -> list[str]:
    """Obtain, verify and extract the map's assets into the cache; one summary line per package.

    Looks for each tarball (``leaflet-1.9.4.tgz``) in the cache, then in the folder named
    by ``CAMERA_ATLAS_ASSETS_MIRROR``, then in the official-files mirror (``mirror`` or
    ``CAMERA_ATLAS_GEO_MIRROR``), else downloads it from the npm registry (or from the
    registry URL ``CAMERA_ATLAS_ASSETS_MIRROR`` names). Whatever the source, a tarball
    whose sha512 differs from the pinned integrity is refused (:class:`SourceError`).
    Packages already extracted are left alone unless ``refresh``.
    """
    report = progress or (lambda _: None)
    lines = []
    for package in packages:
        target = package_dir(package)
        if not refresh and _complete(target, package):
            lines.append(f"{package.title}: already cached at {target}")
            continue
        data, origin = _read_tarball(package, mirror, retry, report)
        target.parent.mkdir(parents=True, exist_ok=True)
        cached = target.parent / package.tarball
        if not cached.is_file():
            tmp = cached.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(cached)
        _extract(package, data, target)
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and f.name != _MARKER)
        lines.append(f"{package.title}: {size:,} bytes from {origin}, sha512 verified, cached at {target}")
    return lines


# -- serving and inlining -----------------------------------------------------------------


def _require(packages: tuple[Package, ...]) -> None:
    message = missing_message(packages)
    if message:
        raise SourceError(message)


def served_urls(url_base: str = URL_BASE, packages: tuple[Package, ...] = PACKAGES) -> tuple[list[str], list[str]]:
    """(script URLs, stylesheet URLs) under ``url_base``, where :func:`publish` puts them."""
    base = url_base.rstrip("/")
    js = [f"{base}/{p.folder}/{name}" for p in packages for name in p.js]
    css = [f"{base}/{p.folder}/{name}" for p in packages for name in p.css]
    return js, css


def publish(
    static_dir: str | os.PathLike[str],
    url_base: str = URL_BASE,
    packages: tuple[Package, ...] = PACKAGES,
) -> tuple[list[str], list[str]]:
    """Copy the cached assets into a Streamlit ``static/`` folder (when not there yet) and
    return their (script URLs, stylesheet URLs) on the app's own server.

    Streamlit serves ``<app folder>/static/*`` at ``/app/static/...`` when
    ``server.enableStaticServing`` is on (with each file's own content type from 1.56 on).
    Copies, not links: Streamlit resolves the static folder once at start-up and refuses
    files whose real path lies outside it, and a copy made while the app runs is served at
    once. Pass ``url_base`` with the server's ``baseUrlPath`` in front when it has one.
    Raises :class:`SourceError` (the :func:`missing_message` line) when the assets are not cached.
    """
    _require(packages)
    static = Path(static_dir)
    for package in packages:
        source, target = package_dir(package), static / package.folder
        if _complete(target, package):
            continue
        for path in package.files:
            name = _target(package, path)
            out = target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(source / name, tmp)
            tmp.replace(out)  # atomic per file: sessions publishing at once write the same bytes
        (target / _MARKER).write_text(package.integrity + "\n", encoding="ascii")
    return served_urls(url_base, packages)


_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")
_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")


def inline_texts(packages: tuple[Package, ...] = PACKAGES) -> tuple[list[str], list[str]]:
    """(script texts, stylesheet texts) for a self-contained page: the stylesheets' images
    become ``data:`` URIs and the scripts lose their source-map comment (nothing to fetch)."""
    _require(packages)
    scripts: list[str] = []
    styles: list[str] = []
    for package in packages:
        folder = package_dir(package)
        for name in package.js:
            scripts.append(_SOURCE_MAP.sub("\n", (folder / name).read_text(encoding="utf-8")))
        for name in package.css:
            css_path = folder / name

            def data_uri(match: re.Match[str], base: Path = css_path.parent) -> str:
                encoded = base64.b64encode((base / match.group(2)).read_bytes()).decode("ascii")
                return f'url("data:image/png;base64,{encoded}")'

            styles.append(_CSS_URL.sub(data_uri, css_path.read_text(encoding="utf-8")))
    return scripts, styles


def inline_html(packages: tuple[Package, ...] = PACKAGES) -> str:
    """``<style>`` and ``<script>`` elements holding the assets, for a page's ``<head>``."""
    scripts, styles = inline_texts(packages)
    for text, closing in [(t, "</style") for t in styles] + [(t, "</script") for t in scripts]:
        if closing in text.lower():  # would end the element early; Leaflet has none
            raise SourceError(f"an inlined asset contains {closing}>: it cannot go into an HTML export as it is")
    parts = [f"<style>\n{css}\n</style>" for css in styles] + [f"<script>\n{js}\n</script>" for js in scripts]
    return "\n".join(parts)
