"""Uploads through a real upload form (an officer attaching documents to a draft tender): real
files truncated at random points, renamed, glued into polyglots, or sent with lying names and
content types. Never a 500; a file is stored only if the upload checks accept its bytes; titles
and names are shown escaped."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import Tender, TenderDocument
from dps.services.uploads import UploadRefused, inspect
from tests.conftest import app_ctx, csrf_token
from tests.dps.services.test_uploads import make_docx, make_jpeg, make_pdf, make_png, make_zip
from tests.dps.web.test_fuzz_forms import HOSTILE, RAN, SCRIPT, SETTINGS
from tests.dps.web.test_tender_pages import _create, ids, officer  # noqa: F401 - fixtures

BASES = {
    "pdf": make_pdf(),
    "png": make_png(),
    "jpeg": make_jpeg(),
    "docx": make_docx(),
    "zip": make_zip([("a.txt", b"hi")]),
}
TRAILERS = [
    make_zip([("run.html", b"<script>alert(1)</script>")]),
    b"<html><script>alert(1)</script></html>",
    b"\n<?php system($_GET['c']); ?>",
    b"MZ\x90\x00" + b"\x00" * 60,
    b"\n<svg onload=alert(1)>",
]
names = st.one_of(
    st.sampled_from(
        [
            "spec.pdf",
            "spec.PDF",
            "spec.pdf.exe",
            "../../etc/passwd",
            "spec",
            ".pdf",
            f"{SCRIPT}.pdf",
            "x" * 400 + ".pdf",
            "spec\x00.pdf",
            "Zoë’s spec ✓.pdf",
            "",
        ]
    ),
    st.text(max_size=80),
)
content_types = st.sampled_from(
    ["application/pdf", "text/html", "image/png", "application/octet-stream", ""]
)


@st.composite
def mangled(draw) -> bytes:
    base = BASES[draw(st.sampled_from(sorted(BASES)))]
    how = draw(st.sampled_from(["whole", "truncated", "polyglot", "spliced", "random"]))
    if how == "truncated":
        return base[: draw(st.integers(min_value=0, max_value=len(base) - 1))]
    if how == "polyglot":
        return base + draw(st.sampled_from(TRAILERS))
    if how == "spliced":
        cut = draw(st.integers(min_value=1, max_value=len(base) - 1))
        return base[:cut] + draw(st.sampled_from(TRAILERS)) + base[cut:]
    if how == "random":
        return draw(st.binary(max_size=4000))
    return base


def _accepted(content: bytes, filename: str) -> bool:
    """What the upload checks say of these bytes alone (any of the six allowed kinds)."""
    try:
        inspect(content, filename)
    except UploadRefused:
        return False
    return True


def test_fuzz_tender_document_uploads(app, officer, ids):  # noqa: F811
    tender_id = _create(officer, ids)
    path = f"/officer/tenders/{tender_id}/documents"
    token = csrf_token(officer, path)

    @SETTINGS
    @given(content=mangled(), filename=names, claimed=content_types, title=st.sampled_from(HOSTILE))
    def run(content, filename, claimed, title):
        with app_ctx(app):
            before = db.session.scalar(select(func.count(TenderDocument.id)))
        response = officer.post(
            path,
            data={
                "csrf_token": token,
                "title": title,
                "file": (io.BytesIO(content), filename, claimed or None),
            },
            content_type="multipart/form-data",
        )
        RAN.append(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (302, 400), (response.status_code, body[:800])
        with app_ctx(app):
            after = db.session.scalar(select(func.count(TenderDocument.id)))
        if response.status_code == 302:
            assert after == before + 1
            assert _accepted(content, filename), "a file the upload checks refuse was stored"
        else:
            assert after == before
            assert "There is a problem" in body
        if not _accepted(content, filename):
            assert response.status_code == 400, "a damaged or polyglot file was stored"
        page = officer.get(path).get_data(as_text=True)
        assert SCRIPT not in page and SCRIPT not in body

    run()
    with app_ctx(app):
        assert db.session.get(Tender, tender_id).status == "draft"
