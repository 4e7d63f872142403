"""geo.settings: every environment variable defined once, read by one parser with one-line errors,
listed by ``python -m geo settings`` and in the README's table."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
from atlas_testing import REPO_ROOT, assert_one_line

from geo import settings
from geo.cli import main as cli
from geo.cli import settings_list
from geo.core.errors import AtlasError
from geo.datasets import folders, limits
from geo.official import sources
from geo.scan import shodan_api
from geo.shodan import source as shodan_source

NUMBERS = [s for s in settings.SETTINGS if s.kind in ("megabytes", "count")]
# Refused by every number setting: junk, zero, negatives, not finite, overflowing, non-ASCII digits.
BAD_NUMBERS = ["abc", "0", "-5", "-0.5", "inf", "-inf", "Infinity", "nan", "1e400", "9" * 400, "0x10", "٥٠", "1,5"]


@pytest.mark.parametrize("s", NUMBERS, ids=lambda s: s.name)
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_every_bad_number_is_one_line_naming_variable_value_and_fix(
    s: settings.Setting, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(s.name, value)
    with pytest.raises(AtlasError) as info:
        settings.read(s.name)
    quoted = repr(value) if len(value) <= settings.QUOTED else f"{s.name}='{value[: settings.QUOTED]}…'"
    message = assert_one_line(info.value, quoted, f"such as {s.example}", "or unset it")
    assert message.startswith(s.name) and len(message) < 250


@pytest.mark.parametrize("value", ["1e400", "9" * 400])
def test_a_number_past_floats_is_too_large_not_junk(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.MAX_TABLE_MB, value)
    with pytest.raises(AtlasError) as info:
        limits.max_table_bytes()
    largest = settings.setting(settings.MAX_TABLE_MB).maximum
    assert largest is not None
    assert_one_line(info.value, f"largest allowed, {settings.number_text(largest)} MB", "such as 50")


@pytest.mark.parametrize("s", NUMBERS, ids=lambda s: s.name)
def test_a_value_over_the_maximum_is_refused_not_overflowed(
    s: settings.Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert s.maximum is not None  # every number is bounded
    monkeypatch.setenv(s.name, str(int(s.maximum) + 1))
    with pytest.raises(AtlasError) as info:
        settings.read(s.name)
    assert_one_line(info.value, f"largest allowed, {settings.number_text(s.maximum)} {s.unit}")
    monkeypatch.setenv(s.name, str(int(s.maximum)))  # the maximum itself is allowed
    assert settings.read(s.name) == s.maximum
    in_force = settings_list.describe(s)["in_force"]
    assert in_force == f"{settings.number_text(s.maximum)} {s.unit}" and "e+" not in str(in_force)


def test_whole_numbers_are_whole_and_sizes_are_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.MAX_TABLE_ROWS, " 500_000 ")
    assert limits.max_table_rows() == 500_000
    monkeypatch.setenv(settings.MAX_TABLE_ROWS, "1.5")
    with pytest.raises(AtlasError, match="whole number above 0"):
        limits.max_table_rows()
    monkeypatch.setenv(settings.MAX_TABLE_MB, "0.5")
    assert limits.max_table_bytes() == 512 * 1024
    monkeypatch.setenv(settings.MAX_TABLE_MB, "1e-12")  # above 0, yet under a byte
    with pytest.raises(AtlasError) as info:
        limits.max_table_bytes()
    assert_one_line(info.value, "less than one byte")


def test_shodan_limits_read_through_the_same_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second parser accepted "inf" and then overflowed converting it to bytes."""
    for name, read in (
        (settings.MAX_SHODAN_MB, shodan_source.max_bytes_default),
        (settings.MAX_SHODAN_INFLATED_MB, shodan_source.max_inflated_default),
    ):
        monkeypatch.setenv(name, "inf")
        with pytest.raises(AtlasError) as info:
            read()
        assert_one_line(info.value, f"{name}='inf'", "number above 0")
        monkeypatch.setenv(name, "3")
        assert read() == 3 * 1024 * 1024
        monkeypatch.delenv(name)
        assert read() == settings.default_bytes(name)


def test_defaults_are_defined_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in NUMBERS:
        monkeypatch.delenv(s.name, raising=False)
    assert limits.TableLimits.from_env() == limits.TableLimits()
    assert limits.DEFAULT_MAX_ROWS == settings.setting(settings.MAX_TABLE_ROWS).default
    assert shodan_source.DEFAULT_MAX_BYTES == settings.setting(settings.MAX_SHODAN_MB).default * settings.MB
    for s in NUMBERS:  # the default text the README shows is the default used
        assert s.default is not None and s.default_text == settings.number_text(s.default)


def test_folders_are_absolute_and_control_characters_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(settings.DATASETS_DIR, f"one{os.pathsep} {os.pathsep}{tmp_path / 'two'}")
    assert folders.dataset_dirs()[-2:] == [tmp_path / "one", tmp_path / "two"]
    monkeypatch.setenv(settings.SCANS_DIR, "my\x1bscans")  # an escape: a NUL cannot be in the environment
    with pytest.raises(AtlasError) as info:
        folders.scans_dir()
    assert_one_line(info.value, settings.SCANS_DIR, "control character", "path of a folder")
    monkeypatch.setenv(settings.DATA_DIR, "cache\nhere")
    with pytest.raises(AtlasError) as info:
        settings.cache_dir()
    assert_one_line(info.value, settings.DATA_DIR, "control character")


def test_mirror_folder_keeps_its_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.GEO_MIRROR, str(tmp_path / "nowhere"))
    with pytest.raises(AtlasError) as info:
        sources.mirror_dir()
    assert_one_line(info.value, "does not exist", settings.GEO_MIRROR)
    monkeypatch.setenv(settings.GEO_MIRROR, "  ")  # blank is unset
    assert sources.mirror_dir() is None


def test_the_key_is_read_through_settings_and_never_shown(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    key = "k3y-that-must-not-print"
    assert shodan_api.from_env({settings.SHODAN_API_KEY: f" {key} "})._key == key
    monkeypatch.setenv(settings.SHODAN_API_KEY, key)
    assert cli.main(["settings"]) == 0
    assert cli.main(["settings", "--json"]) == 0
    out = capsys.readouterr().out
    assert key not in out
    assert "SHODAN_API_KEY = set" in out
    assert settings_list.describe(settings.setting(settings.SHODAN_API_KEY))["value"] == "set"


def test_listing_names_every_setting_with_value_default_and_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(settings.MAX_TABLE_ROWS, "4000")
    monkeypatch.delenv(settings.MAX_TABLE_PLACES, raising=False)
    monkeypatch.setenv(settings.DATA_DIR, str(tmp_path))
    assert cli.main(["settings"]) == 0
    text = capsys.readouterr().out
    for s in settings.SETTINGS:
        assert f"{s.name} = " in text and s.meaning in text and f"default {s.default_text}" in text
    assert f"{settings.MAX_TABLE_ROWS} = 4000" in text and "in force: 4,000 rows" in text
    assert f"{settings.MAX_TABLE_PLACES} = (not set)" in text and "in force: 10,000 places" in text
    assert cli.main(["settings", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["settings"]}
    assert list(rows) == [s.name for s in settings.SETTINGS]
    assert rows[settings.MAX_TABLE_ROWS] | {"meaning": ""} == {
        "name": settings.MAX_TABLE_ROWS,
        "type": "whole number",
        "unit": "rows",
        "set": True,
        "value": "4000",
        "in_force": "4,000 rows",
        "default": "200,000",
        "meaning": "",
        "problem": None,
    }
    assert rows[settings.DATA_DIR]["in_force"] == str(tmp_path)
    assert rows[settings.MAX_TABLE_PLACES]["value"] is None and not rows[settings.MAX_TABLE_PLACES]["set"]


def test_listing_a_bad_value_lists_it_then_exits_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv(settings.MAX_TABLE_MB, "nan")
    assert cli.main(["settings"]) == cli.EXIT_USER_ERROR
    captured = capsys.readouterr()
    assert "CAMERA_ATLAS_MAX_TABLE_MB = nan" in captured.out and "refused:" in captured.out
    assert captured.err.count("\n") == 1
    assert_one_line(captured.err.rstrip("\n"), "CAMERA_ATLAS_MAX_TABLE_MB='nan'", "such as 50")


@pytest.mark.parametrize("value", ["inf", "-3", "lots"])
def test_a_command_meeting_a_bad_setting_is_one_line_and_exit_2(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys, fetched, atlas_data_dir: Path
) -> None:
    monkeypatch.setenv(settings.DATA_DIR, str(atlas_data_dir))
    monkeypatch.setenv(settings.MAX_TABLE_ROWS, value)
    assert cli.main(["table", "--dataset", str(REPO_ROOT / "data" / "datasets" / "top10vpn-2021")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert_one_line(err.rstrip("\n"), f"{settings.MAX_TABLE_ROWS}={value!r}", "such as 500000")


def test_readme_table_is_the_settings_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = settings_list.markdown_table()
    assert table in readme, "README's settings table differs: paste `python -m geo settings --markdown` into it"
    for s in settings.SETTINGS:
        assert "|" not in s.meaning + s.default_text  # each stays one cell
    assert len(re.findall(r"^\| `", table, flags=re.M)) == len(settings.SETTINGS)


def _reads_environment(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and getattr(node.value, "id", "") == "os"
        for node in ast.walk(tree)
    )


def test_only_settings_reads_the_environment() -> None:
    readers = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in sorted((REPO_ROOT / "geo").rglob("*.py"))
        if _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert readers == ["geo/settings.py"]


def test_settings_imports_only_core() -> None:
    tree = ast.parse((REPO_ROOT / "geo" / "settings.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    own = {name for name in imported if name == "geo" or name.startswith("geo.")}
    assert own and all(name.startswith("geo.core") for name in own), own


def test_every_variable_named_in_geo_is_a_setting() -> None:
    named: set[str] = set()
    for path in (REPO_ROOT / "geo").rglob("*.py"):
        named |= set(re.findall(r"\bCAMERA_ATLAS_[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8")))
    assert named <= set(settings.BY_NAME), named - set(settings.BY_NAME)
