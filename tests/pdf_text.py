"""The text of a PDF as Chromium (Skia) writes one, for tests to read: no PDF library is installed.

Skia writes plain objects (no object streams), Flate-compressed content streams whose text shows
hex glyph codes (`<0012> Tj`, `[<00120013> -5 <0014>] TJ`) in fonts that carry a ToUnicode CMap.
This follows exactly that: each page's content, its fonts' CMaps, the codes mapped to characters.
It is a reader for our own receipts, not a general PDF parser.
"""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
HEX = rb"<([0-9A-Fa-f\s]*)>"


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(match[1]): match[2] for match in OBJECT.finditer(pdf)}


def _stream(body: bytes) -> bytes:
    match = STREAM.search(body)
    if match is None:
        return b""
    data = match[1]
    return zlib.decompress(data) if b"/FlateDecode" in body[:match.start()] else data


def _reference(body: bytes, key: bytes) -> int | None:
    match = re.search(rb"/" + key + rb"\s+(\d+) 0 R", body)
    return int(match[1]) if match else None


def _cmap(text: bytes) -> tuple[int, dict[int, str]]:
    """Bytes per code and code → characters, from a ToUnicode CMap's bfchar and bfrange lists."""
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", text)
    width = len(space[1]) // 2 if space else 2
    codes: dict[int, str] = {}

    def chars(hex_text: bytes) -> str:
        return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in re.findall(HEX + rb"\s*" + HEX, block):
            codes[int(source, 16)] = chars(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, rest in re.findall(HEX + rb"\s*" + HEX + rb"\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            targets = re.findall(HEX, rest)
            for n, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                if rest.startswith(b"["):
                    codes[code] = chars(targets[n])
                else:  # the first target, counted up
                    first = bytes.fromhex(targets[0].decode())
                    codes[code] = (int.from_bytes(first, "big") + n).to_bytes(len(first), "big").decode(
                        "utf-16-be", "replace")
    return width, codes


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, in the order its content shows it (runs joined without spaces)."""
    objects = _objects(pdf)
    texts = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b(?!s)", body):
            continue
        fonts = {name: number for name, number in
                 ((m[1], int(m[2])) for m in re.finditer(rb"/(\w+)\s+(\d+) 0 R", _fonts_of(body)))}
        maps = {}
        for name, number in fonts.items():
            unicode_map = _reference(objects.get(number, b""), b"ToUnicode")
            maps[name] = _cmap(_stream(objects[unicode_map])) if unicode_map in objects else (2, {})
        contents = re.search(rb"/Contents\s+(?:(\d+) 0 R|\[([^\]]*)\])", body)
        numbers = [int(contents[1])] if contents and contents[1] else [
            int(n) for n in re.findall(rb"(\d+) 0 R", contents[2] if contents else b"")]
        content = b"\n".join(_stream(objects[n]) for n in numbers if n in objects)
        texts.append(_shown(content, maps))
    return texts


def _fonts_of(page: bytes) -> bytes:
    match = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
    return match[1] if match else b""


def _shown(content: bytes, maps: dict[bytes, tuple[int, dict[int, str]]]) -> str:
    width, codes, shown = 2, {}, []
    for match in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|(<[0-9A-Fa-f\s]*>|\[[^\]]*\])\s*T[Jj]", content):
        if match[1] is not None:
            width, codes = maps.get(match[1], (2, {}))
            continue
        for hex_text in re.findall(HEX, match[2]):
            raw = bytes.fromhex(re.sub(rb"\s", b"", hex_text).decode())
            shown.extend(codes.get(int.from_bytes(raw[i:i + width], "big"), "")
                         for i in range(0, len(raw), width))
    return "".join(shown)
