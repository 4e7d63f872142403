"""The hostile corpus: strings every way text enters the atlas is tested with.

``CORPUS`` maps a short name to a string an attacker (or an unlucky user) might type: template
syntax of Jinja and other engines, Markdown, HTML/JS, spreadsheet formulas, matplotlib
mathtext, format strings, SQL, bidi overrides, zero-width characters, NUL, 10,000 characters,
names that normalise to nothing. :func:`payloads` adds the ones that *do something* if they are
ever evaluated as a Jinja template: each creates a folder named after ``token`` in the
evaluating process's working directory (they use no quotes, backslashes or ``<>&``, so no
escaping on the way can defuse them by accident), and :func:`assert_nothing_ran` checks that
no such folder appeared.

A path passes when each string comes out literally (escaped for its medium, or cut and
stripped of invisible characters by :mod:`geo.core.text`), or is refused in one line, and nothing ran.
"""

from __future__ import annotations

import secrets
from pathlib import Path

CORPUS: dict[str, str] = {
    "jinja_expression": "T {{ 7*7 }} X",
    "jinja_statement": "S {% if 1 %}yes{% endif %} E",
    "jinja_comment": "C {# hidden #} D",
    "jinja_open_expression": "a{{b",
    "jinja_open_comment": "notes {# v2",
    "jinja_open_statement": "x {% y",
    "jinja_close": "}} %} #}",
    "other_templates": "${7*7} #{7*7} <%= 7*7 %> {{=7*7}} [[7*7]]",
    "format_strings": "{0} {} {x.__class__} %s %d %(name)s %%",
    "markdown": "**bold** _em_ [link](https://evil.example/a) ![img](https://evil.example/x.png) `code` # head",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "attribute": '" onmouseover="alert(3)" x=\'',
    "javascript": "'; alert(4); // \\u0027 </script>",
    "formula": '=HYPERLINK("https://evil.example","click")',
    "formula_plus": "+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)*cmd",
    "mathtext": "$\\frac{1}{0}$ and $x^2$",
    "sql": "x'); DROP TABLE observations; --",
    "bidi_override": "\u202eLeeds",
    "zero_width": "Lee\u200bds\u200d",
    "nul": "nul\x00byte",
    "newlines": "line one\nline two\rthree",
    "long": "A" * 10_000,
    "only_punctuation": "???",
    "only_dashes": "---",
    "only_bangs": "!!!",
}


def new_token() -> str:
    """A fresh marker name (letters and digits only: it must be writable without quotes)."""
    return "atlaspwned" + secrets.token_hex(6)


def payloads(token: str) -> dict[str, str]:
    """Jinja payloads that create the folder ``token`` in the working directory if evaluated."""
    mkdir = f"lipsum.__globals__.os.mkdir(dict({token}=1)|first)"
    return {
        "rce_expression": f"Title {{{{ {mkdir} }}}} end",
        "rce_statement": f"{{% if {mkdir} %}}{{% endif %}}x",
        "rce_cycler": f"{{{{ cycler.__init__.__globals__.os.mkdir(dict({token}=1)|first) }}}}",
    }


def everything(token: str) -> dict[str, str]:
    """The corpus and the payloads for ``token``."""
    return {**CORPUS, **payloads(token)}


def assert_nothing_ran(token: str, *folders: Path) -> None:
    """No payload created its marker folder in any of ``folders`` (the working directory included)."""
    for folder in {Path.cwd(), *map(Path, folders)}:
        marker = folder / token
        assert not marker.exists(), f"a template payload ran: {marker} was created"
