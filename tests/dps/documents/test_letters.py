"""Award letters: what a bidder reads in the PDF, read back from the PDF itself."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from dps.documents.letters import LotLetter, letter_heading, render_letter
from tests.dps.documents import samples
from tests.dps.documents.samples import ADVANTAGES, BIDDER, WINNER


@pytest.fixture(scope="module")
def award_letter() -> bytes:
    return render_letter(samples.letter())


def test_letter_gives_outcome_scores_and_winner_for_each_lot(award_letter):
    text = samples.text(award_letter)

    assert "Award of contract" in text
    assert "Lot 1: Ashfield Outcome: Unsuccessful. Your bid was not successful" in text
    assert "Lot 2: Mansfield Outcome: Successful. Your bid was successful." in text
    # Own scores, own rate, and the winner's name and scores, to 2 decimal places.
    assert "Your bid (£23.50 an hour) 42.00 36.80 78.80" in text
    assert f"Winning bid: {WINNER} 57.60 40.00 97.60" in text
    assert "Your bid (£22.10 an hour) 54.00 38.30 92.30" in text
    assert "Your bid ranked 3rd of 5 bids for this lot." in text
    assert "Your bid ranked 1st of 4 bids for this lot." in text
    # Marks per question, with the weighted score.
    assert "Safeguarding adults 3 5 6.00" in text
    assert "Person-centred care planning 5 5 10.00" in text


def test_letter_explains_why_the_winner_scored_higher(award_letter):
    text = samples.text(award_letter)

    assert text.count("Why the winning bid scored higher") == 1  # not for the lot it won
    for advantage in ADVANTAGES:
        assert advantage in text


def test_letter_has_letterhead_criteria_standstill_and_contact(award_letter):
    first, *_ = samples.pages(award_letter)
    text = samples.text(award_letter)

    assert first.startswith("Nottinghamshire County Council County Hall West Bridgford")
    assert "Tuesday 3 March 2026" in first
    assert f"{BIDDER} Unit 4, Oak Tree Business Park Mansfield NG18 3HQ" in first
    assert "Quality counts for 60% of the total score and price for 40%." in text
    assert "Price (hourly rate) Formula n/a 40%" in text
    assert "regulation 86" in text
    assert (
        "The standstill period ends at midnight at the end of Friday 13 March 2026. "
        "We will not enter into the contract before then."
    ) in text
    assert "contact Sarah Jones and quote NCC-HC-2026-014" in text
    assert "Email: homecare.procurement@nottscc.gov.uk" in text
    assert "Phone: 0115 977 4000" in text


def test_letter_pages_are_numbered_and_metadata_is_set(award_letter):
    pages = samples.pages(award_letter)
    meta = samples.metadata(award_letter)

    assert 1 <= len(pages) <= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert meta.title == (
        f"Award of contract: Home care in Ashfield and Mansfield (NCC-HC-2026-014), {BIDDER}"
    )
    assert meta.author == "Nottinghamshire County Council"
    catalog = PdfReader(io.BytesIO(award_letter)).trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"


def test_same_data_gives_the_same_bytes(award_letter):
    assert render_letter(samples.letter()) == award_letter


def test_pa2023_letter_is_the_assessment_summary():
    data = samples.letter(regime="pa2023_dynamic_market")
    pdf = render_letter(data)
    text = samples.text(pdf)

    assert text.count("Assessment summary") == 1
    assert "Award of contract" not in text
    assert "section 50" in text
    assert "8 working days" in text
    assert samples.metadata(pdf).title.startswith("Assessment summary:")


@pytest.mark.parametrize(
    ("regime", "outcomes", "heading"),
    [
        ("pcr2015_dps", ["unsuccessful", "awarded"], "Award of contract"),
        ("light_touch", ["reserve", "awarded"], "Award of contract"),
        ("pcr2015_dps", ["unsuccessful", "reserve"], "Outcome of your tender"),
        ("light_touch", ["unsuccessful", "unsuccessful"], "Outcome of your tender"),
        ("pa2023_dynamic_market", ["unsuccessful", "awarded"], "Assessment summary"),
        ("pa2023_dynamic_market", ["unsuccessful", "unsuccessful"], "Assessment summary"),
    ],
)
def test_heading_follows_regime_and_outcomes(regime, outcomes, heading):
    base = samples.letter()
    lots = [replace(lot, outcome=outcome) for lot, outcome in zip(base.lots, outcomes, strict=True)]
    data = replace(base, regime=regime, lots=lots)

    assert letter_heading(data) == heading
    assert samples.text(render_letter(data)).count(heading) == 1


def test_unsuccessful_letter_says_so_and_names_the_reserve_place():
    base = samples.letter()
    lots = [base.lots[0], replace(base.lots[1], outcome="reserve", advantages=["Cheaper."])]
    text = samples.text(render_letter(replace(base, lots=lots)))

    assert "Outcome of your tender" in text
    assert (
        "Outcome: Reserve. Your bid was not successful this time, but you are the reserve" in text
    )
    assert "Cheaper." in text


@pytest.mark.parametrize("regime", ["pcr2015_dps", "light_touch", "pa2023_dynamic_market"])
def test_no_standstill_is_said_plainly(regime):
    text = samples.text(render_letter(samples.letter(regime=regime, standstill_end=None)))

    assert "There is no standstill period for this award." in text
    assert "may enter into the contract straight away" in text
    assert "standstill period ends" not in text


def test_standstill_end_is_shown_in_uk_time():
    # 23:59:59 BST on Friday 3 April 2026 is 22:59:59 UTC: the day is still the 3rd.
    end = datetime(2026, 4, 3, 22, 59, 59, tzinfo=UTC)
    text = samples.text(render_letter(samples.letter(standstill_end=end)))

    assert "ends at midnight at the end of Friday 3 April 2026." in text


def test_excluded_bid_shows_the_reason_and_the_winner():
    base = samples.letter()
    excluded = LotLetter(
        lot_title="Lot 1: Ashfield",
        outcome="excluded",
        own=None,
        winners=base.lots[0].winners,
        exclusion_reason="Your price of £16.20 an hour does not cover the National Living Wage.",
    )
    text = samples.text(render_letter(replace(base, lots=[excluded, base.lots[1]])))

    assert "Outcome: Excluded. Your bid was excluded from this lot." in text
    assert "Reason: Your price of £16.20 an hour does not cover the National Living Wage." in text
    assert f"Winning bid: {WINNER} 57.60 40.00 97.60" in text


def test_long_content_flows_over_pages_with_repeated_table_headers():
    questions = tuple(
        f"Question {number}: describe how you would {topic}, giving examples from your "
        "current home care contracts and saying who is responsible for each step."
        for number, topic in enumerate(
            [
                "plan care with the person",
                "keep people safe from abuse",
                "recruit care workers",
                "keep the same carers",
                "manage missed visits",
                "support people with dementia",
                "work with district nurses",
                "handle medication",
                "respond to complaints",
                "train staff",
                "cover rural rounds",
                "add social value",
            ],
            start=1,
        )
    )
    base = samples.letter()
    own = replace(base.lots[0].own, question_marks=samples.marks([3, 4] * 6, questions=questions))
    advantages = [f"Advantage {number}: {ADVANTAGES[number % 3]}" for number in range(1, 26)]
    lot = replace(base.lots[0], own=own, advantages=advantages)
    pages = samples.pages(render_letter(replace(base, lots=[lot])))

    assert len(pages) > 1
    header = "Question Your mark Out of Weighted score"
    assert header in pages[0]
    assert header in pages[1]  # repeated where the table runs on
    assert "".join(pages).count("Your marks") == 1  # one table, its header shown twice
    assert pages[1].index(header) < pages[1].index("Question 12:")
    assert f"Page 2 of {len(pages)}" in pages[1]
    text = " ".join(pages)
    for advantage in advantages:
        assert advantage in text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Smith & Jones <Care> Ltd", "Smith & Jones <Care> Ltd"),
        ("Café Soleil Homecare", "Café Soleil Homecare"),
        ("St John’s Home Care", "St John’s Home Care"),
        ("Tom &amp; Jerry Care", "Tom &amp; Jerry Care"),
        ("Łódź Care Services", "Lódz Care Services"),  # Helvetica has no Ł or ź
    ],
)
def test_names_with_markup_and_accents_render(name, shown):
    base = samples.letter()
    winner = replace(base.lots[0].winners[0], name=f"{name} North")
    lots = [replace(base.lots[0], winners=[winner])]
    data = replace(base, bidder_name=name, lots=lots, tender_title=f"Care for {name}")
    pdf = render_letter(data)
    text = samples.text(pdf)

    assert f"Dear {shown}," in text
    assert f"Winning bid: {shown} North 57.60" in text
    assert "\u25a0" not in text  # no black boxes for missing glyphs
    assert samples.metadata(pdf).title.endswith(name)


_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 &<>\"'’é£–-.,()/;#")), min_size=1, max_size=40
).filter(lambda value: value.strip())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bidder=_TEXT, advantage=_TEXT)
def test_any_text_renders_as_written(bidder, advantage):
    base = samples.letter()
    lots = [replace(base.lots[0], advantages=[advantage])]
    text = samples.text(render_letter(replace(base, bidder_name=bidder, lots=lots)))

    assert " ".join(f"Dear {bidder},".split()) in text
    assert " ".join(advantage.split()) in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"regime": "pcr2006"}, "unknown regime"),
        ({"lots": [LotLetter("Lot 1", "won", None)]}, "unknown outcome"),
        ({"lots": [LotLetter("Lot 1", "unsuccessful", None)]}, "only an excluded bid"),
    ],
)
def test_bad_data_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        render_letter(samples.letter(**changes))


def test_float_scores_are_refused():
    base = samples.letter()
    winner = replace(base.lots[0].winners[0], total_score=97.6)
    lots = [replace(base.lots[0], winners=[winner])]
    with pytest.raises(TypeError, match="Decimal"):
        render_letter(replace(base, lots=lots))


def test_naive_letter_date_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        render_letter(samples.letter(letter_date=datetime(2026, 3, 3, 9, 30)))


def test_weights_and_marks_show_without_trailing_zeros():
    data = samples.letter(quality_weight=Decimal("60.00"), price_weight=Decimal("40.0"))
    text = samples.text(render_letter(data))

    assert "Quality (out of 60) Price (out of 40) Total (out of 100)" in text
