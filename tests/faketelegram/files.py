"""Uploaded files: file_id / file_unique_id, Document and PhotoSize objects, getFile paths."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
_PREFIX = {"document": "BQACAgQAAxkBAA", "photo": "AgACAgQAAxkBAA", "sticker": "CAACAgQAAxkBAA"}
_DIRECTORY = {"document": "documents", "photo": "photos", "sticker": "stickers"}
_TYPE_NAMES = {"document": "Document", "photo": "Photo", "sticker": "Sticker"}
_PHOTO_SIZES = (90, 320, 800, 1280, 2560)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document", "photo" or "sticker"
    content: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str = ""

    @property
    def file_size(self) -> int:
        return len(self.content)

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
        }
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        document["file_size"] = self.file_size
        return document

    def photo_size(self, file_size: int | None = None) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size if file_size is None else file_size,
            "width": self.width,
            "height": self.height,
        }

    def file_object(self) -> dict[str, Any]:
        """The File object getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image; None when it is no image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return 512, 512
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content) or (800, 800)
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            return None
        marker = content[index + 1]
        length = struct.unpack(">H", content[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + int(length)
    return None


class FileStore:
    def __init__(self, bot_id: int) -> None:
        self._bot_id = bot_id
        self._counter = 0
        self.files: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[StoredFile]] = {}

    def _new(self, kind: str, content: bytes, **details: Any) -> StoredFile:
        self._counter += 1
        seed = f"{self._bot_id}:{kind}:{self._counter}".encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode().rstrip("=")
        unique = base64.urlsafe_b64encode(hashlib.sha1(seed).digest()[:10]).decode()
        extension = ""
        name = details.get("file_name")
        if isinstance(name, str) and "." in name:
            extension = "." + name.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        stored = StoredFile(
            file_id=_PREFIX[kind] + digest[:56],
            file_unique_id="AgAD" + unique.rstrip("=")[:12],
            kind=kind,
            content=content,
            file_path=f"{_DIRECTORY[kind]}/file_{self._counter}{extension}",
            **details,
        )
        self.files[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def add_document(
        self, content: bytes, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        if not content:
            raise bad_request("file must be non-empty")
        if len(content) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return self._new(
            "document",
            content,
            file_name=file_name,
            mime_type=mime_type or "application/octet-stream",
        )

    def add_photo(self, content: bytes) -> list[StoredFile]:
        """The sizes Telegram makes of an uploaded photo, smallest first."""
        if not content:
            raise bad_request("file must be non-empty")
        if len(content) > MAX_PHOTO:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        size = image_size(content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        biggest = max(width, height, 1)
        limits = [limit for limit in _PHOTO_SIZES if limit < biggest] + [min(biggest, 2560)]
        sizes = []
        for limit in limits:
            scale = limit / biggest
            sizes.append(
                self._new(
                    "photo",
                    content,
                    width=max(1, round(width * scale)),
                    height=max(1, round(height * scale)),
                )
            )
        for stored in sizes:
            self.photo_sets[stored.file_id] = sizes
        return sizes

    def add_sticker(self) -> StoredFile:
        webp = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11"
        return self._new("sticker", webp, width=512, height=512)

    def resolve(self, file_id: str, kind: str) -> StoredFile:
        """An earlier file sent again by its file_id, checked like Telegram checks it."""
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {_TYPE_NAMES[stored.kind]} as {_TYPE_NAMES[kind]}"
            )
        return stored


def sample_png(width: int = 64, height: int = 48) -> bytes:
    """A small valid PNG image, for photos sent by simulated users."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
