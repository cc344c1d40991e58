"""Photos uploaded from phones, for any capability that shows pictures (effective models now,
opinions later): checked, turned upright, resized into a few widths, re-encoded without EXIF,
stored beside the database like page attachments, and served with `srcset`.

What belongs here: the `Photo` row (one upload, its stored widths), accepting an upload, paths
and URLs of the widths, and the HTTP answer for one width. Who may see a photo is its owner's
business: the owner links photos to its rows in its own table and asks the policy before
calling `send_width`.

Why every upload is decoded and written again: a phone's JPEG carries EXIF with the place it
was taken (GPS), the phone's model and a thumbnail; re-encoding with Pillow and no `exif=`
drops all of it. The orientation EXIF stores is applied first (`ImageOps.exif_transpose`), or
portrait photos would lie on their side once the tag is gone.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import filetype
import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, object_session
from werkzeug.datastructures import FileStorage

from webapp import filestore
from webapp.db import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.forms import Refused

if TYPE_CHECKING:
    from PIL import Image

# Widths kept for every photo, in pixels: a list's thumbnail, a phone's full width (360 px), a
# desktop column or a 2x phone, a large screen. A list of 12 thumbnails must stay within the
# page budget of 40 KB (Chromium fetches lazy images within ~1,250 px of the screen, so all 12
# on a phone): 96 px WebP weigh 1.2–2.1 KB for real photos, so lists show that one width, on
# 2x screens too: a 192 px one weighs 3.4–7.2 KB (2.8–5.5 KB even at quality 35), twelve of
# them 40–85 KB, the whole budget or twice it.
WIDTHS = (96, 360, 720, 1280)
THUMBNAIL = WIDTHS[0]
THUMBNAIL_QUALITY = 60  # details are lost at that size anyway
# Far above any phone camera (50 MP sensors bin to 12 MP), far below what fills the memory of
# a 2-core server: a small PNG of 20,000 × 20,000 pixels would need 1.6 GB decoded.
MAX_PIXELS = 40_000_000
QUALITY = 70  # WebP: small on 2G, no visible loss at these sizes
MIMETYPE = "image/webp"
# Browsers without WebP (Safari before iOS 14, which iPhones 6 and older keep) take a JPEG
# through <picture>: made from the stored WebP when first asked for, so the disk and the
# backup hold the WebP only (a JPEG weighs 5–30% more; only those browsers fetch it).
FORMATS = {"webp": MIMETYPE, "jpg": "image/jpeg"}
JPEG_QUALITY = 75
ACCEPTED = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
HEIF = frozenset({"image/heic", "image/heif", "image/avif"})
ACCEPT = ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"
# Files of a photo never change under their URL (a new upload is a new photo), so public
# copies may be kept a year. The URL carries a key that changes when the photo stops being
# public (`key`), so a withdrawn model's photos answer 404 to new requests.
PUBLIC_MAX_AGE = 365 * 24 * 3600
_STEM_LENGTH = 32


class PhotoError(Refused):
    """An upload that is not a usable photo; the message says why, in the reader's language."""


class Photo(db.Model):
    """One uploaded photo: the widths stored for it, named after `stem` in PHOTOS_DIR."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    stem: Mapped[str] = mapped_column(sa.String(40), unique=True)
    widths: Mapped[str] = mapped_column(sa.String(60))  # "160,360,720": those stored
    width: Mapped[int]  # of the upright original, before resizing
    height: Mapped[int]
    size: Mapped[int]  # bytes uploaded
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("width > 0 AND height > 0", name="dimensions_positive"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    @property
    def stored_widths(self) -> list[int]:
        return [int(w) for w in self.widths.split(",") if w]

    def fitting(self, wanted: int) -> int:
        """The smallest stored width at least `wanted`, or the largest stored."""
        widths = self.stored_widths
        return next((w for w in widths if w >= wanted), widths[-1])

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


@dataclass(frozen=True)
class Upright:
    image: Image.Image
    width: int
    height: int


def photos_dir() -> Path:
    return filestore.kept_in("PHOTOS_DIR", "photos")


def max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES") or 8 * filestore.MEBIBYTE)


def path_of(photo: Photo, width: int, extension: str = "webp") -> Path | None:
    """The stored file of that width; None for a width not stored or a stem not ours."""
    if width not in photo.stored_widths or not _is_stem(photo.stem) or extension not in FORMATS:
        return None
    return photos_dir() / f"{photo.stem}-{width}.{extension}"


def key(photo: Photo, public: bool) -> str:
    """The part of a photo's URLs that changes with its visibility: derived from the stem
    nobody sees, so the key of a photo's private URLs cannot be guessed from its public one,
    nor any key from the photo's id."""
    seed = f"{photo.stem}:{'public' if public else 'private'}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def is_stored_file(name: str) -> bool:
    """Whether `name` is one this module gives a stored width (a backup takes only those)."""
    stem, dash, rest = name.partition("-")
    width, dot, extension = rest.partition(".")
    return bool(dash and dot and _is_stem(stem) and width.isdigit() and extension == "webp")


def stored_files() -> list[Path]:
    folder = photos_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and is_stored_file(p.name))


def _is_stem(stem: str) -> bool:
    return len(stem) == _STEM_LENGTH and all(ch in "0123456789abcdef" for ch in stem)


def add_photo(upload: FileStorage | None, uploaded_by_id: int | None = None) -> Photo:
    """Accept an upload: refused with a PhotoError when it is missing, too large, not a JPEG,
    PNG or WebP by its content, damaged, or too many pixels; otherwise its widths are written
    and the row flushed. The files go if the transaction does not commit."""
    if upload is None or not upload.filename:
        raise PhotoError(_("Choose a photo to upload."))
    directory = photos_dir()
    partial, size, head = filestore.receive(upload.stream, directory, max_bytes(), PhotoError)
    try:
        guessed = filetype.guess(head)
        if guessed is not None and guessed.mime in HEIF:
            # Pillow reads HEIC only with a plug-in (pillow-heif, libheif): one more native
            # library to keep up to date, for what the phone itself can convert.
            raise PhotoError(
                _(
                    "Photos in the HEIC format of iPhones are not accepted. Choose a JPEG, PNG "
                    "or WebP picture, or set the iPhone camera to “Most Compatible”."
                )
            )
        if guessed is None or guessed.mime not in ACCEPTED:
            raise PhotoError(
                _("This file is not a photo. Choose a JPEG, PNG or WebP picture from your phone.")
            )
        upright = _open_upright(partial, ACCEPTED[guessed.mime])
    finally:
        partial.unlink(missing_ok=True)
    stem = uuid.uuid4().hex
    widths = [w for w in WIDTHS if w <= upright.width] or [upright.width]
    paths = []
    session = db.session
    try:
        for width in widths:
            path = directory / f"{stem}-{width}.webp"
            _write_width(upright.image, width, path)
            paths.append(path)
            filestore.written(session, path)
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    photo = Photo(
        stem=stem,
        widths=",".join(str(w) for w in widths),
        width=upright.width,
        height=upright.height,
        size=size,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(photo)
    session.flush()
    return photo


def _open_upright(path: Path, expected_format: str) -> Upright:
    """Decode the file, refusing decompression bombs before the pixels are read."""
    from PIL import Image, ImageOps  # only where photos arrive: public pages never load it

    with warnings.catch_warnings():
        # Pillow warns between MAX_IMAGE_PIXELS and twice that, and raises above: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=[expected_format]) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                image = ImageOps.exif_transpose(opened)
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise PhotoError(
                _("This photo cannot be read: it may be damaged. Take or choose it again.")
            ) from error
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")  # transparent parts on white
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    image.info = {}  # nothing of the original's metadata travels on
    return Upright(image, image.width, image.height)


def _too_many_pixels() -> PhotoError:
    return PhotoError(
        _(
            "This picture has too many pixels (at most %(megapixels)d million). Choose a "
            "smaller photo.",
            megapixels=MAX_PIXELS // 1_000_000,
        )
    )


def _write_width(image: Image.Image, width: int, path: Path) -> None:
    from PIL import Image

    if width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        # No exif=, icc_profile= or xmp=: the file carries pixels only.
        quality = THUMBNAIL_QUALITY if width <= THUMBNAIL else QUALITY
        image.save(out, format="WEBP", quality=quality, method=4)


def srcset(photo: Photo, url_for_width) -> str:
    """ "url 160w, url 360w, …" for an <img srcset>, `url_for_width(photo, width)` making URLs."""
    return ", ".join(f"{url_for_width(photo, w)} {w}w" for w in photo.stored_widths)


def _jpeg_of(photo: Photo, width: int) -> Path | None:
    """The JPEG of a stored width, written from its WebP the first time it is asked for
    (through a temporary name, so two requests at once never read half a file)."""
    path = path_of(photo, width, "jpg")
    source = path_of(photo, width)
    if path is None or source is None or not source.is_file():
        return None
    if not path.is_file():
        from PIL import Image  # on the first request for a JPEG, not at start

        partial = path.with_name(f".{uuid.uuid4().hex}.part")
        with Image.open(source, formats=["WEBP"]) as image:
            fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as out:
                quality = THUMBNAIL_QUALITY if width <= THUMBNAIL else JPEG_QUALITY
                image.convert("RGB").save(
                    out, format="JPEG", quality=quality, optimize=True, progressive=True
                )
        os.replace(partial, path)
    return path


def send_width(photo: Photo, width: int, *, public: bool, extension: str = "webp"):
    """The file of one width: public ones cached a year (immutable), others never stored."""
    path = _jpeg_of(photo, width) if extension == "jpg" else path_of(photo, width, extension)
    if path is None or not path.is_file():
        abort(404)
    # Read whole (at most a few hundred KB): no file handle left open on the response.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=FORMATS[extension],
        conditional=True,
        etag=f"{key(photo, public)}-{width}-{extension}",
        max_age=PUBLIC_MAX_AGE if public else None,  # no Expires a year ahead on a private one
    )
    filestore.cached_as(response, public=public, immutable=True)
    if not public:
        response.headers.pop("Expires", None)
    response.headers["Content-Disposition"] = (
        f'inline; filename="photo-{photo.id}-{width}.{extension}"'
    )
    return response


@sa.event.listens_for(Photo, "after_delete")
def _files_go_with_row(mapper, connection, photo: Photo) -> None:
    session = object_session(photo)
    if session is None:
        return
    for width in photo.stored_widths:
        for extension in FORMATS:
            path = path_of(photo, width, extension)
            if path is not None:
                filestore.doomed(session, path)
