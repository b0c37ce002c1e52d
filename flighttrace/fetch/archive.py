"""The archive: response bodies saved exactly as they came, with a custody log.

An :class:`Archive` is a folder. Every body is streamed from the socket
(``response.raw`` with ``decode_content=False``, so a gzip body stays gzip)
into a temporary file at the archive root, hashed (SHA-256) and counted
while it streams, ``fsync``-ed, checked, then given its name: a crash or a
cut connection leaves no half file under a real name. The saved file is
made read-only. One custody entry is appended per request (see
:mod:`flighttrace.fetch.custody`).

The archive only grows. A body is never written over an existing file: a
refreshed body, or one fetched again because the archived copy changed, is
saved beside the earlier file under a versioned name (``NAME.v2.json``; see
:mod:`flighttrace.fetch.store`), unless it has the very same bytes as the
file already there. A body that fails its checks (empty, an HTML page, a
damaged or cut gzip, not JSON, shorter than its ``Content-Length``, or not
complete within the call's deadline) is logged as ``failed`` with the
reason, kept in ``quarantine/`` (never beside the evidence) and asked for
again on the next run.

File names are built only from validated request parameters (an ICAO
address, a date, an airport code, epoch seconds) by the fetchers, never from
anything the server sends: a ``Content-Disposition`` header or a JSON field
holding ``../`` is never used for a path, and :func:`safe_join` refuses any
path that would leave the folder.

The cache is keyed by the canonical request (method, URL, sorted query
parameters; credentials and headers excluded). A request whose latest
``fetch`` or ``missing`` entry is in the log, with the file still matching
its logged SHA-256, is answered from the archive (``cache-hit``) unless
``refresh=True``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
import urllib3.exceptions as u3

from flighttrace.fetch._validate import safe_join
from flighttrace.fetch.bodycheck import json_body_problem, length_problem
from flighttrace.fetch.custody import CustodyError, CustodyLog, utc_now_iso
from flighttrace.fetch.http import DeadlineExceeded, HttpClient, redact, redact_url
from flighttrace.fetch.store import place, quarantine_relpath
from flighttrace.hashing import sha256_file

__all__ = [
    "BODY_ATTEMPTS",
    "CHUNK_BYTES",
    "ERROR_BODY_MAX_BYTES",
    "SUMMARY_KEYS",
    "Archive",
    "Auth",
    "AuthError",
    "FetchError",
    "FetchResult",
    "Request",
    "canonical_request",
    "load_json",
    "request_key",
]

CHUNK_BYTES: Final = 64 * 1024
"""Bytes read from the socket per step while a body streams to disk."""
BODY_ATTEMPTS: Final = 2
"""Whole-request attempts when the body transfer itself fails (cut, stalled)."""
ERROR_BODY_MAX_BYTES: Final = 64 * 1024
"""Most bytes of an error answer (404, 500 …) read to hash and size it; not kept."""
_HEADER_MAX_CHARS: Final = 200
"""Longest response-header value copied into the custody log (characters)."""
_KEPT_HEADERS: Final = (
    "Date",
    "Last-Modified",
    "ETag",
    "Content-Length",
    "Content-Disposition",
    "Server",
    "X-Rate-Limit-Remaining",
)
"""Response headers worth keeping as provenance (never ``Set-Cookie`` or auth)."""

SUMMARY_KEYS: Final = {"fetch": "fetched", "cache-hit": "cached", "missing": "missing", "failed": "failed"}
"""Custody action → summary column."""


class FetchError(RuntimeError):
    """A fetch that cannot go on (the CLI prints it as one line)."""


class AuthError(FetchError):
    """The server refused the credentials even with a fresh token."""


class Auth(Protocol):
    """Supplies request headers and can be told they stopped working."""

    def headers(self) -> dict[str, str]:
        """Headers to send (for example ``Authorization: Bearer …``)."""
        ...

    def invalidate(self) -> None:
        """Forget the current token: the server answered 401."""
        ...


def canonical_request(method: str, url: str, params: Sequence[tuple[str, str]] = ()) -> str:
    """The canonical text of a request: ``METHOD URL?sorted-params``.

    User information in the URL and secret-looking query parameters are
    left out (see :func:`~flighttrace.fetch.http.redact_url`).

    Examples
    --------
    >>> canonical_request("get", "https://h/api/flights/aircraft", [("end", "2"), ("begin", "1")])
    'GET https://h/api/flights/aircraft?begin=1&end=2'
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    base = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", "", ""))
    query = urlencode(sorted((str(k), str(v)) for k, v in params))
    return redact_url(f"{method.upper()} {base}" + (f"?{query}" if query else ""))


def request_key(method: str, url: str, params: Sequence[tuple[str, str]] = ()) -> str:
    """SHA-256 (hex) of :func:`canonical_request`: the cache key."""
    return hashlib.sha256(canonical_request(method, url, params).encode("utf-8")).hexdigest()


@dataclass(eq=False)
class Request:
    """One request and where its body goes.

    Parameters
    ----------
    url
        The URL without query string.
    relpath
        Where to save the body, relative to the archive root, ``/``
        separated; built from validated parameters only.
    source
        ``"opensky"``, ``"globe"`` or ``"v2"``.
    params
        Query parameters, in the order sent.
    logical
        The parameters as the user gave them (hex, date, airport …), logged.
    cacheable
        ``False`` for live data: each call is a new capture.
    expect_types
        Content types the body should have; another type is noted (the body
        is kept anyway when it passes its checks).
    expect_json
        The body must be JSON, plain or gzip-compressed; anything else
        (empty, HTML, damaged gzip) is quarantined and logged as failed.
    missing_note
        The note for a 404 with an empty body.
    method
        HTTP method.
    """

    url: str
    relpath: str
    source: str
    params: tuple[tuple[str, str], ...] = ()
    logical: Mapping[str, Any] = field(default_factory=dict)
    cacheable: bool = True
    expect_types: tuple[str, ...] = ("application/json",)
    expect_json: bool = True
    missing_note: str = "not found (HTTP 404 with an empty body)"
    method: str = "GET"

    @property
    def key(self) -> str:
        """The cache key (:func:`request_key`)."""
        return request_key(self.method, self.url, self.params)

    @property
    def logged_url(self) -> str:
        """The full URL with query, as written to the log (no credentials)."""
        query = urlencode(list(self.params))
        return redact_url(self.url + (f"?{query}" if query else ""))


@dataclass
class FetchResult:
    """What happened to one request.

    Attributes
    ----------
    action
        ``"fetch"``, ``"cache-hit"``, ``"missing"`` or ``"failed"``.
    request
        The request.
    path
        The saved (or cached) file, ``None`` when there is none.
    entry
        The custody entry written for it.
    """

    action: str
    request: Request
    path: Path | None
    entry: dict[str, Any]

    @property
    def status(self) -> int | None:
        """HTTP status (``None`` for a cache hit or a network error)."""
        return self.entry.get("status")

    @property
    def note(self) -> str:
        """The custody note."""
        return str(self.entry.get("note") or "")

    @property
    def sha256(self) -> str:
        """SHA-256 of the body as saved (empty when nothing was saved)."""
        return str(self.entry.get("sha256") or "")


def load_json(path: str | os.PathLike[str]) -> Any:
    """Parse a saved JSON body, gunzipping it first when it is gzip.

    Raises
    ------
    ValueError
        When the file is not (gzip-compressed) JSON, or is truncated.
    """
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{Path(path).name}: the gzip body is damaged or cut short ({exc})") from None
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ValueError(f"{Path(path).name}: not valid JSON ({exc})") from None


def _describe(exc: BaseException, read_timeout_s: float) -> str:
    if isinstance(exc, DeadlineExceeded):
        return f"no complete answer within the {exc.seconds:g} s deadline (connect, headers and body)"
    reason: BaseException = exc
    if isinstance(exc, requests.RequestException) and exc.args and isinstance(exc.args[0], u3.MaxRetryError):
        reason = exc.args[0].reason or exc
    if isinstance(reason, u3.NewConnectionError):  # before timeouts: urllib3 makes it a ConnectTimeoutError subclass
        return f"could not connect ({redact(reason)[:200]})"
    if isinstance(reason, (u3.ReadTimeoutError, requests.ReadTimeout)):
        return f"read timed out: no data within {read_timeout_s:g} s (retries exhausted)"
    if isinstance(reason, (u3.ConnectTimeoutError, requests.ConnectTimeout)):
        return "connection timed out (retries exhausted)"
    if isinstance(reason, (u3.ProtocolError, requests.exceptions.ChunkedEncodingError)) or "IncompleteRead" in repr(reason):
        return "the transfer ended early (body cut short)"
    if isinstance(reason, (u3.NewConnectionError, requests.ConnectionError)):
        return f"could not connect ({redact(reason)[:200]})"
    return f"{type(reason).__name__}: {redact(reason)[:300]}"


class Archive:
    """A folder of fetched bodies with its custody log.

    Parameters
    ----------
    root
        The archive folder (created when missing).
    client
        The HTTP client; a default :class:`~flighttrace.fetch.http.HttpClient`
        otherwise.
    operator
        Who is fetching, written into every custody entry.
    refresh
        Ask the server again even for requests already in the archive.

    Attributes
    ----------
    results : list of FetchResult
        Every request made through :meth:`fetch`, in order.

    Examples
    --------
    >>> arc = Archive("evidence/", operator="J. Doe")                     # doctest: +SKIP
    >>> from flighttrace.fetch.globe import fetch_globe                    # doctest: +SKIP
    >>> fetch_globe(arc, "600864", "2023-09-01", "2023-09-03", base_url=URL)  # doctest: +SKIP
    >>> arc.counts()                                                       # doctest: +SKIP
    {'fetched': 3, 'cached': 0, 'missing': 0, 'failed': 0}
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        client: HttpClient | None = None,
        operator: str | None = None,
        refresh: bool = False,
    ) -> None:
        self.root = Path(root)
        self.client = client if client is not None else HttpClient()
        self.custody = CustodyLog(self.root, operator=operator)
        self.refresh = refresh
        self.results: list[FetchResult] = []
        self._index: dict[str, dict[str, Any]] | None = None
        self._custody_checked = False

    # -- summary ----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Requests by outcome: ``fetched``, ``cached``, ``missing``, ``failed``."""
        out = dict.fromkeys(SUMMARY_KEYS.values(), 0)
        for r in self.results:
            out[SUMMARY_KEYS[r.action]] += 1
        return out

    # -- internals ------------------------------------------------------------------
    def _cache(self) -> dict[str, dict[str, Any]]:
        if self._index is None:
            self._index = self.custody.cache_index()
        return self._index

    def _check_custody(self) -> None:
        if not self._custody_checked:
            try:
                self.custody.check()
            except CustodyError as exc:
                raise FetchError(str(exc)) from None
            self._custody_checked = True

    def _log(self, req: Request, action: str, file: Path | None, *, count: bool = True, **fields: Any) -> FetchResult:
        """Append a custody entry; ``count=False`` for an attempt that another attempt follows."""
        entry = self.custody.append(
            action=action,
            source=req.source,
            method=req.method,
            url=req.logged_url,
            params=dict(req.logical) if req.logical else dict(req.params),
            request_key=req.key,
            **fields,
        )
        if action in ("fetch", "missing") and req.cacheable:
            self._cache()[req.key] = entry
        result = FetchResult(action=action, request=req, path=file, entry=entry)
        if count:
            self.results.append(result)
        return result

    def _from_cache(self, req: Request) -> tuple[FetchResult | None, str]:
        hit = self._cache().get(req.key)
        if hit is None:
            return None, ""
        if hit.get("action") == "missing":
            note = f"answered from the archive: the server had nothing on {hit.get('retrieved_at')} (entry {hit.get('id')})"
            return self._log(req, "cache-hit", None, ref=hit.get("id", ""), status=hit.get("status"), note=note), ""
        rel = str(hit.get("path") or "")
        f = self.root / rel if rel else None
        if f is None or not f.is_file():
            return None, f"the archived copy {rel} was gone; fetched again"
        sha = sha256_file(f)
        if sha != hit.get("sha256"):
            return None, f"the archived copy {rel} no longer matched entry {hit.get('id')}; fetched again"
        res = self._log(
            req,
            "cache-hit",
            f,
            ref=hit.get("id", ""),
            status=hit.get("status"),
            content_type=hit.get("content_type", ""),
            content_encoding=hit.get("content_encoding", ""),
            size_bytes=f.stat().st_size,
            sha256=sha,
            path=rel,
            note=f"answered from the archive (fetched {hit.get('retrieved_at')}, entry {hit.get('id')})",
        )
        return res, ""

    @staticmethod
    def _drain(resp: requests.Response) -> tuple[int, str]:
        h = hashlib.sha256()
        size = 0
        try:
            while size < ERROR_BODY_MAX_BYTES:
                chunk = resp.raw.read(min(CHUNK_BYTES, ERROR_BODY_MAX_BYTES - size), decode_content=False)
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
        except (u3.HTTPError, requests.RequestException, OSError):
            pass
        finally:
            HttpClient.release(resp)
        return size, h.hexdigest()

    @staticmethod
    def _headers(resp: requests.Response) -> dict[str, str]:
        return {k: redact(resp.headers[k])[:_HEADER_MAX_CHARS] for k in _KEPT_HEADERS if k in resp.headers}

    def _send(self, req: Request, auth: Auth | None) -> requests.Response:
        headers = auth.headers() if auth is not None else {}
        resp = self.client.request(req.method, req.url, params=list(req.params), headers=headers)
        if resp.status_code == 401 and auth is not None:
            HttpClient.release(resp)
            auth.invalidate()
            resp = self.client.request(req.method, req.url, params=list(req.params), headers=auth.headers())
        return resp

    # -- receiving a body -------------------------------------------------------------
    def _stream(self, resp: requests.Response, fh: Any) -> tuple[int, str, str]:
        """Copy the raw body into ``fh``: ``(bytes, sha256, why it is incomplete or "")``."""
        h = hashlib.sha256()
        size = 0
        error = ""
        try:
            while chunk := resp.raw.read(CHUNK_BYTES, decode_content=False):
                h.update(chunk)
                fh.write(chunk)
                size += len(chunk)
        except (u3.HTTPError, requests.RequestException, OSError) as exc:
            error = _describe(exc, self.client.timeout[1])
        finally:
            late = HttpClient.release(resp)
        if late:  # the deadline cut the connection: whatever arrived is incomplete
            error = _describe(DeadlineExceeded(self.client.deadline_s), self.client.timeout[1])
        return size, h.hexdigest(), error or length_problem(size, resp.headers.get("Content-Length"))

    def _keep(self, req: Request, tmp: Path, target: Path, size: int, sha: str, note: str, common: dict[str, Any]) -> FetchResult:
        """Name a good body (never over an existing file) and log it as fetched."""
        earlier = self._cache().get(req.key) if req.cacheable else None
        old = self.root / str(earlier.get("path") or "") if earlier and earlier.get("action") == "fetch" and earlier.get("path") else None
        if old is not None and earlier is not None and earlier.get("sha256") == sha and old.is_file() and sha256_file(old) == sha:
            tmp.unlink()
            final, how = old, f"the same bytes as entry {earlier.get('seq') or earlier.get('id')}: no new file"
        else:
            final = place(tmp, target)
            how = "" if final == target else f"{target.name} already exists and stays as it is; this body was saved beside it as {final.name}"
        rel = final.relative_to(self.root).as_posix()
        return self._log(req, "fetch", final, size_bytes=size, sha256=sha, path=rel, note="; ".join(p for p in (note, how) if p), **common)

    def _receive(self, req: Request, resp: requests.Response, target: Path, note: str, common: dict[str, Any], final: bool) -> FetchResult | str:
        """Stream, check and keep or quarantine a 2xx body.

        Returns the result, or (for a cut or late body when another attempt
        follows) the reason, after logging the attempt and quarantining its bytes.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                size, sha, cut = self._stream(resp, fh)
                fh.flush()
                os.fsync(fh.fileno())
            problem = cut or (json_body_problem(tmp) if req.expect_json else "")
            if not problem:
                base = str(common["content_type"]).split(";", 1)[0].strip().lower()
                if req.expect_types and base not in req.expect_types:
                    shown = base or "none"
                    note = "; ".join(p for p in (note, f"unexpected content type {shown!r} (expected {' or '.join(req.expect_types)}); body kept as received") if p)
                return self._keep(req, tmp, target, size, sha, note, common)
            q = place(tmp, safe_join(self.root, quarantine_relpath(req.relpath)))
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        qrel = q.relative_to(self.root).as_posix()
        kept = f"{size} bytes received, kept in quarantine as {qrel}"
        if cut and not final:
            self._log(req, "failed", None, count=False, size_bytes=size, sha256=sha, path=qrel, note="; ".join(p for p in (note, cut, kept, "asked again") if p), **common)
            return cut
        return self._log(req, "failed", None, size_bytes=size, sha256=sha, path=qrel, note="; ".join(p for p in (note, problem, kept) if p), **common)

    # -- the one public operation ----------------------------------------------------------------
    def fetch(self, req: Request, *, auth: Auth | None = None) -> FetchResult:
        """Fetch one request into the archive (or answer it from the archive).

        Parameters
        ----------
        req
            The request and its target path.
        auth
            Supplies an ``Authorization`` header; on a 401 it is invalidated
            once and the call repeated with a fresh token.

        Returns
        -------
        FetchResult
            ``fetch`` (body saved), ``cache-hit``, ``missing`` (404) or
            ``failed`` (network error, server error, 429 over the wait cap,
            4xx, a body cut short, late or failing its checks; such a body is
            kept in quarantine). A failure is recorded, not raised, so one
            bad day does not stop a fleet's run.

        Raises
        ------
        AuthError
            When the server still answers 401 with a fresh token (after the
            failure is recorded).
        FetchError
            When the custody log no longer matches its head record: nothing
            is asked and nothing written.
        """
        self._check_custody()
        target = safe_join(self.root, req.relpath)
        prefix = ""
        if req.cacheable and not self.refresh:
            cached, prefix = self._from_cache(req)
            if cached is not None:
                return cached
        elif req.cacheable and self.refresh and req.key in self._cache():
            prefix = f"asked again (refresh); previous entry {self._cache()[req.key].get('id')}"

        def note(*parts: str) -> str:
            return "; ".join(p for p in (prefix, *parts) if p)

        last_error = ""
        for attempt in range(1, BODY_ATTEMPTS + 1):
            retrieved_at = utc_now_iso()
            try:
                resp = self._send(req, auth)
            except (requests.RequestException, u3.HTTPError) as exc:
                last_error = _describe(exc, self.client.timeout[1])
                if isinstance(exc, DeadlineExceeded):
                    continue  # like a body cut short: the whole request is tried again
                break  # urllib3 already retried connection errors and timeouts
            common: dict[str, Any] = {
                "retrieved_at": retrieved_at,
                "status": resp.status_code,
                "content_type": resp.headers.get("Content-Type", ""),
                "content_encoding": resp.headers.get("Content-Encoding", ""),
                "response_headers": self._headers(resp),
            }
            redirected = f"redirected to {redact_url(resp.url)}" if resp.history else ""
            if 200 <= resp.status_code < 300:
                got = self._receive(req, resp, target, note(redirected), common, final=attempt == BODY_ATTEMPTS)
                if isinstance(got, FetchResult):
                    return got
                last_error = got
                continue
            return self._answer(req, resp, auth, note, redirected, common)
        return self._log(req, "failed", None, note=note(last_error or "failed"))

    def _answer(
        self, req: Request, resp: requests.Response, auth: Auth | None, note: Callable[..., str], redirected: str, common: dict[str, Any]
    ) -> FetchResult:
        """Log a non-2xx answer: missing (404) or failed."""
        status = resp.status_code
        size, sha = self._drain(resp)
        if status == 404:
            what = req.missing_note if size == 0 else f"not found (HTTP 404; its {size}-byte body was not kept)"
            return self._log(req, "missing", None, size_bytes=size, sha256=sha if size else "", note=note(what), **common)
        if status == 429:
            after = getattr(resp, "flighttrace_retry_after", None)
            asked = "no wait named" if after is None else f"the server asks to wait {after:g} s"
            why = f"rate limited (HTTP 429): {asked}; this run waits at most {self.client.max_retry_after_s:g} s per call. Try again later"
        elif status == 401 and auth is not None:
            self._log(req, "failed", None, note=note("HTTP 401: credentials refused even with a fresh token"), **common)
            raise AuthError("the server refused the credentials (HTTP 401) even with a fresh token; check the client id and secret")
        elif status >= 500:
            why = f"server error HTTP {status} (retries exhausted)"
        else:
            why = f"HTTP {status}"
        return self._log(req, "failed", None, size_bytes=size, sha256=sha if size else "", note=note(why, redirected), **common)
