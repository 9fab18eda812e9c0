"""The client's address: one function for the survey rate limits and django-axes.

Behind a load balancer every request comes from the balancer's address (gunicorn does not
rewrite REMOTE_ADDR), so the real client is read from X-Forwarded-For — but only when the
request came from a proxy listed in the TRUSTED_PROXIES setting, because anyone else can write
that header. Each proxy appends the address it saw, so the hops a client wrote itself sit on
the left: walking from the right, the first address that is not one of our proxies is the
client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """Addresses and CIDR blocks as networks; raises ValueError naming a value that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _address(value: str) -> Address | None:
    """An address from a header hop, which may carry a port ("1.2.3.4:80", "[::1]:80")."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request, as far as our own proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not trusted:
        return remote

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    nearest = _address(remote)
    if nearest is None or not is_trusted(nearest):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not written by a proxy of ours: what lies left of it cannot be vouched for.
            break
        nearest = address
        if not is_trusted(address):
            break
    return str(nearest)
