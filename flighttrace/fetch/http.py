"""A polite, patient HTTP client for fetching evidence.

One :class:`HttpClient` wraps a :class:`requests.Session` with:

* urllib3 :class:`~urllib3.util.Retry` for connection errors, read timeouts
  and 5xx answers, with exponential backoff;
* explicit ``(connect, read)`` timeouts on every call, and an overall
  deadline per call (connect, headers and the whole body, see
  :mod:`flighttrace.fetch.deadline`): a server that trickles a byte at a
  time cannot hold a request beyond it;
* a minimum interval between two calls to the same host, so a run never
  hammers a server;
* HTTP 429 handling that waits as long as ``X-Rate-Limit-Retry-After-Seconds``
  (OpenSky) or ``Retry-After`` says, up to :data:`MAX_RETRY_AFTER_S`; when the
  server asks for longer, the 429 is returned and recorded as a failure
  instead of blocking the run for hours;
* injectable ``sleep`` and ``clock`` callables: tests check every wait
  (:attr:`HttpClient.waits`) without sleeping.

Secrets (client secrets, access tokens) registered with
:func:`register_secret` are replaced by ``***`` in every message
:func:`redact` builds.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.util.retry import Retry

from flighttrace._version import __version__
from flighttrace.fetch.deadline import Deadline, DeadlineAdapter, DeadlinePassed

__all__ = [
    "BACKOFF_FACTOR_S",
    "BACKOFF_MAX_S",
    "CONNECT_TIMEOUT_S",
    "DEADLINE_S",
    "DEFAULT_RATE_LIMIT_WAIT_S",
    "MAX_RETRY_AFTER_S",
    "MIN_INTERVAL_S",
    "RATE_LIMIT_RETRIES",
    "READ_TIMEOUT_S",
    "RETRIES",
    "RETRY_STATUSES",
    "USER_AGENT",
    "DeadlineExceeded",
    "HttpClient",
    "Wait",
    "redact",
    "redact_url",
    "register_secret",
    "retry_after_seconds",
]

CONNECT_TIMEOUT_S: Final = 10.0
"""Seconds to wait for a TCP connection (and TLS handshake)."""
READ_TIMEOUT_S: Final = 60.0
"""Seconds to wait for the server between two received bytes."""
DEADLINE_S: Final = 600.0
"""Longest time (s) one call may take, from connecting to the last byte of
its body; past it the call fails (and is retried like a cut transfer)."""
MIN_INTERVAL_S: Final = 1.0
"""Minimum seconds between the starts of two calls to the same host."""
MAX_RETRY_AFTER_S: Final = 300.0
"""Longest wait (s) a 429 answer may impose before the call is retried; a
longer request ends the call as failed ("try again later"). A 503's
``Retry-After`` is capped at this value."""
DEFAULT_RATE_LIMIT_WAIT_S: Final = 60.0
"""Seconds to wait after a 429 that names no wait."""
RETRIES: Final = 3
"""Retries after a connection error, a read timeout or a 5xx answer."""
BACKOFF_FACTOR_S: Final = 1.0
"""Backoff base (s): the n-th consecutive retry waits ``BACKOFF_FACTOR_S * 2**(n-1)``
(urllib3 retries the first one at once)."""
BACKOFF_MAX_S: Final = 60.0
"""Longest backoff between two retries (s)."""
RATE_LIMIT_RETRIES: Final = 3
"""How many times one call waits out a 429 before it is given up."""
RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})
"""Server errors that are retried with backoff."""
USER_AGENT: Final = f"flighttrace/{__version__} (evidence fetcher; +https://pypi.org/project/flighttrace/)"
"""Sent with every request, so server operators can tell who is calling."""

_RATE_LIMIT_HEADERS: Final = ("X-Rate-Limit-Retry-After-Seconds", "Retry-After")


class DeadlineExceeded(requests.exceptions.Timeout):
    """A call that was not over (connected, answered, body received) within its deadline.

    Parameters
    ----------
    seconds
        The deadline (s).
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the whole answer did not arrive within the {seconds:g} s deadline")
        self.seconds = float(seconds)


# --------------------------------------------------------------------------- secrets

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_MIN_SECRET_LEN: Final = 4
"""Shorter strings are not registered (they would blank out ordinary words)."""


def register_secret(value: str | None) -> None:
    """Remember a secret so that :func:`redact` removes it from messages.

    Parameters
    ----------
    value
        A client secret, an access token, a password; ignored when empty or
        shorter than 4 characters.
    """
    if value and len(value) >= _MIN_SECRET_LEN:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def redact(text: object) -> str:
    """``str(text)`` with every registered secret and URL password replaced by ``***``.

    Parameters
    ----------
    text
        A message, an exception, a URL.

    Returns
    -------
    str
        The text, safe to print or log.
    """
    s = str(text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in s:
            s = s.replace(secret, "***")
    return re.sub(r"(?<=://)[^/@\s:]*:[^/@\s]*@", "***@", s)


_SENSITIVE_PARAM: Final = re.compile(r"(?i)(secret|token|password|passwd|api[-_]?key|apikey|auth|key)$")


def redact_url(url: str) -> str:
    """A URL without user information (``user:password@``) or secret-looking query values.

    Parameters
    ----------
    url
        Any URL.

    Returns
    -------
    str
        The URL as it may be logged.
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        kept = []
        for pair in query.split("&"):
            name = pair.split("=", 1)[0]
            kept.append(f"{name}=***" if _SENSITIVE_PARAM.search(name) else pair)
        query = "&".join(kept)
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


# --------------------------------------------------------------------------- waits


@dataclass(frozen=True)
class Wait:
    """One pause the client made.

    Attributes
    ----------
    host
        ``host:port`` the pause was for.
    seconds
        How long (s).
    reason
        ``"interval"`` (minimum interval between calls), ``"rate-limit"``
        (a 429), ``"retry-after"`` (a 503 with ``Retry-After``) or
        ``"backoff"`` (between retries).
    """

    host: str
    seconds: float
    reason: str


def retry_after_seconds(headers: Mapping[str, str], *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds a rate-limited answer asks the client to wait.

    Parameters
    ----------
    headers
        Response headers (case-insensitive mapping).
    now
        Wall-clock time (s since the epoch), for an HTTP-date ``Retry-After``.

    Returns
    -------
    float or None
        From ``X-Rate-Limit-Retry-After-Seconds`` (OpenSky), else
        ``Retry-After`` (seconds or an HTTP date); ``None`` when neither is
        present or readable.
    """
    for name in _RATE_LIMIT_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            return max(0.0, email.utils.mktime_tz(parsed) - now())
    return None


class _Retry(Retry):
    """urllib3 ``Retry`` whose pauses go through an injected ``sleep`` and are recorded.

    429 is left to :meth:`HttpClient.request` (it knows OpenSky's header and
    the wait cap); urllib3 honours ``Retry-After`` only on a 503.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def __init__(self, *args: Any, on_sleep: Callable[[float, str], None] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._on_sleep = on_sleep

    def new(self, **kw: Any) -> _Retry:
        r = super().new(**kw)
        r._on_sleep = self._on_sleep
        return r

    def sleep(self, response: Any = None) -> None:
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                self._pause(after, "retry-after")
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._pause(backoff, "backoff")

    def _pause(self, seconds: float, reason: str) -> None:
        if self._on_sleep is not None:
            self._on_sleep(seconds, reason)
        else:  # pragma: no cover - the client always injects one
            time.sleep(seconds)


class HttpClient:
    """A requests session with retries, timeouts, pacing and 429 handling.

    Parameters
    ----------
    connect_timeout_s, read_timeout_s
        Timeouts (s) passed with every call.
    deadline_s
        Longest time (s) one call may take in all: connecting, the headers
        and, for a streamed answer, the whole body until :meth:`release`.
    min_interval_s
        Minimum seconds between the starts of two calls to the same host.
    max_retry_after_s
        Longest wait (s) a 429 (or 503 ``Retry-After``) may impose; a longer
        request returns the 429 to the caller.
    retries
        Retries after connection errors, read timeouts and 5xx answers.
    backoff_factor_s
        Backoff base (s) between those retries.
    rate_limit_retries
        How many 429s one call waits out.
    sleep
        ``sleep(seconds)``; :func:`time.sleep` by default. Tests inject a fake.
    clock
        Monotonic clock in seconds; :func:`time.monotonic` by default.
    user_agent
        The ``User-Agent`` header.

    Attributes
    ----------
    waits : list of Wait
        Every pause made, in order.
    calls : int
        Calls made through :meth:`request` (retries inside urllib3 not counted).

    Examples
    --------
    >>> with HttpClient(min_interval_s=2.0) as http:          # doctest: +SKIP
    ...     r = http.request("GET", "https://example.org/")
    """

    def __init__(
        self,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        deadline_s: float = DEADLINE_S,
        min_interval_s: float = MIN_INTERVAL_S,
        max_retry_after_s: float = MAX_RETRY_AFTER_S,
        retries: int = RETRIES,
        backoff_factor_s: float = BACKOFF_FACTOR_S,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if connect_timeout_s <= 0 or read_timeout_s <= 0 or deadline_s <= 0:
            raise ValueError("timeouts and the deadline must be positive")
        if min_interval_s < 0 or max_retry_after_s < 0:
            raise ValueError("min_interval_s and max_retry_after_s must not be negative")
        self.timeout: tuple[float, float] = (float(connect_timeout_s), float(read_timeout_s))
        self.deadline_s = float(deadline_s)
        self.min_interval_s = float(min_interval_s)
        self.max_retry_after_s = float(max_retry_after_s)
        self.rate_limit_retries = int(rate_limit_retries)
        self.sleep: Callable[[float], None] = sleep if sleep is not None else time.sleep
        self.clock: Callable[[], float] = clock if clock is not None else time.monotonic
        self.waits: list[Wait] = []
        self.calls = 0
        self._last_start: dict[str, float] = {}
        self._current_host = ""
        retry = _Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=5,
            allowed_methods=frozenset({"GET", "HEAD", "POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor_s,
            backoff_max=BACKOFF_MAX_S,
            retry_after_max=max_retry_after_s,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
            on_sleep=self._retry_sleep,
        )
        self.session = requests.Session()
        self.session.trust_env = True
        adapter = DeadlineAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip"})

    # -- context manager ------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    # -- waits ----------------------------------------------------------------------
    def _pause(self, host: str, seconds: float, reason: str) -> None:
        if seconds <= 0:
            return
        self.waits.append(Wait(host=host, seconds=float(seconds), reason=reason))
        self.sleep(seconds)

    def _retry_sleep(self, seconds: float, reason: str) -> None:
        self._pause(self._current_host, seconds, reason)

    def _pace(self, host: str) -> None:
        last = self._last_start.get(host)
        if last is not None and self.min_interval_s > 0:
            gap = self.clock() - last
            if gap < self.min_interval_s:
                self._pause(host, self.min_interval_s - gap, "interval")
        self._last_start[host] = self.clock()

    # -- calls ----------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        stream: bool = True,
    ) -> requests.Response:
        """Make one call, paced, retried, and waiting out 429s.

        Parameters
        ----------
        method
            ``"GET"`` or ``"POST"``.
        url
            The URL without query string.
        params
            Query parameters.
        headers
            Extra headers (``Authorization`` …); never logged.
        data
            Form body (the OAuth2 token request).
        stream
            Leave the body unread (read it from ``response.raw``).

        Returns
        -------
        requests.Response
            The final answer: a success, a 4xx, a 5xx after the retries ran
            out, or a 429 whose wait exceeded ``max_retry_after_s`` or that
            came back ``rate_limit_retries`` times. A 429 response carries
            the attribute ``flighttrace_retry_after`` (s, or ``None``). A
            streamed answer carries its running deadline as
            ``flighttrace_deadline``: read the body, then :meth:`release` it.

        Raises
        ------
        DeadlineExceeded
            When the deadline passed before the answer's headers arrived.
        requests.RequestException
            Connection errors and timeouts once the retries ran out.
        """
        parts = urlsplit(url)
        host = parts.netloc.rsplit("@", 1)[-1]
        attempt = 0
        while True:
            self._pace(host)
            self._current_host = host
            self.calls += 1
            resp = self._timed(method, url, params=params, headers=dict(headers or {}), data=data, stream=stream)
            if resp.status_code != 429:
                return resp
            self.release(resp)
            after = retry_after_seconds(resp.headers)
            resp.flighttrace_retry_after = after  # type: ignore[attr-defined]
            wait = DEFAULT_RATE_LIMIT_WAIT_S if after is None else after
            if attempt >= self.rate_limit_retries or wait > self.max_retry_after_s:
                return resp
            attempt += 1
            self._pause(host, wait, "rate-limit")

    def _timed(self, method: str, url: str, *, stream: bool, **kw: Any) -> requests.Response:
        """One ``session.request`` under a fresh :class:`Deadline`."""
        deadline = Deadline(self.deadline_s).start()
        try:
            with deadline.active():
                resp = self.session.request(method, url, stream=stream, timeout=self.timeout, **kw)
        except DeadlinePassed:
            deadline.cancel()
            raise DeadlineExceeded(self.deadline_s) from None
        except (requests.RequestException, OSError):
            deadline.cancel()
            if deadline.expired:
                raise DeadlineExceeded(self.deadline_s) from None
            raise
        if not stream:
            deadline.cancel()
            if deadline.expired:
                resp.close()
                raise DeadlineExceeded(self.deadline_s)
        resp.flighttrace_deadline = deadline  # type: ignore[attr-defined]
        return resp

    @staticmethod
    def release(resp: requests.Response) -> bool:
        """Close a response and stop its deadline.

        Returns
        -------
        bool
            ``True`` when the deadline had passed before (the body may be
            incomplete even if reading it raised nothing).
        """
        resp.close()
        deadline: Deadline | None = getattr(resp, "flighttrace_deadline", None)
        if deadline is None:
            return False
        deadline.cancel()
        return deadline.expired
