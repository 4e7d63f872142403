"""Hostile table uploads at real size: peak memory and time of parsing each, before and after
the hardening of geo.datasets.tables / geo.datasets.workbooks.

Builds in a temporary folder:

* ``xfd.xlsx`` — ~275 KB: 55,000 rows, each with one cell in column XFD (openpyxl used to pad
  every row to 16,384 cells: 7.5 GB and a MemoryError);
* ``sst.xlsx`` — ~1.5 MB: one 1.5 GB string in xl/sharedStrings.xml (8.6 GB and a traceback);
* ``names.csv`` — 17 MB: 2,000,000 distinct place names (a core at 100 % for over 10 minutes);
* ``rows200k.csv`` — 6 MB: the largest table the limits accept, 200,000 rows naming 10,000
  places (each place 20 times, with qualifiers), loaded;
* ``tiny.csv`` — one row: the floor (imports) every other figure includes.

Each case runs :func:`geo.datasets.dataset.from_upload` in a child process (the upload path of the
Data page) with the ``geo`` package of the commit before the hardening (``--before``,
extracted with ``git archive``) and of this checkout, and prints the child's peak resident
memory (``ru_maxrss``, or ``VmHWM`` when it is stopped) and wall time. Children run under an
address-space cap (``--cap-gb``, default 4) so the "before" bombs end in a MemoryError
instead of taking the shared machine's memory, and are stopped after ``--timeout`` seconds.

    .venv/bin/python bench/bench_bombs.py [--before ebc20d2] [--cap-gb 4] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BEFORE_REV = "ebc20d2"  # main before the table hardening
XFD_ROWS = 55_000
SST_BYTES = 1_500_000_000
CSV_NAMES = 2_000_000

_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# Runs in the child: parse one file with the geo on PYTHONPATH, report one JSON line.
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
path = Path(sys.argv[1])
data = path.read_bytes()
start = time.perf_counter()
try:
    try:  # geo as layer packages
        from geo.datasets import dataset as datasets
    except ImportError:  # a base from before them: flat modules
        from geo import datasets
    dataset = datasets.from_upload(data, path.name)
    outcome = f"loaded {len(dataset.observations):,} rows"
except MemoryError:
    outcome = "MemoryError"
except Exception as exc:
    kind = type(exc).__name__
    outcome = ("refused: " if kind == "DatasetError" else f"{kind}: ") + str(exc)[:90]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak}))
"""


def _workbook(path: Path, sheet_rows, shared: bytes | None = None, shared_filler: int = 0) -> None:
    """A minimal XLSX written part by part (streamed, so a 1.5 GB part never sits in memory)."""
    overrides = f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{overrides}</Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {_MAIN} xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f"<worksheet {_MAIN}><sheetData>".encode())
            for chunk in sheet_rows:
                out.write(chunk)
            out.write(b"</sheetData></worksheet>")
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(f"<sst {_MAIN}>".encode() + shared + b"<si><t>")
                block = b"x" * (1 << 20)
                for _ in range(shared_filler // len(block)):
                    out.write(block)
                out.write(b"</t></si></sst>")


def build(folder: Path) -> dict[str, Path]:
    """The three hostile files, as the attacker described them, and a tiny table for the floor
    (importing pandas, openpyxl and geo.names.places costs the same in every case)."""
    tiny = folder / "tiny.csv"
    tiny.write_bytes(b"place,networks\nLeeds,5\n")
    xfd = folder / "xfd.xlsx"
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>place</t></is></c><c r="B1" t="inlineStr"><is><t>networks</t></is></c></row>'
    _workbook(xfd, [header, *(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r) for r in range(2, XFD_ROWS + 1))])
    sst = folder / "sst.xlsx"
    rows = [
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>5</v></c></row>',
    ]
    _workbook(sst, rows, shared=b"<si><t>place</t></si><si><t>networks</t></si>", shared_filler=SST_BYTES)
    names = folder / "names.csv"
    with names.open("wb") as out:
        out.write(b"place,networks\n")
        letters = "abcdefghijklmnopqrstuvwxyz"
        for i in range(CSV_NAMES):
            name = "".join(letters[(i // 26**k) % 26] for k in range(6))
            out.write(f"{name.title()},{i % 10}\n".encode())
    accepted = folder / "rows200k.csv"
    with accepted.open("wb") as out:
        out.write(b"place,vendor,networks\n")
        for _ in range(20):
            out.write(b"".join(b"Town %05d (County %d),all,%d\n" % (i, i % 50, i % 100) for i in range(10_000)))
    return {"tiny.csv": tiny, "rows200k.csv": accepted, "xfd.xlsx": xfd, "sst.xlsx": sst, "names.csv": names}


def run(path: Path, geo_root: Path, cap_gb: float, timeout: float) -> dict:
    """Parse ``path`` in a child process using the ``geo`` package under ``geo_root``."""
    cap = int(cap_gb * 1024**3)
    env = {**os.environ, "PYTHONPATH": str(geo_root), "OPENBLAS_NUM_THREADS": "1"}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=geo_root,
        env=env,
        preexec_fn=limit,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        peak = _vm_hwm(child.pid)
        child.kill()
        child.communicate()
        return {
            "outcome": f"stopped after {timeout:.0f} s (still working)",
            "seconds": time.perf_counter() - start,
            "peak_mb": peak,
        }
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        return {
            "outcome": f"crashed: {(err.strip().splitlines() or ['?'])[-1][:90]}",
            "seconds": time.perf_counter() - start,
            "peak_mb": float("nan"),
        }
    return json.loads(lines[-1])


def _vm_hwm(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE_REV, help="git revision of the code before (default %(default)s)")
    parser.add_argument("--cap-gb", type=float, default=4.0, help="address-space cap per child (default %(default)s)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a child is stopped (default %(default)s)"
    )
    parser.add_argument("--only", choices=["before", "after"], help="run one side only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-bombs-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        files = build(folder)
        sizes = ", ".join(f"{name} {path.stat().st_size / 1024:,.0f} KB" for name, path in files.items())
        print(f"# built in {time.perf_counter() - started:.1f} s: {sizes}")
        sides = {"after": REPO_ROOT}
        if args.only != "after":
            before = folder / "before"
            before.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO_ROOT), "archive", args.before, "geo"], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
            sides = {"before": before, **({} if args.only == "before" else sides)}
        print(f"# cap {args.cap_gb:g} GB address space per child, timeout {args.timeout:g} s; before = {args.before}")
        print(f"{'file':<13} {'code':<7} {'peak MB':>9} {'seconds':>8}  outcome")
        for name, path in files.items():
            for side, root in sides.items():
                result = run(path, root, args.cap_gb, args.timeout)
                print(
                    f"{name:<13} {side:<7} {result['peak_mb']:>9,.0f} {result['seconds']:>8.2f}  {result['outcome']}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
