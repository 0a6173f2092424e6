"""Apply a ruleset inside a podfence network namespace: `nft -c` first, then one `nft -f`.

The script replaces table `inet podfence` in a single transaction, so a failure at either
step leaves the previous ruleset in force.
"""

from __future__ import annotations

from podfence.dataplane.run import (
    CommandError,
    Runner,
    SubprocessRunner,
    check_netns_name,
    require_tools,
)

__all__ = ["ApplyError", "apply", "check", "list_table"]


class ApplyError(RuntimeError):
    """nft rejected the ruleset; nothing was changed."""


def _nft(netns: str, *args: str) -> list[str]:
    check_netns_name(netns)
    return ["ip", "netns", "exec", netns, "nft", *args]


def _clean(stderr: str) -> str:
    return stderr.replace("/dev/stdin", "<ruleset>").strip()


def check(ruleset_text: str, netns: str, *, runner: Runner | None = None) -> None:
    """Validate the script against the kernel of `netns` without committing (`nft -c`)."""
    runner = runner or SubprocessRunner()
    if isinstance(runner, SubprocessRunner):
        require_tools("ip", "nft")
    try:
        runner.run(_nft(netns, "-c", "-f", "-"), input=ruleset_text)
    except CommandError as err:
        raise ApplyError(f"nft -c rejected the ruleset in {netns}: {_clean(err.stderr)}") from err


def apply(ruleset_text: str, netns: str, *, runner: Runner | None = None) -> None:
    """Check, then atomically replace the table in `netns` (a `podfence-*` namespace)."""
    runner = runner or SubprocessRunner()
    check(ruleset_text, netns, runner=runner)
    try:
        runner.run(_nft(netns, "-f", "-"), input=ruleset_text)
    except CommandError as err:
        raise ApplyError(f"nft -f failed in {netns}: {_clean(err.stderr)}") from err


def list_table(netns: str, *, runner: Runner | None = None) -> str:
    """`nft list table inet podfence` in `netns` ('' when there is no such table)."""
    runner = runner or SubprocessRunner()
    done = runner.run(_nft(netns, "list", "table", "inet", "podfence"), check=False)
    return done.stdout if done.returncode == 0 else ""
