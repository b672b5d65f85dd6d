"""Verify (and, for tests, create) ACS3-HMAC-SHA256 signatures, stdlib only.

Written from the algorithm in docs sdk-and-queue.md A3, independently of the SDK, so contract tests check the
SDK's real signatures against a second implementation.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from dataworks_client.emulator.errors import ApiError

ALGORITHM = "ACS3-HMAC-SHA256"
# Headers a signature must cover, or an attacker could replay it with another action, host or body.
REQUIRED_SIGNED = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce")


class SignatureError(ApiError):
    """The request is not signed correctly; carries the DataWorks-style status and code to answer with."""


@dataclass(frozen=True)
class Verified:
    access_key_id: str
    signed_headers: tuple[str, ...]


def hex_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_query(query_string: str) -> str:
    """Sort query pairs and percent-encode values with only unreserved characters left as they are."""
    pairs = sorted(parse_qsl(query_string, keep_blank_values=True))
    return "&".join(f"{key}={quote(value, safe='~')}" for key, value in pairs)


def string_to_sign(
    *,
    algorithm: str,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    payload_hash: str,
) -> str:
    """Build the ACS3 string to sign; `headers` must be keyed by lower-cased name."""
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query(query_string),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )
    return f"{algorithm}\n{hex_sha256(canonical_request.encode('utf-8'))}"


def _parse_authorization(value: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = value.strip().partition(" ")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key] = val
    return algorithm, parts


def verify(
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
) -> Verified:
    """Check a request's Authorization header, content hash and signature.

    `headers` must be keyed by lower-cased name; `target` is the raw request target (path and query).

    :raises SignatureError: with the status and code DataWorks would answer.
    """
    authorization = headers.get("authorization", "")
    if not authorization:
        raise SignatureError(400, "MissingAuthorization", "The Authorization header is missing.")
    algorithm, parts = _parse_authorization(authorization)
    if algorithm != ALGORITHM:
        raise SignatureError(400, "IncompleteSignature", f"Unsupported signature algorithm {algorithm!r}.")
    access_key_id = parts.get("Credential", "")
    signed = tuple(filter(None, parts.get("SignedHeaders", "").split(";")))
    signature = parts.get("Signature", "")
    if not access_key_id or not signed or not signature:
        raise SignatureError(400, "IncompleteSignature", "The Authorization header is incomplete.")
    missing = [name for name in REQUIRED_SIGNED if name not in signed]
    if missing:
        raise SignatureError(400, "IncompleteSignature", f"Headers not signed: {', '.join(missing)}.")
    payload_hash = hex_sha256(body)
    if not hmac.compare_digest(headers.get("x-acs-content-sha256", ""), payload_hash):
        raise SignatureError(400, "SignatureDoesNotMatch", "x-acs-content-sha256 does not match the body.")
    secret = secret_for(access_key_id)
    if secret is None:
        raise SignatureError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    path, _, query_string = target.partition("?")
    expected = sign(
        secret,
        string_to_sign(
            algorithm=algorithm,
            method=method,
            path=path,
            query_string=query_string,
            headers=headers,
            signed_headers=signed,
            payload_hash=payload_hash,
        ),
    )
    if not hmac.compare_digest(expected, signature.lower()):
        raise SignatureError(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
    return Verified(access_key_id=access_key_id, signed_headers=signed)


def sign(secret: str, to_sign: str) -> str:
    """Return the hex HMAC-SHA256 of the string to sign, keyed with the AccessKey secret."""
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(
    *, access_key_id: str, secret: str, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> str:
    """Sign a request the way the SDK does (every given header signed) and return its Authorization value."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = tuple(sorted(lowered))
    path, _, query_string = target.partition("?")
    to_sign = string_to_sign(
        algorithm=ALGORITHM,
        method=method,
        path=path,
        query_string=query_string,
        headers=lowered,
        signed_headers=signed,
        payload_hash=hex_sha256(body),
    )
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(signed)},Signature={sign(secret, to_sign)}"
