"""Where the agent's table lives: this network namespace (a node), or a podfence namespace
(`--netns podfence-...`: a lab node, for tests). Each change is checked with `nft -c` and
then applied with one `nft -f`, so a rejected script leaves the ruleset in force as it was.
Only the agent's own table is ever named; every other table is left alone.
"""

from __future__ import annotations

from podfence.dataplane.nft.apply import ApplyError
from podfence.dataplane.run import (
    CommandError,
    Runner,
    SubprocessRunner,
    check_netns_name,
    require_tools,
)

__all__ = ["ApplyError", "NftTarget"]


def _clean(stderr: str) -> str:
    return stderr.replace("/dev/stdin", "<ruleset>").strip()


class NftTarget:
    def __init__(self, netns: str | None = None, *, runner: Runner | None = None) -> None:
        if netns is not None:
            check_netns_name(netns)
        self.netns = netns
        self.runner = runner or SubprocessRunner()
        if isinstance(self.runner, SubprocessRunner):
            require_tools("nft", *(("ip",) if netns else ()))

    def argv(self, *args: str) -> list[str]:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return [*prefix, "nft", *args]

    @property
    def where(self) -> str:
        return self.netns or "this network namespace"

    def has_table(self, family: str, table: str) -> bool:
        """Does `family table` exist (`nft list tables`, cheap whatever the table's size)?"""
        done = self.runner.run(self.argv("list", "tables"), check=False)
        if done.returncode != 0:
            raise ApplyError(f"nft list tables failed in {self.where}: {_clean(done.stderr)}")
        return f"table {family} {table}" in {line.strip() for line in done.stdout.splitlines()}

    def apply(self, script: str) -> None:
        """`nft -c` then `nft -f`, both from stdin; ApplyError when either refuses."""
        try:
            self.runner.run(self.argv("-c", "-f", "-"), input=script)
        except CommandError as err:
            raise ApplyError(
                f"nft -c rejected the ruleset in {self.where}: {_clean(err.stderr)}"
            ) from err
        try:
            self.runner.run(self.argv("-f", "-"), input=script)
        except CommandError as err:
            raise ApplyError(f"nft -f failed in {self.where}: {_clean(err.stderr)}") from err

    def list_table(self, family: str, table: str) -> str:
        done = self.runner.run(self.argv("list", "table", family, table), check=False)
        return done.stdout if done.returncode == 0 else ""
