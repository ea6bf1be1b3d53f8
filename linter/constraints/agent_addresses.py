"""The agent config builder's address and port checks (``agent/config/builder.go``
``build`` and ``validate``): bind, advertise and client addresses, DNS recursors,
port ranges, and two listeners on one address and port.

Addresses written as go-sockaddr templates (``{{ GetPrivateIP }}``) are only known on
the agent's host, so nothing here judges them. An address the file does not write
(``client_addr``, ``advertise_addr``) may come from a flag (``-client``,
``-advertise``) or the network: the listener check compares it only with itself
(two listeners on the advertise address and one port clash whatever that address is).
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import integer, ip, is_any, is_template

#: agent/config/default.go ports.
DEFAULT_PORTS = {"dns": 8600, "http": 8500, "https": -1, "grpc": -1, "serf_lan": 8301, "serf_wan": 8302, "server": 8300}
PORT_RANGES = (
    ("proxy_min_port", "proxy_max_port"),
    ("sidecar_min_port", "sidecar_max_port"),
    ("expose_min_port", "expose_max_port"),
)
ANY_LAN = "Advertise address cannot be 0.0.0.0, :: or [::]"
ANY_WAN = "Advertise WAN address cannot be 0.0.0.0, :: or [::]"


def _v(path: tuple, message: str, fix: str) -> Violation:
    return Violation("value", path, message, fix)


@checks("agent-config")
def bind_address(data: Any, context: Context) -> Iterator[Violation]:
    """bind_addr: one IP address, not empty, not a unix socket."""
    value = data.get("bind_addr")
    if not isinstance(value, str) or is_template(value):
        return
    path, fields = ("bind_addr",), value.split()
    if not fields:
        yield _v(path, "bind_addr cannot be empty", 'set bind_addr to an IP address, e.g. "0.0.0.0"')
    elif len(fields) > 1:
        yield _v(
            path,
            "bind_addr cannot contain multiple addresses. Use 'addresses.{dns,http,https}' instead.",
            "bind one address; listen on more with addresses.{dns,http,https}",
        )
    elif fields[0].startswith("unix://"):
        yield _v(path, "bind_addr cannot be a unix socket", 'set bind_addr to an IP address, e.g. "0.0.0.0"')
    elif ip(fields[0]) is None:
        yield _v(
            path,
            f'bind_addr: invalid ip address: {fields[0]} (the agent stops with "bind_addr cannot be empty")',
            'set bind_addr to an IP address, e.g. "0.0.0.0"',
        )


def _first_ip(name: str, value: Any) -> tuple[str | None, Any]:
    """expandFirstIP: (error, address) for one optional address setting."""
    if not isinstance(value, str) or not value or is_template(value):
        return None, None
    fields = value.split()
    if len(fields) > 1:
        return f"{name}: multiple addresses found: {' '.join(fields)}", None
    if fields[0].startswith("unix://"):
        return f"{name} cannot be a unix socket", None
    address = ip(fields[0])
    if address is None:
        return f"{name}: invalid ip address: {fields[0]}", None
    return None, address


def _is_v4(address: Any) -> bool:
    """net.IP.To4() != nil: IPv4, or IPv6 that maps an IPv4 address."""
    return address.version == 4 or getattr(address, "ipv4_mapped", None) is not None


@checks("agent-config")
def advertise_addresses(data: Any, context: Context) -> Iterator[Violation]:
    """advertise_addr(_wan): not the ANY address; the _ipv4/_ipv6 variants of their family;
    serf_lan/serf_wan bind addresses: one IP address."""
    for name, message in (("advertise_addr", ANY_LAN), ("advertise_addr_wan", ANY_WAN)):
        if is_any(data.get(name)):
            yield _v((name,), message, f"advertise a routable address of this agent in {name}")
    for name in ("advertise_addr", "advertise_addr_wan", "serf_lan", "serf_wan"):
        if is_any(data.get(name)) and name.startswith("advertise"):
            continue
        problem, _ = _first_ip(name, data.get(name))
        if problem:
            yield _v((name,), problem, f"set {name} to one IP address")
    for name, want_v4 in (
        ("advertise_addr_ipv4", True),
        ("advertise_addr_ipv6", False),
        ("advertise_addr_wan_ipv4", True),
        ("advertise_addr_wan_ipv6", False),
    ):
        problem, address = _first_ip(name, data.get(name))
        if problem:
            yield _v((name,), problem, f"set {name} to one IP address")
        elif address is not None and _is_v4(address) != want_v4:
            family = "ipv4" if want_v4 else "ipv6"
            yield _v((name,), f"{name} must be an {family} address", f"set {name} to an {family} address")


@checks("agent-config")
def client_addresses(data: Any, context: Context) -> Iterator[Violation]:
    """client_addr: IP addresses only; addresses.*: IP addresses or unix sockets, DNS
    not a socket."""
    value = data.get("client_addr")
    if isinstance(value, str) and not is_template(value):
        for field in value.split():
            if field.startswith("unix://"):
                yield _v(
                    ("client_addr",), "client_addr cannot be a unix socket", "use addresses.http for a unix socket"
                )
                break
            if ip(field) is None:
                yield _v(("client_addr",), f"client_addr: invalid ip address: {field}", "list IP addresses")
                break
    addresses = data.get("addresses")
    if not isinstance(addresses, dict):
        return
    dns_port = _port(data, "dns")
    for name, value in addresses.items():
        if not isinstance(value, str) or is_template(value):
            continue
        for field in value.split():
            if field.startswith("unix://"):
                if name == "dns" and (dns_port is None or dns_port > 0):
                    yield _v(
                        ("addresses", name),
                        "DNS address cannot be a unix socket",
                        "serve DNS on an IP address",
                    )
                    break
                continue
            if ip(field) is None:
                yield _v(("addresses", name), f"addresses.{name}: invalid ip address: {field}", "list IP addresses")
                break


@checks("agent-config")
def recursors(data: Any, context: Context) -> Iterator[Violation]:
    """recursors: no unix sockets, no ANY address."""
    value = data.get("recursors")
    for i, item in enumerate(value if isinstance(value, list) else [value] if isinstance(value, str) else []):
        if not isinstance(item, str) or is_template(item):
            continue
        path = ("recursors", i) if isinstance(value, list) else ("recursors",)
        for field in item.split():
            if field.startswith("unix://"):
                yield _v(path, f"DNS Recursors cannot be unix sockets: {field}", "use a DNS server's IP address")
                break
            if is_any(field):
                yield _v(path, "DNS recursor address cannot be 0.0.0.0, :: or [::]", "use a DNS server's IP address")
                break


def _port(data: Any, name: str) -> int | None:
    ports = data.get("ports")
    return integer(ports.get(name)) if isinstance(ports, dict) else None


@checks("agent-config")
def port_values(data: Any, context: Context) -> Iterator[Violation]:
    """ports.*: at most 65535; server and serf_lan enabled; min/max ranges in order."""
    ports = data.get("ports")
    if not isinstance(ports, dict):
        return
    for name, value in ports.items():
        number = integer(value)
        if number is not None and number > 65535:
            yield _v(("ports", name), f"ports.{name}: invalid port: {number}", "use a port from 1 to 65535")
    for name, flag in (("server", "server-port"), ("serf_lan", "serf-lan-port")):
        number = integer(ports.get(name))
        if number is not None and number <= 0:
            yield _v(("ports", name), f"{flag} must be greater than zero", f"set ports.{name} to a port number")
    for low, high in PORT_RANGES:
        lo, hi = integer(ports.get(low)), integer(ports.get(high))
        if lo is None or hi is None:
            continue
        if max(hi, 0) < max(lo, 0) or (hi <= 0 < lo):
            yield _v(
                ("ports", high),
                f"{low} must be less than {high}. To disable, set both to zero.",
                f"set {high} above {low}, or both to zero",
            )


# -- two listeners on one address and port -------------------------------------------

CLIENT = "client_addr"  # the client address(es) the file does not write
ADVERTISE = "advertise"  # the advertise address the file does not write


def _listen_addrs(data: dict, name: str, client: list | None) -> list[tuple] | None:
    """makeAddrs for one client listener: (network, host, port) tuples; None when unknown."""
    port = _port(data, name)
    port = DEFAULT_PORTS.get(name, -1) if port is None else port
    addresses = data.get("addresses")
    written = addresses.get(name) if isinstance(addresses, dict) else None
    if isinstance(written, str) and written.strip():
        if is_template(written):
            return None
        hosts: list = written.split()
    elif client is None:
        return None
    else:
        hosts = client
    if port <= 0 or not hosts:
        return []
    out = []
    for host in hosts:
        if isinstance(host, str) and host.startswith("unix://"):
            out.append(("unix", host[len("unix://") :], None))
        else:
            address = ip(host) if isinstance(host, str) and host != CLIENT else None
            out.append(("tcp", str(address) if address is not None else host, port))
    return out


def _shown(addr: tuple) -> str:
    network, host, port = addr
    if network == "unix":
        return host
    if host == CLIENT:
        host = "127.0.0.1"
    if host == ADVERTISE:
        return f"<advertise address>:{port}"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _where(data: dict, name: str) -> tuple:
    """The key that made a listener: its port if written, else its address."""
    if isinstance(data.get("ports"), dict) and name in data["ports"]:
        return ("ports", name)
    if isinstance(data.get("addresses"), dict) and name in data["addresses"]:
        return ("addresses", name)
    return ("client_addr",) if "client_addr" in data else ("ports",)


@checks("agent-config")
def unique_listeners(data: Any, context: Context) -> Iterator[Violation]:
    """addrUnique: DNS, HTTP, HTTPS, RPC/Serf advertise addresses are pairwise distinct."""
    if not isinstance(data.get("ports"), dict):
        return  # only explicit ports can make two default listeners meet
    client_value = data.get("client_addr")
    if client_value is None:
        client: list | None = [CLIENT]
    elif isinstance(client_value, str) and not is_template(client_value):
        client = client_value.split()
    else:
        client = None
    listeners: list[tuple[str, str, list | None]] = [
        ("DNS", "dns", _listen_addrs(data, "dns", client)),
        ("HTTP", "http", _listen_addrs(data, "http", client)),
        ("HTTPS", "https", _listen_addrs(data, "https", client)),
    ]
    _, advertise = _first_ip("advertise_addr", data.get("advertise_addr"))
    lan = str(advertise) if advertise is not None else ADVERTISE
    if data.get("advertise_addr") is not None and advertise is None:
        return  # a template or an error reported elsewhere
    _, wan_address = _first_ip("advertise_addr_wan", data.get("advertise_addr_wan"))
    wan = str(wan_address) if wan_address is not None else lan
    for label, name, host in (("RPC Advertise", "server", lan), ("Serf Advertise LAN", "serf_lan", lan)):
        port = _port(data, name)
        port = DEFAULT_PORTS[name] if port is None else port
        listeners.append((label, name, [("tcp", host, port)] if port > 0 else []))
    wan_port = _port(data, "serf_wan")
    wan_port = DEFAULT_PORTS["serf_wan"] if wan_port is None else wan_port
    if wan_port > 0:
        listeners.append(("Serf Advertise WAN", "serf_wan", [("tcp", wan, wan_port)]))
    in_use: dict[tuple, str] = {}
    for label, name, addrs in listeners:
        for addr in addrs or ():
            other = in_use.get(addr)
            if other is not None:
                yield Violation(
                    "conflict",
                    _where(data, name),
                    f"{label} address {_shown(addr)} already configured for {other}",
                    f"give {label} its own port or address",
                )
                return
            in_use[addr] = label
