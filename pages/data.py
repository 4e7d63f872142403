"""Data: bring your own table, Shodan export or saved dataset, count fresh with Shodan, and check how every name matched."""

import streamlit as st

from pages import data_imports, data_report, data_scan, sidebar

sel, view, dataset = sidebar.start()

st.title("Data")
st.header("Bring your own data")
table_tab, scan_tab, export_tab, zip_tab = st.tabs(
    ["Table (CSV or XLSX)", "Count with Shodan", "Shodan export", "Saved dataset (zip)"]
)
with table_tab:
    data_imports.table_tab()
with scan_tab:
    data_scan.scan_tab()
with export_tab:
    data_imports.shodan_export_tab()
with zip_tab:
    data_imports.zip_tab()
data_imports.collection_notes()

st.header("Current dataset")
data_report.provenance(dataset)
data_report.match_report(view, dataset)
