"""Data: the current dataset's provenance, its observations and the match report."""

import streamlit as st

from geo import exports
from pages import common

sel = common.current_selection()
view = common.current_view()
dataset = common.load_dataset(sel.dataset)
report = view.table.match_report

st.title("Data")
st.subheader(dataset.title)
st.write(dataset.description)
facts = {
    "Source": dataset.source,
    "Link": dataset.url or "none published",
    "Licence": dataset.licence or "not stated",
    "Date": dataset.date,
    "Vendors": "Hikvision and Dahua counted separately" if dataset.splits_vendors else "Hikvision and Dahua combined",
}
st.table({"": list(facts.keys()), "Value": list(facts.values())})
if dataset.method_notes:
    st.markdown("**Method notes**")
    for note in dataset.method_notes:
        st.markdown(f"- {common.md_escape(note)}")

st.subheader("Match report")
counts = report["status"].value_counts()
national = int(report["national"].sum())
a, b, c, d = st.columns(4)
a.metric("Matched places", int(counts.get("matched", 0)) - national)
b.metric("National totals", national)
c.metric("Ambiguous", int(counts.get("ambiguous", 0)))
d.metric("Unmatched", int(counts.get("unmatched", 0)))
shown = report.assign(
    lad_codes=report["lad_codes"].map(lambda c: f"{len(c)} LAD" + ("s" if len(c) != 1 else "") if c else ""),
    suggestions=report["suggestions"].map(", ".join),
)
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_order=["line", "input", "vendor", "networks", "status", "method", "name", "lad_codes", "suggestions", "note"],
    column_config={
        "line": st.column_config.NumberColumn("Line", help="Line in the source file (header = 1)"),
        "input": "Place as written",
        "networks": st.column_config.NumberColumn("Networks", format="localized"),
        "status": "Status",
        "method": st.column_config.TextColumn("How", help="code, alias, lad_name, gazetteer"),
        "name": "Resolved to",
        "lad_codes": "Covers",
        "suggestions": "Candidates / suggestions",
        "note": "Note",
    },
)
st.download_button(
    "Download match report (CSV)",
    data=exports.safe_csv(report),
    file_name=f"{common.file_stem(sel)}_match-report.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download-match-report",
)
