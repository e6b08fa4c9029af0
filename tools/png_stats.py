#!/usr/bin/env python3
"""Prints facts about a PNG screenshot as JSON, with the standard library only (no Pillow):
width, height, the fraction of pixels that are not near-white, and the number of distinct colours.

usage: tools/png_stats.py IMAGE.png
Reads 8-bit RGB or RGBA, non-interlaced PNGs (what Chromium's --screenshot writes); anything else is
refused with one line and exit 2.
"""
import json
import struct
import sys
import zlib


def fail(message):
    print(f"png_stats: {message}", file=sys.stderr)
    sys.exit(2)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        fail(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        fail(f"{path}: expected 8-bit RGB/RGBA non-interlaced, got depth {depth} colour type {colour}")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, upper_left)) & 0xFF
            elif kind != 0:
                fail(f"{path}: unknown row filter {kind}")
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main():
    if len(sys.argv) != 2:
        fail("usage: png_stats.py IMAGE.png")
    width, height, channels, rows = read_png(sys.argv[1])
    inked, colours = 0, set()
    for line in rows:
        for x in range(0, len(line), channels):
            r, g, b = line[x], line[x + 1], line[x + 2]
            colours.add((r, g, b))
            if min(r, g, b) < 235:
                inked += 1
    print(json.dumps({"width": width, "height": height, "inked_fraction": round(inked / (width * height), 5),
                      "distinct_colours": len(colours)}))


if __name__ == "__main__":
    main()
