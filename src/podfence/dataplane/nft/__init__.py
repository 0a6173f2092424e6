"""nftables: the typed intermediate form, the pure compiler, the emitter and `apply`."""

from podfence.dataplane.nft.apply import ApplyError, apply, check, list_table
from podfence.dataplane.nft.compile import FAMILY, TABLE, chain_name, compile_ruleset
from podfence.dataplane.nft.emit import emit
from podfence.dataplane.nft.ir import Ruleset

__all__ = [
    "FAMILY",
    "TABLE",
    "ApplyError",
    "Ruleset",
    "apply",
    "chain_name",
    "check",
    "compile_ruleset",
    "emit",
    "list_table",
]
