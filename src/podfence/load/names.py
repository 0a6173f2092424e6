"""String formats of the Kubernetes API, with the API server's own messages.

Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go and
pkg/api/validate/content (kube.go, dns.go, errors.go). Each function returns the list of
problems, empty when the value is valid. Lengths are in bytes, as in Go.
"""

from __future__ import annotations

import re

__all__ = [
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_qualified_name",
    "is_valid_port_name",
    "is_valid_port_num",
    "mask_trailing_dash",
    "max_len_error",
    "regex_error",
]

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _LABEL_KEY_FMT + ")?"

_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
_LABEL_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)


def _full(fmt: str) -> re.Pattern[str]:
    return re.compile(fmt)


_DNS1123_LABEL = _full(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = _full(_DNS1123_SUBDOMAIN_FMT)
_LABEL_KEY = _full(_LABEL_KEY_FMT)
_LABEL_VALUE = _full(_LABEL_VALUE_FMT)
_PORT_NAME_CHARSET = _full("[-a-z0-9]+")


def _size(value: str) -> int:
    return len(value.encode("utf-8"))


def max_len_error(length: int, unit: str = "characters") -> str:
    """MaxLenError. Like Go's len, podfence counts bytes; the API server's message says
    "characters" for DNS names and port names, "bytes" for label keys and values."""
    return f"must be no more than {length} {unit}"


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """content.RegexError, word for word: each example is followed by ", " and the next one
    by " or " (hence the API server's "'MyName',  or 'my.name'"), then the regex."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def mask_trailing_dash(name: str) -> str:
    """maskTrailingDash, for a generateName (a prefix may end with '-'): upstream drops the
    last two bytes and appends 'a', so that only the rest of the prefix is judged."""
    if len(name.encode()) > 1 and name.endswith("-"):
        return name.encode()[:-2].decode(errors="ignore") + "a"
    return name


def is_dns1123_label(value: str) -> list[str]:
    errors = []
    if _size(value) > 63:
        errors.append(max_len_error(63))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def is_dns1123_subdomain(value: str, *, unit: str = "characters") -> list[str]:
    errors = []
    if _size(value) > 253:
        errors.append(max_len_error(253, unit))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_qualified_name(value: str) -> list[str]:
    """A label key: an optional DNS-subdomain prefix and '/', then a name of <= 63 bytes."""
    parts = value.split("/")
    if len(parts) > 2:
        key_error = regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        return [
            f"a valid label key {key_error} with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')"
        ]
    errors = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += ["prefix part " + m for m in is_dns1123_subdomain(prefix, unit="bytes")]
    if not name:
        errors.append("name part must be non-empty")
    elif _size(name) > 63:
        errors.append("name part " + max_len_error(63, "bytes"))
    if not _LABEL_KEY.fullmatch(name):
        errors.append(
            "name part "
            + regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def is_label_value(value: str) -> list[str]:
    errors = []
    if _size(value) > 63:
        errors.append(max_len_error(63, "bytes"))
    if not _LABEL_VALUE.fullmatch(value):
        errors.append(
            regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errors


def is_valid_port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(port: str) -> list[str]:
    """IANA_SVC_NAME: <= 15 chars of [-a-z0-9], a letter, no leading/trailing/double '-'."""
    errors = []
    if _size(port) > 15:
        errors.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port.startswith("-") or port.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return errors
