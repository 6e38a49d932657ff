"""The board's cap applied to fees, checked against amounts worked out by hand on a small
planted set whose placements cross financial years, and the make-up of a fee against
parts split by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import fee_cap

AS_AT = pd.Timestamp("2025-03-31")


def planted() -> pd.DataFrame:
    """Five placements; by hand, against a cap of 10%:
    A: £1,100 at 10% surplus: operating £1,000, £1,100 allowed: within, £0 above.
    B: £1,200 at 20%: operating £1,000: £100 a week above; open from 25 March 2024, so
       7 days (1 week) in 2023-24 and 365 days in 2024-25.
    C: £1,150 with no surplus declared: not declared.
    D: £2,300 at 15%: operating £2,000, £2,200 allowed: £100 above; open from 1 March
       2025: 31 days in 2024-25.
    E: £1,050 at 5%: within."""
    return pd.DataFrame({
        "provider_id": ["p1", "p2", "p2", "p3", "p1"],
        "sector": ["Private", "Voluntary", "Voluntary", "Private", "Private"],
        "weekly_fee": [1100.0, 1200.0, 1150.0, 2300.0, 1050.0],
        "surplus_pct": [10.0, 20.0, np.nan, 15.0, 5.0],
        "start_date": pd.to_datetime(["2020-01-01", "2024-03-25", "2024-06-01",
                                      "2025-03-01", "2023-01-01"])})


def test_status_and_weekly_amount_match_the_hand_worked_figures():
    frame = planted()
    assert fee_cap.cap_status(frame, 10).tolist() == ["within", "above", "not declared",
                                                      "above", "within"]
    above = fee_cap.weekly_above(frame, 10)
    assert above.iloc[[0, 1, 3, 4]].tolist() == [0, 100, 100, 0]
    assert np.isnan(above.iloc[2])  # not declared is never counted as within


def test_amount_above_per_year_matches_the_hand_worked_figures():
    table = fee_cap.above_by_year(planted(), 10, AS_AT)
    assert table["financial_year"].tolist() == ["2023-24", "2024-25"]
    assert table["amount"].tolist() == pytest.approx([100 * 7 / 7,
                                                      100 * 365 / 7 + 100 * 31 / 7])


def test_a_higher_cap_takes_placements_out_and_a_zero_cap_counts_every_surplus():
    frame = planted()
    assert (fee_cap.cap_status(frame, 20) == "above").sum() == 0
    assert fee_cap.above_by_year(frame, 20, AS_AT).empty
    # At 0% everything over operating cost is above: B 200, D 300, A 100, E 50 a week.
    assert fee_cap.weekly_above(frame, 0).sum() == pytest.approx(200 + 300 + 100 + 50)


def test_providers_above_the_cap_with_their_amounts():
    table = fee_cap.above_by_provider(planted(), 10, AS_AT)
    assert table["provider_id"].tolist() == ["p2", "p3"]
    assert table["placements"].tolist() == [1, 1]
    assert table["year_above"].tolist() == pytest.approx([100 * 365 / 7, 100 * 31 / 7])


def test_a_placement_starting_after_the_records_end_and_an_empty_frame_give_nothing():
    late = planted().assign(start_date=pd.Timestamp("2025-06-01"))
    assert fee_cap.above_by_year(late, 10, AS_AT).empty
    assert fee_cap.above_by_year(planted().iloc[:0], 10, AS_AT).empty
    assert fee_cap.summary(planted().iloc[:0], 10)["above"] == 0


def test_make_up_splits_the_surplus_out_of_the_parts_in_proportion():
    # Five placements of £1,200 = 800 core + 200 staffing + 100 education + 100 therapy,
    # at 20% surplus: operating £1,000, so each part x 1000/1200 and £200 of surplus.
    rows = pd.DataFrame({"placement": ["children's homes"] * 5, "weekly_fee": 1200.0,
                         "core": 800.0, "extra_staffing": 200.0, "education": 100.0,
                         "therapy": 100.0, "surplus_pct": 20.0})
    table = fee_cap.make_up(rows)
    row = table.iloc[0]
    assert row["placements"] == 5
    assert [row[p] for p in fee_cap.PARTS] == pytest.approx([2000 / 3, 500 / 3, 250 / 3,
                                                             250 / 3])
    assert row["surplus"] == pytest.approx(200)
    assert fee_cap.make_up(rows.iloc[:4]).empty  # no statistic on fewer than 5
    assert fee_cap.make_up(rows, allowed=lambda group: False).empty
