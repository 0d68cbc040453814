"""Where an OpenSearch index is: its nodes, its name, and how to log in (never shown)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from ...errors import IndexLocationError

#: Environment variables for credentials not written into the address.
USER_VARIABLE = "INDEXER_OPENSEARCH_USER"
PASSWORD_VARIABLE = "INDEXER_OPENSEARCH_PASSWORD"
#: A file of certificate authorities to trust for ``https://`` (default: the system's).
CA_VARIABLE = "INDEXER_OPENSEARCH_CA_CERTS"

# OpenSearch's rules for index names; ours also gets suffixes, so it must leave room.
_FORBIDDEN = re.compile(r'[\\/*?"<>| ,#:A-Z]')
_MAX_NAME = 200


@dataclass(frozen=True)
class Address:
    """A parsed ``http(s)://[user:password@]host:port[,host:port…]/name[?options]``."""

    scheme: str
    hosts: tuple[str, ...]
    name: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    #: Shards and replicas for an index this tool creates (``?shards=2&replicas=1``).
    shards: int | None = None
    replicas: int | None = None

    @property
    def shown(self) -> str:
        """The address as it may be printed: without credentials."""
        return f"{self.scheme}://{','.join(self.hosts)}/{self.name}"

    def client(self) -> Any:
        """An opensearch-py client for the cluster (TLS certificates verified)."""
        try:
            from opensearchpy import OpenSearch
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise IndexLocationError(
                "an index in OpenSearch needs opensearch-py: pip install 'indexer[opensearch]'"
            ) from exc
        return OpenSearch(
            hosts=[f"{self.scheme}://{host}" for host in self.hosts],
            http_auth=(self.user, self.password or "") if self.user else None,
            verify_certs=self.scheme == "https",
            ca_certs=os.environ.get(CA_VARIABLE) or None,
            timeout=60,
            max_retries=3,
            retry_on_timeout=True,
            http_compress=True,
        )


def parse(location: str) -> Address:
    """Take an address apart.

    >>> parse("http://127.0.0.1:9200/news").shown
    'http://127.0.0.1:9200/news'
    >>> parse("https://me:secret@a:9200,b:9200/news?replicas=1").hosts
    ('a:9200', 'b:9200')
    >>> parse("http://me:pa/ss@h:9200/news").shown
    'http://h:9200/news'


    :raises IndexLocationError: the address has no index name or an invalid one.
    """
    scheme, _, rest = location.partition("://")
    scheme = scheme.lower()
    # The last «@» ends the credentials, which may hold «/», «?» or «@» of their own.
    userinfo, _, rest = rest.rpartition("@")
    hostlist, _, path = rest.partition("/")
    path, _, query = path.partition("?")
    hosts = tuple(host for host in hostlist.split(",") if host)
    shown = f"{scheme}://{hostlist}/{path}"
    if scheme not in ("http", "https") or not hosts:
        raise IndexLocationError(f"«{shown}» is not an http(s)://host:port/name address")
    name = unquote(path.strip("/"))
    if not name or "/" in name:
        raise IndexLocationError(
            f"«{shown}» names no index: give one after the host, as in http://host:9200/news"
        )
    if _FORBIDDEN.search(name) or name.startswith(("_", "-", "+", ".")) or len(name) > _MAX_NAME:
        raise IndexLocationError(
            f"«{name}» cannot be an OpenSearch index name: use lower-case letters, digits, "
            "«-» and «_», not first"
        )
    user, _, password = userinfo.partition(":")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    return Address(
        scheme,
        hosts,
        name,
        unquote(user) or os.environ.get(USER_VARIABLE) or None,
        unquote(password) or os.environ.get(PASSWORD_VARIABLE) or None,
        _count(options, "shards", shown),
        _count(options, "replicas", shown),
    )


def _count(options: dict[str, str], key: str, shown: str) -> int | None:
    if key not in options:
        return None
    value = options[key]
    if not value.isdigit():
        raise IndexLocationError(f"{key}={value} in «{shown}» is not a whole number")
    return int(value)
