"""An overall deadline for one HTTP exchange: connect, headers and the whole body.

Socket timeouts bound each single wait, not the exchange: a server that
sends one byte every half second never trips a 60 s read timeout and can
hold a request for ever. A :class:`Deadline` is a timer started when a call
begins; every connection the call uses registers with it, and when the
timer runs out the registered sockets are shut down. The blocked read then
returns at once, the caller sees the body end early, and
:attr:`Deadline.expired` says why.

The hook is an :class:`~requests.adapters.HTTPAdapter` whose urllib3 pools
build connections that register themselves (:class:`DeadlineAdapter`); a
connection that would start after the deadline raises
:class:`DeadlinePassed`, which urllib3 does not retry.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "DeadlineAdapter", "DeadlinePassed", "current"]

_LOCAL = threading.local()
_OWNER: weakref.WeakKeyDictionary[socket.socket, Deadline] = weakref.WeakKeyDictionary()
"""Which deadline a socket answers to now (a kept-alive socket moves from call to call)."""


class DeadlinePassed(Exception):
    """A connection was about to be used after its call's deadline.

    Deliberately not an :class:`OSError`: urllib3 retries those, and there is
    no point in retrying a call whose time is up.
    """


class Deadline:
    """A timer that shuts down the sockets of one call when it runs out.

    Parameters
    ----------
    seconds
        The time allowed (s), from :meth:`start` until :meth:`cancel`.

    Attributes
    ----------
    expired : bool
        ``True`` once the time ran out (the call's sockets were shut down).
    """

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError("a deadline must be positive")
        self.seconds = float(seconds)
        self.expired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True  # a forgotten timer never keeps the program alive

    def start(self) -> Deadline:
        """Start the clock; returns ``self``."""
        self._timer.start()
        return self

    def cancel(self) -> None:
        """Stop the clock (the call finished); idempotent."""
        self._timer.cancel()
        with self._lock:
            self._socks.clear()

    @contextlib.contextmanager
    def active(self) -> Iterator[Deadline]:
        """Make this the deadline that connections opened in this thread register with."""
        previous = getattr(_LOCAL, "deadline", None)
        _LOCAL.deadline = self
        try:
            yield self
        finally:
            _LOCAL.deadline = previous

    def register(self, conn: Any) -> None:
        """Watch the socket of ``conn`` (a urllib3 connection) until the deadline or :meth:`cancel`.

        The socket itself is kept, not the connection: a response that ends
        with ``Connection: close`` takes the socket over from its connection.

        Raises
        ------
        DeadlinePassed
            When the deadline has already passed (the socket is shut down).
        """
        sock = getattr(conn, "sock", None)
        with self._lock:
            if sock is not None:
                _OWNER[sock] = self  # the latest call to use a kept-alive socket owns it
                if sock not in self._socks:
                    self._socks.append(sock)
            if self.expired:
                _shut(sock)
                raise DeadlinePassed(f"the {self.seconds:g} s deadline passed")

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                if _OWNER.get(sock) is self:  # not re-used by a later call since
                    _shut(sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def current() -> Deadline | None:
    """The deadline active in this thread, if any."""
    return getattr(_LOCAL, "deadline", None)


def _register(conn: Any) -> None:
    d = current()
    if d is not None:
        d.register(conn)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _register(self)  # no new connection once the time is up
        super().connect()
        _register(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)  # a kept-alive connection is re-used without connect()
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _register(self)
        super().connect()
        _register(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` whose connections obey :class:`Deadline`.

    Parameters are those of :class:`~requests.adapters.HTTPAdapter`.
    Connections through an HTTP(S) proxy are watched too; SOCKS proxies are
    not (their connections come from another pool class).
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager with watched connection pools."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The proxy manager for ``proxy``, with watched pools unless it is SOCKS."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager
