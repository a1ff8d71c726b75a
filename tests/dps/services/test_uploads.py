"""Uploads are judged by their bytes: real files of each kind made here, then renamed,
truncated, glued together and oversized versions of them."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import filetype
import pytest
from PIL import Image
from reportlab.pdfgen import canvas
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FileField, Form

from dps.extensions import db
from dps.models import Document, Role, User
from dps.services import documents, uploads
from dps.services.uploads import (
    DAMAGED,
    EMPTY,
    MACROS,
    MISSING,
    PASSWORD,
    WRONG_TYPE,
    AllowedUpload,
    UploadRefused,
    accept_upload,
    inspect,
    safe_original_name,
    validate_upload,
)
from tests.conftest import app_ctx

MEGABYTE = 1024 * 1024

# --- Real files of each kind -------------------------------------------------------------


def make_pdf(text: str = "Method statement") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(chunk_type))
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def make_png(extra_chunks: bytes = b"") -> bytes:
    """A 2x2 red RGB image, written chunk by chunk."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        uploads.PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + extra_chunks
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def make_jpeg(**options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 160)).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def make_zip(members: list[tuple[str, bytes]], *, first_stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            compression = zipfile.ZIP_STORED if first_stored and index == 0 else None
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="%s"/></Relationships>'
)


def content_types(main_part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    ).encode()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SLIDES_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"

WORD_BODY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Method statement</w:t></w:r></w:p></w:body></w:document>"
)


def make_docx(main_type: str = WORD_MAIN, extra: list[tuple[str, bytes]] = ()) -> bytes:
    return make_zip(
        [
            ("[Content_Types].xml", content_types("word/document.xml", main_type)),
            ("_rels/.rels", RELS % b"word/document.xml"),
            ("word/document.xml", WORD_BODY),
            *extra,
        ]
    )


def make_xlsx(main_type: str = EXCEL_MAIN, extra: list[tuple[str, bytes]] = ()) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return make_zip(
        [
            ("[Content_Types].xml", content_types("xl/workbook.xml", main_type)),
            ("_rels/.rels", RELS % b"xl/workbook.xml"),
            (
                "xl/workbook.xml",
                f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
                f'<sheet name="Prices" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
                b'formats.org/officeDocument/2006/relationships/worksheet" '
                b'Target="worksheets/sheet1.xml"/></Relationships>',
            ),
            (
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>21.50</v>'
                f"</c></row></sheetData></worksheet>".encode(),
            ),
            *extra,
        ]
    )


MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    b'manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">%s'
    b"</manifest:file-entry></manifest:manifest>"
)


def make_odt(
    mimetype: bytes = b"application/vnd.oasis.opendocument.text",
    extra: list[tuple[str, bytes]] = (),
    encrypted: bool = False,
) -> bytes:
    encryption = b'<manifest:encryption-data manifest:checksum="x"/>' if encrypted else b""
    return make_zip(
        [
            ("mimetype", mimetype),
            ("META-INF/manifest.xml", MANIFEST % (mimetype, encryption)),
            (
                "content.xml",
                b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
                b'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                b"<office:body><office:text><text:p>Method statement</text:p></office:text>"
                b"</office:body></office:document-content>",
            ),
            *extra,
        ],
        first_stored=True,
    )


KINDS = {
    "pdf": (make_pdf, "application/pdf"),
    "docx": (make_docx, uploads.DOCX.mime),
    "xlsx": (make_xlsx, uploads.XLSX.mime),
    "odt": (make_odt, uploads.ODT.mime),
    "png": (make_png, "image/png"),
    "jpg": (make_jpeg, "image/jpeg"),
}


def upload(content: bytes, filename: str = "file", content_type: str | None = None):
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=content_type)


def refusal(content: bytes, filename: str = "file") -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload(content, filename))
    return refused.value


@pytest.fixture
def uploader(app, make_user):
    """Ids of a provider user and their organisation."""
    email = make_user(Role.PROVIDER)
    with app_ctx(app):
        user = db.session.scalar(db.select(User).where(User.email == email))
        return {"organisation_id": user.organisation_id, "uploaded_by_id": user.id}


# --- Accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", list(KINDS))
def test_each_allowed_kind_is_stored_with_its_content_type_and_hash(app, ctx, uploader, extension):
    make, mime = KINDS[extension]
    content = make()
    assert filetype.guess_mime(content) in {mime, "application/zip"}

    document = accept_upload(
        upload(content, f"Evidence.{extension}"), purpose="evidence", **uploader
    )
    db.session.commit()

    stored = db.session.get(Document, document.id)
    assert stored.content_type == mime
    assert stored.original_name == f"Evidence.{extension}"
    assert stored.size_bytes == len(content)
    assert stored.organisation_id == uploader["organisation_id"]
    assert stored.uploaded_by_id == uploader["uploaded_by_id"]
    on_disk = documents.storage_path(stored).read_bytes()
    assert on_disk == content
    assert stored.sha256 == hashlib.sha256(on_disk).hexdigest()


def test_made_images_and_pdf_are_real(app):
    assert filetype.guess_mime(make_pdf()) == "application/pdf"
    for make, form in ((make_png, "PNG"), (make_jpeg, "JPEG")):
        with Image.open(io.BytesIO(make())) as image:
            image.load()
            assert image.format == form


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(make_jpeg(progressive=True), id="progressive JPEG"),
        pytest.param(make_jpeg(quality=95, optimize=True, dpi=(300, 300)), id="JPEG with JFIF"),
        pytest.param(
            # An APP1 segment that carries a whole thumbnail, end marker and all.
            make_jpeg()[:2]
            + b"\xff\xe1"
            + struct.pack(">H", len(make_jpeg()) + 8)
            + b"Exif\x00\x00"
            + make_jpeg()
            + make_jpeg()[2:],
            id="JPEG with embedded thumbnail",
        ),
        pytest.param(make_jpeg() + make_jpeg(), id="JPEG followed by a second image (MPO)"),
        pytest.param(make_png(png_chunk(b"tEXt", b"Title\x00Site plan")), id="PNG with text"),
        pytest.param(make_pdf() + b"\r\n", id="PDF ending in a newline"),
    ],
)
def test_ordinary_variations_are_accepted(ctx, content):
    assert inspect(content, "anything.bin")[0] in {"image/jpeg", "image/png", "application/pdf"}


def test_the_name_and_claimed_type_are_ignored(app, ctx, uploader):
    document = accept_upload(
        upload(make_png(), "scan.pdf", content_type="application/pdf"),
        purpose="evidence",
        **uploader,
    )
    assert document.content_type == "image/png"
    assert document.original_name == "scan.pdf.png"


# --- Refused: the wrong kind, whatever the name says ------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "x.pdf", id="html"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.png", id="svg"
        ),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "x.docx", id="exe"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "x.odt", id="elf"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", "x.pdf", id="script"),
        pytest.param(b"Just some plain text\n", "notes.pdf", id="text"),
        pytest.param(make_zip([("prices.csv", b"a,b\n1,2\n")]), "x.xlsx", id="plain zip"),
        pytest.param(
            make_zip(
                [
                    ("[Content_Types].xml", content_types("ppt/presentation.xml", SLIDES_MAIN)),
                    ("ppt/presentation.xml", b"<p/>"),
                ]
            ),
            "x.docx",
            id="pptx",
        ),
        pytest.param(
            make_odt(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"),
            "x.odt",
            id="ods",
        ),
        pytest.param(
            make_docx(main_type=WORD_MAIN.replace("document.main", "template.main")),
            "x.docx",
            id="dotx",
        ),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "x.png", id="gif"),
        pytest.param(uploads.OLE_SIGNATURE + b"\x00" * 504, "x.doc", id="old word"),
    ],
)
def test_files_that_are_not_one_of_the_six_kinds_are_refused(ctx, content, filename):
    refused = refusal(content, filename)
    assert refused.message == WRONG_TYPE
    assert refused.reason == "type"


def test_the_wrong_type_message_lists_every_kind():
    assert WRONG_TYPE == (
        "The selected file must be a PDF, Word (DOCX), Excel (XLSX), "
        "OpenDocument text (ODT), PNG or JPEG"
    )


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(make_docx(main_type=DOCM_MAIN), "x.docx", id="docm"),
        pytest.param(make_xlsx(main_type=XLSM_MAIN), "x.xlsx", id="xlsm"),
        pytest.param(
            make_docx(extra=[("word/vbaProject.bin", b"\x00" * 64)]),
            "x.docx",
            id="docx with vbaProject.bin",
        ),
        pytest.param(
            make_odt(extra=[("Basic/Standard/Module1.xml", b"<script:module/>")]),
            "x.odt",
            id="odt with Basic macros",
        ),
    ],
)
def test_macro_enabled_office_files_are_refused(ctx, content, filename):
    refused = refusal(content, filename)
    assert (refused.message, refused.reason) == (MACROS, "macros")


def mark_encrypted(content: bytes) -> bytes:
    """Set the "encrypted" flag of the first member in its local and central headers."""
    marked = bytearray(content)
    for header, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        offset = marked.index(header) + flags_at
        marked[offset] |= 0x1
    return bytes(marked)


def test_password_protected_files_are_refused(ctx):
    zip_encrypted = mark_encrypted(make_docx())
    ole_encrypted = uploads.OLE_SIGNATURE + b"\x00" * 100 + uploads.ENCRYPTED_PACKAGE
    for content in (zip_encrypted, make_odt(encrypted=True), ole_encrypted):
        refused = refusal(content, "tender.docx")
        assert (refused.message, refused.reason) == (PASSWORD, "password")


# --- Refused: damaged, truncated and polyglot files -------------------------------------------


def corrupt_member_data(content: bytes) -> bytes:
    """Flip bytes inside word/document.xml's compressed data, leaving the ZIP's index whole."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("word/document.xml")
    data_start = info.header_offset + 30 + len(info.filename.encode())
    middle = data_start + info.compress_size // 2
    damaged = bytearray(content)
    for offset in range(middle, middle + 8):
        damaged[offset] ^= 0xFF
    return bytes(damaged)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(make_pdf()[: len(make_pdf()) // 2], id="PDF cut in half"),
        pytest.param(make_pdf()[:-8], id="PDF without its %%EOF"),
        pytest.param(make_png()[:-12], id="PNG without IEND"),
        pytest.param(make_png()[:40], id="PNG cut inside IDAT"),
        pytest.param(make_png().replace(b"IDAT", b"IDAX"), id="PNG chunk with a bad CRC"),
        pytest.param(make_jpeg()[:-2], id="JPEG without its end marker"),
        pytest.param(make_jpeg()[: len(make_jpeg()) // 2], id="JPEG cut in half"),
        pytest.param(b"\xff\xd8\xff\xd9", id="JPEG with no image"),
        pytest.param(make_docx()[: len(make_docx()) // 2], id="DOCX cut in half"),
        pytest.param(make_docx()[:-10], id="DOCX without the end of its index"),
        pytest.param(make_xlsx()[:-1], id="XLSX one byte short"),
        pytest.param(corrupt_member_data(make_docx()), id="DOCX with a damaged member"),
    ],
)
def test_damaged_and_truncated_files_are_refused(ctx, content):
    refused = refusal(content, "evidence.pdf")
    assert refused.message == DAMAGED


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(make_pdf() + make_zip([("run.html", b"<script>")]), id="PDF + ZIP"),
        pytest.param(
            make_pdf()[:-200] + make_zip([("a.txt", b"hi")]) + make_pdf()[-200:],
            id="ZIP inside a PDF",
        ),
        pytest.param(make_png() + make_zip([("a.js", b"alert(1)")]), id="PNG + ZIP"),
        pytest.param(make_jpeg() + b"<html><script>alert(1)</script>", id="JPEG + HTML"),
        pytest.param(make_png() + b"\n<?php system($_GET['c']); ?>", id="PNG + PHP"),
        pytest.param(make_jpeg() + b"MZ\x90\x00" + b"\x00" * 60, id="JPEG + EXE"),
        pytest.param(make_pdf() + b"\n<svg onload=alert(1)>", id="PDF + SVG after %%EOF"),
        pytest.param(
            make_zip(
                [
                    ("a.pdf", b"%PDF-1.7\n"),
                    ("[Content_Types].xml", content_types("word/document.xml", WORD_MAIN)),
                    ("word/document.xml", WORD_BODY),
                ],
                first_stored=True,
            ),
            id="DOCX a PDF reader would open",
        ),
    ],
)
def test_polyglots_are_refused(ctx, content):
    refused = refusal(content, "evidence.pdf")
    assert (refused.message, refused.reason) == (DAMAGED, "polyglot")


def test_an_office_file_that_unpacks_too_large_is_refused(ctx, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
    refused = refusal(make_docx(extra=[("word/media/big.xml", b" " * 5000)]), "x.docx")
    assert (refused.message, refused.reason) == (DAMAGED, "unpacks_too_large")


# --- Empty, missing, too large ---------------------------------------------------------------


def test_an_empty_file_is_refused(ctx):
    refused = refusal(b"", "evidence.pdf")
    assert (refused.message, refused.reason) == (EMPTY, "empty")
    assert str(refused) == "The selected file is empty"


def test_no_file_selected_is_refused(ctx):
    for nothing in (None, FileStorage(stream=io.BytesIO(b""), filename="")):
        with pytest.raises(UploadRefused) as refused:
            validate_upload(nothing)
        assert refused.value.message == MISSING


def padded_png(total_size: int) -> bytes:
    """A valid PNG of exactly total_size bytes, padded with a private ancillary chunk."""
    padding = total_size - len(make_png()) - 12
    return make_png(png_chunk(b"ruLr", b"\x00" * padding))


def test_a_file_of_exactly_the_limit_is_accepted(app, ctx):
    content = padded_png(10 * MEGABYTE)
    assert len(content) == 10 * MEGABYTE
    assert validate_upload(upload(content, "plan.png"))[1] == "image/png"


def test_a_file_one_byte_over_the_limit_is_refused(app, ctx):
    refused = refusal(padded_png(10 * MEGABYTE + 1), "plan.png")
    assert refused.message == "The selected file must be smaller than 10 MB"
    assert refused.reason == "too_large"


def test_the_limit_comes_from_the_setting(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    refused = refusal(padded_png(MEGABYTE + 1), "plan.png")
    assert refused.message == "The selected file must be smaller than 1 MB"


class EndlessStream(io.RawIOBase):
    """A stream that never ends, counting what is read from it."""

    def __init__(self):
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"\x00" * len(buffer)
        self.read_so_far += len(buffer)
        return len(buffer)


def test_a_huge_stream_is_not_read_whole(app, ctx):
    stream = EndlessStream()
    with pytest.raises(UploadRefused) as refused:
        validate_upload(FileStorage(stream=stream, filename="huge.pdf"))
    assert refused.value.reason == "too_large"
    assert stream.read_so_far <= 10 * MEGABYTE + 1


# --- Where and under what name it is kept -----------------------------------------------------


def test_the_stored_file_is_outside_static_under_a_random_name(app, ctx, uploader):
    document = accept_upload(
        upload(make_pdf(), "Method statement.pdf"), purpose="evidence", **uploader
    )
    path = documents.storage_path(document).resolve()
    assert path.parent == Path(app.config["UPLOAD_FOLDER"]).resolve()
    assert Path(app.static_folder).resolve() not in path.parents
    assert re.fullmatch(r"[0-9a-f]{40}", path.name)
    second = accept_upload(
        upload(make_pdf(), "Method statement.pdf"), purpose="evidence", **uploader
    )
    assert second.storage_name != document.storage_name


def test_accepting_does_not_commit(app, ctx, uploader):
    accept_upload(upload(make_pdf(), "a.pdf"), purpose="evidence", **uploader)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


@pytest.mark.parametrize(
    ("filename", "mime", "expected"),
    [
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini", "application/pdf", "win.ini.pdf"),
        ("C:\\Users\\Ann\\Documents\\Policy.docx", uploads.DOCX.mime, "Policy.docx"),
        ("report.docx", "application/pdf", "report.docx.pdf"),
        ("Price schedule.XLSX", uploads.XLSX.mime, "Price_schedule.XLSX"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo", "image/jpeg", "photo.jpg"),
        ("Évaluation été.odt", uploads.ODT.mime, "Evaluation_ete.odt"),
        ("", "image/png", "document.png"),
        ("../..", "image/png", "document.png"),
        (".pdf", "application/pdf", "pdf.pdf"),
        ("<script>.pdf", "application/pdf", "script.pdf"),
    ],
)
def test_original_names_are_made_safe(filename, mime, expected):
    assert safe_original_name(filename, mime) == expected


def test_a_very_long_name_keeps_its_extension_within_255_characters():
    name = safe_original_name("a" * 400 + ".pdf", "application/pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")


def test_a_stored_name_is_the_safe_name(app, ctx, uploader):
    document = accept_upload(upload(make_pdf(), "../../etc/passwd.pdf"), purpose="x", **uploader)
    db.session.commit()
    assert db.session.get(Document, document.id).original_name == "passwd.pdf"


# --- In a form ------------------------------------------------------------------------------


class EvidenceForm(Form):
    evidence = FileField("Upload evidence", validators=[AllowedUpload()])


class OptionalEvidenceForm(Form):
    evidence = FileField("Upload evidence", validators=[AllowedUpload(required=False)])


def test_the_form_validator_shows_the_message_beside_the_field(app, ctx):
    form = EvidenceForm(MultiDict({"evidence": upload(b"<html></html>", "x.pdf")}))
    assert not form.validate()
    assert form.evidence.errors == [WRONG_TYPE]

    form = EvidenceForm(MultiDict())
    assert not form.validate()
    assert form.evidence.errors == [MISSING]

    assert OptionalEvidenceForm(MultiDict()).validate()


def test_after_the_form_validates_the_view_can_store_the_same_file(app, ctx, uploader):
    content = make_docx()
    form = EvidenceForm(MultiDict({"evidence": upload(content, "Policy.docx")}))
    assert form.validate(), form.errors
    document = accept_upload(form.evidence.data, purpose="evidence", **uploader)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.content_type == uploads.DOCX.mime
