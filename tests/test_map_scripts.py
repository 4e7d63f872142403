"""The map's own scripts are served as one file, in load order, under a folder named by their content."""

from __future__ import annotations

from geo.pictures.web import scripts


def test_the_scripts_are_published_as_one_file_in_load_order(tmp_path):
    (url,) = scripts.publish(tmp_path, "/app/static")
    assert url == f"/app/static/{scripts.folder()}/{scripts.BUNDLE}"
    text = (tmp_path / scripts.folder() / scripts.BUNDLE).read_text(encoding="utf-8")
    starts = [text.index(body.strip()) for body in scripts.texts()]
    assert starts == sorted(starts) and len(set(starts)) == len(scripts.FILES)  # each one, atlas.js first
    assert text.index("// ---- atlas.js ----") == 0
    assert sorted(p.name for p in (tmp_path / scripts.folder()).iterdir()) == [scripts.BUNDLE]  # no leftovers


def test_the_inlined_export_holds_the_same_scripts():
    inline = scripts.inline_html()
    assert inline.count("<script>") == len(scripts.FILES)
    assert all(body.strip() in inline for body in scripts.texts())
