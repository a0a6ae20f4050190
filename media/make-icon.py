#!/usr/bin/env python3
"""Draws media/icon.png (128x128 RGBA): a shield with a magnifying glass over a log line.
Plain Python (zlib + struct), 4x4 supersampling for smooth edges. Run: python3 media/make-icon.py"""
import math
import os
import struct
import zlib

SIZE = 128
SS = 4  # samples per axis per pixel

NAVY = (35, 47, 62)        # shield body
ORANGE = (255, 153, 0)     # rim and handle
WHITE = (240, 244, 248)    # log lines
GLASS = (120, 200, 255)    # lens tint


def in_shield(x, y):
    """Shield outline in a 0..128 box: flat top with rounded corners, sides curving to a point."""
    top, bottom, left, right = 12.0, 118.0, 18.0, 110.0
    cx = (left + right) / 2
    if y < top or y > bottom:
        return False
    if y <= 64:
        half = (right - left) / 2
    else:
        t = (y - 64) / (bottom - 64)
        half = (right - left) / 2 * math.cos(t * math.pi / 2) ** 0.8
    if abs(x - cx) > half:
        return False
    # rounded top corners
    r = 10.0
    for ccx in (left + r, right - r):
        if y < top + r and abs(x - ccx) > 0 and ((x < left + r and ccx == left + r) or (x > right - r and ccx == right - r)):
            if (x - ccx) ** 2 + (y - (top + r)) ** 2 > r * r:
                return False
    return True


def inset(x, y, d):
    """True when the point is inside the shield by at least d (sampled on a small ring)."""
    return all(in_shield(x + d * math.cos(a), y + d * math.sin(a)) for a in [i * math.pi / 8 for i in range(16)])


def sample(x, y):
    if not in_shield(x, y):
        return None
    color = NAVY if inset(x, y, 6) else ORANGE
    # three log lines
    for ly, x0, x1 in ((36, 34, 94), (50, 34, 80), (64, 34, 88)):
        if abs(y - ly) <= 3 and x0 <= x <= x1 and inset(x, y, 6):
            color = WHITE
    # magnifier: lens ring, tinted glass, handle
    mx, my, r = 62.0, 60.0, 20.0
    d = math.hypot(x - mx, y - my)
    if d < r - 5:
        color = tuple(int(c * 0.55 + g * 0.45) for c, g in zip(color, GLASS))
    elif d < r:
        color = ORANGE
    # handle along the diagonal down-right
    ux, uy = math.cos(math.pi / 4), math.sin(math.pi / 4)
    px, py = x - mx, y - my
    along = px * ux + py * uy
    across = abs(-px * uy + py * ux)
    if r - 2 <= along <= r + 24 and across <= 5:
        color = ORANGE
    return color


def main():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # filter: none
        for px in range(SIZE):
            acc = [0, 0, 0]
            hits = 0
            for sy in range(SS):
                for sx in range(SS):
                    c = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS)
                    if c is not None:
                        hits += 1
                        for i in range(3):
                            acc[i] += c[i]
            if hits:
                row += bytes([acc[0] // hits, acc[1] // hits, acc[2] // hits, round(255 * hits / (SS * SS))])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xFFFFFFFF)

    png = b'\x89PNG\r\n\x1a\n'
    png += chunk(b'IHDR', struct.pack('>IIBBBBB', SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(b''.join(rows), 9))
    png += chunk(b'IEND', b'')
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'icon.png')
    with open(out, 'wb') as f:
        f.write(png)
    print(f'wrote {out} ({len(png)} bytes)')


if __name__ == '__main__':
    main()
