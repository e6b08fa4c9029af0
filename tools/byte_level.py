"""GPT-2's byte-level alphabet, shared by the tools that write byte-level BPE tokenizer.json files.

Printable bytes stand for themselves; the others map, in byte order, to characters from U+0100 up, so
every byte has a visible one-character token. Standard library only, so any tool can import it.
"""


def bytes_to_unicode():
    """Byte value -> the character that stands for it in byte-level BPE vocabularies."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table
