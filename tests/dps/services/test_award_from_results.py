"""The award end to end on the real results service: settled marks and price checks, proposed,
approved, letters made; each letter names the winner and the reason it scored higher."""

from __future__ import annotations

import io

from pypdf import PdfReader

from dps.extensions import db
from dps.models.award import AwardLetter
from dps.models.messaging import Document
from dps.services import awards
from dps.services.documents import storage_path
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evalresults_setup import settle
from tests.dps.evaluation_factories import evaluation_world


def test_award_from_real_results_names_the_winner_in_every_letter(app, make_user, run_jobs):
    world = evaluation_world(app, make_user, bidders=3, lots=1)
    settle(
        app,
        world,
        marks={(0, 0): (5, 5, 5), (1, 0): (3, 4, 3), (2, 0): (2, 3, 2)},
        prices={(0, 0): "27.10", (1, 0): "26.90", (2, 0): "27.40"},
        reasons={(0, 0, 1): "A named recruiter in every locality and a bank of relief staff."},
    )
    with app_ctx(app):
        award = awards.propose(world.tender_id, f.user(world.officer))
        awards.approve(world.tender_id, f.user(world.officer2))
        winner = next(
            bid.organisation_name
            for lot in awards.snapshot_results(award).lots
            for bid in lot.bids
            if bid.won
        )
    assert run_jobs() == 3
    with app_ctx(app):
        assert awards.award_for(world.tender_id).status == "standstill"
        for letter in db.session.scalars(db.select(AwardLetter)):
            document = db.session.get(Document, letter.document_id)
            reader = PdfReader(io.BytesIO(storage_path(document).read_bytes()))
            text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
            assert winner in text
            if letter.organisation.name != winner:
                assert "Why the winning bid scored higher" in text
                assert "A named recruiter in every locality" in text
