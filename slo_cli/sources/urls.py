"""The server URL as the user gives it: checked, split into what we send and what is secret.

Rules (README, "Exit codes"):

- user info (`https://user:password@host/…`) is percent-decoded and sent as basic auth; it is
  never printed. A password holding `/`, `#` or `?` must be percent-encoded (`%2F`, `%23`,
  `%3F`): unencoded, the URL cannot be split safely, so it is refused without echoing it.
- a query string (`…/prometheus?token=…`) is kept as query parameters of every request (the
  API path goes before it, never after); its values are treated as secrets.
- a bad port or host is a usage error that names the problem, never the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from slo_cli.errors import UsageError

OPTION = "--prometheus-url"


@dataclass(frozen=True)
class SplitURL:
    """A server URL without user info, query or fragment, plus those parts."""

    base: str
    user: str | None = None
    password: str | None = None
    params: tuple[tuple[str, str], ...] = ()


def split_url(text: str) -> SplitURL:
    """Check a server URL and split off its user info and query (raises UsageError)."""
    url = text.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise UsageError(f"{OPTION}: expected a URL starting http:// or https://")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise UsageError(f"{OPTION}: the URL holds a space or control character")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UsageError(f"{OPTION}: {_why(str(exc))}") from None
    if "@" in rest and "@" not in parts.netloc:
        raise UsageError(
            f"{OPTION}: the URL's user info cannot be read: percent-encode '/', '#' and '?' "
            "in the password (%2F, %23, %3F) and '@' elsewhere (%40), or use --basic-auth-user "
            "with $SLO_BASIC_AUTH_PASSWORD (the URL is not shown: it may hold a password)"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{OPTION}: {_why(str(exc))}") from None
    if parts.fragment or url.endswith("#"):
        raise UsageError(f"{OPTION}: the URL holds a '#' fragment (percent-encode it as %23)")
    host = parts.hostname
    if not host:
        raise UsageError(f"{OPTION}: the URL has no host")
    if port is not None and not 1 <= port <= 65535:
        raise UsageError(f"{OPTION}: port {port} is out of range (1-65535)")
    user = password = None
    if "@" in parts.netloc:
        info = parts.netloc.rpartition("@")[0]
        raw_user, has_password, raw_password = info.partition(":")
        user = unquote(raw_user)
        password = unquote(raw_password) if has_password else ""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    base = urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return SplitURL(base, user, password, params)


def _why(message: str) -> str:
    """urllib's ValueError text without the URL part it may quote (a password, say)."""
    low = message.lower()
    if "ipv6" in low:
        return "the host is not a valid IPv6 address in brackets"
    if "port" in low:
        return "the port is not a number in 1-65535"
    return "the URL cannot be parsed"


def same_origin(a: str, b: str) -> bool:
    """Whether two absolute URLs share scheme, host and port (the default port filled in)."""
    pa, pb = urlsplit(a), urlsplit(b)
    try:
        ports = (pa.port, pb.port)
    except ValueError:
        return False
    default = {"http": 80, "https": 443}
    return (
        pa.scheme.lower() == pb.scheme.lower()
        and (pa.hostname or "").lower() == (pb.hostname or "").lower()
        and (ports[0] or default.get(pa.scheme.lower()))
        == (ports[1] or default.get(pb.scheme.lower()))
    )
