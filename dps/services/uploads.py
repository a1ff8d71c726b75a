"""Uploads: what a file is, decided from its bytes (never its name), before it is stored.

Six kinds are accepted (ALLOWED). `filetype` names the family from the first bytes; a check of
that family's structure then makes sure the file is whole, is only that one kind (not a
polyglot that another program would open as something else), and carries no macros or password,
so what an officer downloads is what it says it is. Anything refused raises UploadRefused with
the sentence to show beside the field, in the GOV.UK error message style.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms.validators import ValidationError

from dps.models.messaging import Document
from dps.services import documents


@dataclass(frozen=True)
class AllowedKind:
    label: str
    mime: str
    extension: str
    other_extensions: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.other_extensions)


PDF = AllowedKind("PDF", "application/pdf", "pdf")
DOCX = AllowedKind(
    "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = AllowedKind(
    "Excel (XLSX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
)
ODT = AllowedKind("OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", "odt")
PNG = AllowedKind("PNG", "image/png", "png")
JPEG = AllowedKind("JPEG", "image/jpeg", "jpg", ("jpeg",))

ALLOWED: tuple[AllowedKind, ...] = (PDF, DOCX, XLSX, ODT, PNG, JPEG)
BY_MIME: dict[str, AllowedKind] = {kind.mime: kind for kind in ALLOWED}
# For <input type="file" accept="...">: a hint to the browser's file picker, never a check.
ACCEPT = ",".join(f".{extension}" for kind in ALLOWED for extension in kind.extensions)

MISSING = "Select a file"
EMPTY = "The selected file is empty"
DAMAGED = "The selected file could not be read: it may be damaged or only partly uploaded"
MACROS = "The selected file must not contain macros"
PASSWORD = "The selected file is password protected"
WRONG_TYPE = (
    "The selected file must be a "
    + ", ".join(kind.label for kind in ALLOWED[:-1])
    + f" or {ALLOWED[-1].label}"
)

# Office files unpack to more than they weigh, but not to this: a bound on the work
# (and the damage a zip bomb can do) when every member is read to check its CRC.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_INDEX_PART_BYTES = 4 * 1024 * 1024  # [Content_Types].xml, META-INF/manifest.xml

ZIP_LOCAL_HEADER = b"PK\x03\x04"
# An encrypted Word or Excel file is not a ZIP but an OLE compound file holding this stream.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A JPEG marker inside entropy-coded data: 0xFF not followed by a stuffed 0x00, a restart
# marker (RST0-7) or another fill byte.
JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# Data after an image's end marker or a PDF's last %%EOF is common (phones append a second
# image or a video) and harmless unless it is something a browser or unzipper would act on.
SUSPICIOUS_TRAILERS = (
    b"pk\x03\x04",
    b"pk\x05\x06",
    b"%pdf",
    b"<html",
    b"<!doctype",
    b"<script",
    b"<svg",
    b"<iframe",
    b"<?php",
)
EXECUTABLE_STARTS = (b"MZ", b"\x7fELF", b"#!")
# ODF macro containers that hold no code themselves.
ODF_LIBRARY_INDEXES = {"script-lc.xml", "script-xlb.xml", "dialog-lc.xml", "dialog-xlb.xml"}


class UploadRefused(Exception):
    """A file that will not be stored; `message` is for the person, `reason` for code and logs."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


def _damaged(reason: str = "damaged") -> UploadRefused:
    return UploadRefused(DAMAGED, reason)


def limit_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024)


def too_large_message() -> str:
    return f"The selected file must be smaller than {current_app.config['UPLOAD_MAX_MB']:g} MB"


def inspect(content: bytes, filename: str = "") -> tuple[str, str]:
    """Return (MIME type, extension) of one of the six kinds, or raise UploadRefused.

    `filename` is deliberately not used: a name is a claim, the bytes are the evidence.
    """
    kind = _identify(content)
    return kind.mime, kind.extension


def _identify(content: bytes) -> AllowedKind:
    if not content:
        raise UploadRefused(EMPTY, "empty")
    if content.startswith(ZIP_LOCAL_HEADER):
        return _office_kind(content)
    guessed = filetype.guess_mime(content)
    if guessed == PDF.mime:
        kind, end = PDF, _pdf_end(content)
    elif guessed in (PNG.mime, "image/apng"):  # an animated PNG is still a PNG
        kind, end = PNG, _png_end(content)
    elif guessed == JPEG.mime:
        kind, end = JPEG, _jpeg_end(content)
    elif content.startswith(OLE_SIGNATURE) and ENCRYPTED_PACKAGE in content:
        raise UploadRefused(PASSWORD, "password")
    else:
        raise UploadRefused(WRONG_TYPE, "type")
    if _is_suspicious_trailer(content[end:]) or _opens_as_zip(content):
        raise _damaged("polyglot")
    return kind


def _is_suspicious_trailer(trailer: bytes) -> bool:
    if not trailer.strip():
        return False
    lowered = trailer.lower()
    return trailer.lstrip().startswith(EXECUTABLE_STARTS) or any(
        signature in lowered for signature in SUSPICIOUS_TRAILERS
    )


def _opens_as_zip(content: bytes) -> bool:
    """A PDF or image that an unzipper would also open is a polyglot, whatever it starts with."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return bool(archive.infolist())
    except Exception:  # noqa: BLE001 - zipfile raises many kinds on bytes that are not a ZIP
        return False


def _pdf_end(content: bytes) -> int:
    """A whole PDF ends with %%EOF within its last 1024 bytes (ISO 32000-1, 7.5.5)."""
    tail_start = max(0, len(content) - 1024)
    eof_at = content.rfind(b"%%EOF", tail_start)
    if eof_at < 0:
        raise _damaged()
    return eof_at + len(b"%%EOF")


def _png_end(content: bytes) -> int:
    """Walk the chunks (checking each CRC) from IHDR to IEND; a short file never reaches IEND."""
    if not content.startswith(PNG_SIGNATURE):
        raise _damaged()
    view = memoryview(content)
    size = len(content)
    position = len(PNG_SIGNATURE)
    chunk_types: set[bytes] = set()
    while True:
        if position + 12 > size:
            raise _damaged()
        length = int.from_bytes(view[position : position + 4], "big")
        chunk_type = bytes(view[position + 4 : position + 8])
        data_end = position + 8 + length
        if length > 0x7FFFFFFF or data_end + 4 > size:
            raise _damaged()
        if not chunk_types and (chunk_type != b"IHDR" or length != 13):
            raise _damaged()
        expected_crc = int.from_bytes(view[data_end : data_end + 4], "big")
        if zlib.crc32(view[position + 8 : data_end], zlib.crc32(chunk_type)) != expected_crc:
            raise _damaged()
        chunk_types.add(chunk_type)
        position = data_end + 4
        if chunk_type == b"IEND":
            break
    if b"IDAT" not in chunk_types:
        raise _damaged()
    return position


def _jpeg_end(content: bytes) -> int:
    """Walk the segments from SOI to EOI, skipping each scan's entropy-coded data."""
    if not content.startswith(b"\xff\xd8"):
        raise _damaged()
    size = len(content)
    position = 2
    seen_scan = False
    while True:
        if position >= size or content[position] != 0xFF:
            raise _damaged()
        while position < size and content[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            raise _damaged()
        marker = content[position]
        position += 1
        if marker == 0xD9:  # EOI
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # segments without a length
            continue
        if marker in (0x00, 0xD8) or position + 2 > size:
            raise _damaged()
        length = int.from_bytes(content[position : position + 2], "big")
        if length < 2 or position + length > size:
            raise _damaged()
        position += length
        if marker == 0xDA:  # SOS: the scan runs until the next real marker
            seen_scan = True
            found = JPEG_MARKER.search(content, position)
            if found is None:
                raise _damaged()
            position = found.start()
    if not seen_scan:
        raise _damaged()
    return position


def _office_kind(content: bytes) -> AllowedKind:
    """DOCX, XLSX and ODT are ZIPs: tell them apart by their members, then read every member."""
    if b"%PDF" in content[:1024]:  # PDF readers look for their header this far in
        raise _damaged("polyglot")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception as error:  # noqa: BLE001 - BadZipFile, ValueError, OSError... all unreadable
        raise _damaged() from error
    with archive:
        members = archive.infolist()
        if not members or len(members) > MAX_ZIP_MEMBERS:
            raise UploadRefused(WRONG_TYPE, "type")
        if any(member.flag_bits & 0x1 for member in members):
            raise UploadRefused(PASSWORD, "password")
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise _damaged("unpacks_too_large")
        try:
            if members[0].filename == "mimetype":
                kind = _odf_kind(archive, members)
            elif "[Content_Types].xml" in archive.NameToInfo:
                kind = _ooxml_kind(archive, members)
            else:
                raise UploadRefused(WRONG_TYPE, "type")
            if archive.testzip() is not None:
                raise _damaged()
        except UploadRefused:
            raise
        except Exception as error:  # noqa: BLE001 - a corrupt member fails in many ways
            raise _damaged() from error
    return kind


def _read_index_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.NameToInfo.get(name)
    if info is None:
        return b""
    if info.file_size > MAX_INDEX_PART_BYTES:
        raise _damaged()
    return archive.read(info)


def _odf_kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> AllowedKind:
    """ODF: the first member, `mimetype`, names the kind exactly (ODF 1.2 part 3, 3.3)."""
    if members[0].file_size > 100 or archive.read(members[0]) != ODT.mime.encode():
        raise UploadRefused(WRONG_TYPE, "type")
    if "content.xml" not in archive.NameToInfo and "encrypted-package" not in archive.NameToInfo:
        raise _damaged()
    if b"encryption-data" in _read_index_part(archive, "META-INF/manifest.xml"):
        raise UploadRefused(PASSWORD, "password")
    for member in members:
        name = member.filename
        if member.is_dir():
            continue
        if name.startswith("Scripts/") or (
            name.startswith("Basic/") and name.rsplit("/", 1)[-1] not in ODF_LIBRARY_INDEXES
        ):
            raise UploadRefused(MACROS, "macros")
    return ODT


def _ooxml_kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> AllowedKind:
    """Office Open XML: the main part's content type in [Content_Types].xml names the kind."""
    content_types = _read_index_part(archive, "[Content_Types].xml").lower()
    if b"macroenabled" in content_types or any(
        member.filename.lower().endswith("vbaproject.bin") for member in members
    ):
        raise UploadRefused(MACROS, "macros")
    is_docx = (
        "word/document.xml" in archive.NameToInfo
        and b"wordprocessingml.document.main+xml" in content_types
    )
    is_xlsx = (
        "xl/workbook.xml" in archive.NameToInfo and b"spreadsheetml.sheet.main+xml" in content_types
    )
    if is_docx == is_xlsx:  # neither (a template, a slide deck...) or, suspiciously, both
        raise UploadRefused(WRONG_TYPE, "type")
    return DOCX if is_docx else XLSX


def safe_original_name(filename: str | None, mime: str) -> str:
    """The person's name for the file, made safe, ending with the extension its content has."""
    kind = BY_MIME[mime]
    # Only the last part of a path: some browsers send C:\Users\...\name.pdf.
    base_name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = secure_filename(base_name) or "document"
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and extension.lower() in kind.extensions):
        stem, extension = name, kind.extension
    return f"{stem[: 254 - len(extension)]}.{extension}"


def _read_capped(stream, limit: int) -> bytes:
    """Read at most limit + 1 bytes: enough to know a file is too large without reading it all."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _rewind(stream) -> None:
    try:
        if stream.seekable():
            stream.seek(0)
    except (AttributeError, OSError, ValueError):
        pass


def validate_upload(file_storage: FileStorage | None) -> tuple[bytes, str, str]:
    """Return (content, MIME type, safe name) or raise UploadRefused; the stream is rewound."""
    if file_storage is None or not file_storage:
        raise UploadRefused(MISSING, "missing")
    limit = limit_bytes()
    _rewind(file_storage.stream)
    content = _read_capped(file_storage.stream, limit)
    _rewind(file_storage.stream)
    if not content:
        raise UploadRefused(EMPTY, "empty")
    if len(content) > limit:
        raise UploadRefused(too_large_message(), "too_large")
    mime, _extension = inspect(content, file_storage.filename or "")
    return content, mime, safe_original_name(file_storage.filename, mime)


def accept_upload(
    file_storage: FileStorage | None,
    *,
    organisation_id: int | None,
    uploaded_by_id: int | None,
    purpose: str,
) -> Document:
    """Check the file and store it with its content's MIME type (the caller commits)."""
    content, mime, original_name = validate_upload(file_storage)
    return documents.store_bytes(
        content,
        original_name=original_name,
        content_type=mime,
        organisation_id=organisation_id,
        uploaded_by_id=uploaded_by_id,
        purpose=purpose,
    )


class AllowedUpload:
    """WTForms validator: shows UploadRefused's message beside the field.

    The stream is rewound afterwards, so the view can pass the same file to accept_upload.
    """

    def __init__(self, required: bool = True):
        self.required = required

    def __call__(self, form, field) -> None:
        data = field.data
        if not isinstance(data, FileStorage) or not data:
            if self.required:
                raise ValidationError(MISSING)
            return
        try:
            validate_upload(data)
        except UploadRefused as refused:
            raise ValidationError(refused.message) from refused
