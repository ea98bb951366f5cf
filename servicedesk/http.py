"""HTTP responses that the API and the pages build the same way."""

from __future__ import annotations

from typing import Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


class StoredFile(Protocol):
    """A file a user uploaded, with the content type the desk detected from its content
    (a ticket's attachment, for instance)."""

    @property
    def file(self) -> FieldFile: ...

    @property
    def name(self) -> str: ...

    @property
    def content_type(self) -> str: ...


def attachment_response(stored: StoredFile) -> FileResponse:
    """Serve a stored file so that no browser renders it: a download, with a content type we
    detected ourselves, no sniffing, and a sandbox if it is opened anyway."""
    content_type = "text/plain; charset=utf-8" if stored.content_type == "text/plain" else stored.content_type
    response = FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
