"""A tiny DNS codec (RFC 1035): one A query, one fixed answer. Pure functions on bytes.

The lab's DNS server answers every A query (class IN) with `ANSWER`, other types with no
records; over TCP a message is prefixed with its two-byte length.
"""

from __future__ import annotations

import ipaddress
import struct

__all__ = [
    "ANSWER",
    "PROBE_NAME",
    "TYPE_A",
    "DnsError",
    "build_query",
    "answer",
    "parse_answer",
    "frame",
]

ANSWER = ipaddress.IPv4Address("192.0.2.53")
PROBE_NAME = "probe.podfence.test"
TYPE_A = 1
CLASS_IN = 1
TTL = 30
_HEADER = struct.Struct("!HHHHHH")


class DnsError(ValueError):
    """A message that is not a well-formed DNS message of the expected shape."""


def _encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise DnsError(f"bad label {label!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def _skip_name(message: bytes, offset: int) -> int:
    """The offset just after the (uncompressed or pointer-ended) name at `offset`."""
    while True:
        if offset >= len(message):
            raise DnsError("truncated name")
        length = message[offset]
        if length == 0:
            return offset + 1
        if length & 0xC0 == 0xC0:
            return offset + 2
        offset += 1 + length


def build_query(name: str, qid: int, qtype: int = TYPE_A) -> bytes:
    header = _HEADER.pack(qid, 0x0100, 1, 0, 0, 0)  # RD set
    return header + _encode_name(name) + struct.pack("!HH", qtype, CLASS_IN)


def answer(query: bytes) -> bytes:
    """The response to `query`: `ANSWER` for A/IN, no records otherwise."""
    if len(query) < _HEADER.size:
        raise DnsError("short message")
    qid, flags, qdcount, _, _, _ = _HEADER.unpack_from(query)
    if flags & 0x8000 or qdcount != 1:
        raise DnsError("not a single-question query")
    end = _skip_name(query, _HEADER.size)
    if end + 4 > len(query):
        raise DnsError("truncated question")
    qtype, qclass = struct.unpack_from("!HH", query, end)
    question = query[_HEADER.size : end + 4]
    records = b""
    if qtype == TYPE_A and qclass == CLASS_IN:
        records = struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, TTL, 4) + ANSWER.packed
    flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080  # QR, AA, RD copied, RA
    header = _HEADER.pack(qid, flags, 1, 1 if records else 0, 0, 0)
    return header + question + records


def parse_answer(response: bytes, qid: int) -> list[ipaddress.IPv4Address]:
    """The A records of a response to query `qid` (DnsError if it is not one)."""
    if len(response) < _HEADER.size:
        raise DnsError("short message")
    rid, flags, qdcount, ancount, _, _ = _HEADER.unpack_from(response)
    if rid != qid or not flags & 0x8000 or flags & 0x000F:
        raise DnsError("not a successful response to this query")
    offset = _HEADER.size
    for _ in range(qdcount):
        offset = _skip_name(response, offset) + 4
    found = []
    for _ in range(ancount):
        offset = _skip_name(response, offset)
        if offset + 10 > len(response):
            raise DnsError("truncated record")
        rtype, rclass, _, rdlen = struct.unpack_from("!HHIH", response, offset)
        offset += 10
        data = response[offset : offset + rdlen]
        offset += rdlen
        if rtype == TYPE_A and rclass == CLASS_IN and len(data) == 4:
            found.append(ipaddress.IPv4Address(data))
    return found


def frame(message: bytes) -> bytes:
    """A message as sent over TCP: two-byte length, then the message."""
    return struct.pack("!H", len(message)) + message
