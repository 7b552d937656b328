"""Link checks after TDLib's LinkManager::check_link: what Telegram accepts as a URL."""

from __future__ import annotations

import re

_HOST_CHARS = re.compile(r"^[\w.\-~]+$")
_TG_HOST = re.compile(r"^[A-Za-z0-9_\-]+$")
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)


class LinkError(ValueError):
    """The reason TDLib gives for a link it refuses."""


def check_link(link: str) -> str:
    """The link as Telegram stores it (e.g. a '/' path added), or LinkError with TDLib's reason."""
    lowered = link.lower()
    for scheme in ("tg:", "ton:", "tonsite:"):
        if lowered.startswith(scheme):
            return _check_tg_link(scheme[:-1], link[len(scheme) :])
    if "://" in link:
        scheme, rest = link.split("://", 1)
        scheme = scheme.lower()
        if scheme not in ("http", "https"):
            raise LinkError("Unsupported URL protocol")
    else:
        scheme, rest = "http", link
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    authority, query = rest[:cut], rest[cut:]
    userinfo = ""
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
    host, port = authority, ""
    if ":" in authority:
        host, port = authority.rsplit(":", 1)
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise LinkError("Wrong port number specified in the URL")
    if not host or not _HOST_CHARS.match(host):
        raise LinkError("Wrong URL host")
    if "." not in host:
        raise LinkError("Wrong HTTP URL")
    if not query.startswith("/"):
        query = "/" + query
    result = f"{scheme}://"
    if userinfo:
        result += userinfo + "@"
    result += host.lower()
    if port:
        result += ":" + port
    return result + query


def _check_tg_link(scheme: str, rest: str) -> str:
    if rest.startswith("//"):
        rest = rest[2:]
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    host, query = rest[:cut], rest[cut:]
    if not host or not _TG_HOST.match(host):
        raise LinkError("Wrong tg URL" if scheme == "tg" else "Wrong ton URL")
    if query.startswith("/?"):
        query = query[1:]
    return f"{scheme}://{host}{query}"


def checked_link(link: str) -> str | None:
    """check_link without the reason: None when Telegram would drop the link."""
    try:
        return check_link(link)
    except LinkError:
        return None


def link_user_id(link: str) -> int | None:
    """The user a tg://user?id=... link names (it makes a text_mention), if any."""
    match = _USER_LINK.match(link.strip())
    return int(match.group(1)) if match else None


def custom_emoji_id(link: str) -> str:
    """The emoji id of a tg://emoji?id=... link, or LinkError with TDLib's reason."""
    if not link.lower().startswith("tg:"):
        raise LinkError("Custom emoji URL must have scheme tg")
    match = re.search(r"[?&]id=(\d+)", link)
    if not link.lower().removeprefix("tg:").lstrip("/").startswith("emoji") or not match:
        raise LinkError("Custom emoji URL must have an emoji identifier")
    if int(match.group(1)) == 0:
        raise LinkError("Invalid custom emoji identifier specified")
    return match.group(1)
