"""The text files inside what people download from statistics sites: a plain file, a ZIP or a RAR archive.

Each file is read as blocks of bytes and split into lines on LF only, so a stray CR or TAB inside a field
stays in its field; nothing is extracted to disk, and no more than `max_bytes` of one file is ever read, so a
file (or an archive's member) over the limit is refused without filling the memory or the disk. RAR is read
with libarchive (Debian's libarchive13 through the libarchive-c package). Each file's content is hashed as it
is read, so the same file given twice in one import (the .txt and its .zip) is told apart from its container.
"""

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plan.model.i18n import LANGS, format_number
from plan.model.issues import Issue, PlanInvalid

BLOCK = 1 << 20
MAX_LINE = 1 << 16  # a longer "line" is a binary file or a file of another kind
ZIP_MAGIC, RAR_MAGIC = b"PK\x03\x04", b"Rar!\x1a\x07"


def _limit(max_bytes: int) -> dict:
    return {"limit": {lang: format_number(max_bytes, lang) for lang in LANGS}}


@dataclass
class TextFile:
    """One file to read: the name the person knows it by (`archive.zip/member.txt`) and its blocks."""

    shown: str
    blocks: Iterator[bytes]
    digest: str = ""  # sha256 of the content, once `lines` has read it all

    def lines(self, max_bytes: int) -> Iterator[bytes]:
        """The lines without their LF (a CR before it is kept: the reader trims fields); refused with a clear
        issue if the file is binary or larger than `max_bytes`."""
        rest, read, content = b"", 0, hashlib.sha256()
        for block in self.blocks:
            if read == 0 and b"\x00" in block[:4096]:
                raise PlanInvalid([Issue(self.shown, 1, "", "import_binary")])
            read += len(block)
            if read > max_bytes:
                raise PlanInvalid([Issue(self.shown, 1, "", "import_too_large", _limit(max_bytes))])
            content.update(block)
            parts = (rest + block).split(b"\n")
            rest = parts.pop()
            if len(rest) > MAX_LINE:
                raise PlanInvalid([Issue(self.shown, 1, "", "import_binary")])
            yield from parts
        if rest:
            yield rest
        self.digest = content.hexdigest()


def repeated_file(text_file: TextFile, read_before: dict[str, str]) -> Issue | None:
    """The issue of a file whose content was already read in this import (`read_before`: digest -> the file
    shown), whose figures would be counted twice; else None, and the file is noted in `read_before`."""
    if text_file.digest in read_before:
        return Issue(text_file.shown, 1, "", "import_file_repeated", {"other": read_before[text_file.digest]})
    read_before[text_file.digest] = text_file.shown
    return None


def _file_blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            yield block


def _zip_files(path: Path, max_bytes: int) -> Iterator[TextFile]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            shown = f"{path.name}/{info.filename}"
            if info.file_size > max_bytes:
                raise PlanInvalid([Issue(shown, 1, "", "import_too_large", _limit(max_bytes))])
            with archive.open(info) as member:
                yield TextFile(shown, iter(lambda member=member: member.read(BLOCK), b""))


def _rar_files(path: Path) -> Iterator[TextFile]:
    try:
        import libarchive  # needs the system's libarchive: loaded only for a RAR file
    except (ImportError, OSError) as error:
        raise PlanInvalid([Issue(path.name, 1, "", "import_rar_unavailable", {"reason": str(error)})]) from None
    with libarchive.file_reader(str(path)) as archive:
        for entry in archive:
            if entry.isfile:
                yield TextFile(f"{path.name}/{entry.pathname}", iter(entry.get_blocks(BLOCK)))


def text_files(path: Path, max_bytes: int) -> Iterator[TextFile]:
    """The files of `path`, by what it holds (not by its name): an archive's members, or the file itself."""
    if not path.is_file():
        raise PlanInvalid([Issue(str(path), 1, "", "import_file_missing")])
    with open(path, "rb") as handle:
        start = handle.read(8)
    if not start:
        raise PlanInvalid([Issue(path.name, 1, "", "import_empty")])
    if start.startswith(ZIP_MAGIC):
        yield from _zip_files(path, max_bytes)
    elif start.startswith(RAR_MAGIC):
        yield from _rar_files(path)
    else:
        yield TextFile(path.name, _file_blocks(path))
