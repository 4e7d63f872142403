"""The selection's URL form: round trips, defaults, and tolerance of mangled URLs."""

from hypothesis import given
from hypothesis import strategies as st

from geo.figures.selection import K_RANGE, Selection, from_params, to_params


def test_defaults_make_an_empty_url() -> None:
    assert to_params(Selection()) == {}
    assert from_params({}) == Selection()


def test_round_trip() -> None:
    chosen = Selection(
        vendor="dahua", places=("Manchester", "Leeds"), metric="per_km2", level="lad", scheme="natural_breaks", k=7
    )
    params = to_params(chosen)
    assert params["place"] == ["Manchester", "Leeds"]
    assert from_params(params, ["top10vpn-2021"]) == chosen


def test_single_values_may_arrive_as_lists() -> None:
    assert from_params({"level": ["region"], "place": "Hull"}).places == ("Hull",)
    assert from_params({"level": ["place", "region"]}).level == "region"


def test_invalid_values_fall_back() -> None:
    sel = from_params(
        {"level": "county", "metric": "x", "vendor": "sony", "scheme": "?", "k": "many", "dataset": "nope"}
    )
    assert sel == Selection()


def test_k_is_clamped() -> None:
    assert from_params({"k": "99"}).k == K_RANGE[1]
    assert from_params({"k": "-4"}).k == K_RANGE[0]


def test_duplicate_and_blank_places_are_dropped() -> None:
    assert from_params({"place": ["Hull", "Hull", " ", "Leeds"]}).places == ("Hull", "Leeds")


@given(
    st.dictionaries(
        st.sampled_from(["dataset", "vendor", "metric", "level", "scheme", "k", "place"]), st.text(max_size=20)
    )
)
def test_any_params_give_a_valid_selection(params: dict) -> None:
    sel = from_params(params)
    assert sel.level in ("place", "lad", "region")
    assert sel.metric in ("networks", "per_1k", "per_km2")
    assert K_RANGE[0] <= sel.k <= K_RANGE[1]
    assert from_params(to_params(sel)) == sel


def test_renamed_dataset_ids_still_open() -> None:
    chosen = from_params(
        {"dataset": "top10vpn-2022", "level": "lad"}, ["top10vpn-2021"], {"top10vpn-2022": "top10vpn-2021"}
    )
    assert chosen.dataset == "top10vpn-2021" and chosen.level == "lad"


def test_a_link_chooses_at_most_fifty_places() -> None:
    chosen = from_params({"place": [f"Place {i}" for i in range(500)] + ["x" * 10_000]})
    assert len(chosen.places) == 50
