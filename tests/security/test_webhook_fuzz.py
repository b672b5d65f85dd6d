"""Property tests of the EventBridge webhook against hostile bodies, posted with the right token.

Every request must end in one of the documented answers, never a 5xx: 202/200 with the event stored whole, or a JSON
error `{"error": {"code", "message", "field"?}}` whose message names the problem, with nothing stored and nothing
queued. Eight tests below run `MAX_EXAMPLES` generated cases each, the two whose bodies reach 256 KiB and beyond run
`LARGE_BODY_EXAMPLES`, and the field-length test runs all `LENGTH_CASES` of its cases: `GENERATED_CASES` in all.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, TestCase
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from events.catalogue import lookup
from events.models import InboundEvent
from events.views import TOKEN_HEADER
from tests.conftest import WEBHOOK_URL, fixture_names, load_fixture
from tests.queue import clear_queue, queued_tasks

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 300
LARGE_BODY_EXAMPLES = 100
LENGTH_LIMITS = {"id": 128, "type": 200, "data.fileName": 512, "data.operator": 512, "data.eventCode": 100}
LENGTH_CASES = len(LENGTH_LIMITS) * 7  # each limit -3 .. +3: few enough to try every one
GENERATED_CASES = 8 * MAX_EXAMPLES + 2 * LARGE_BODY_EXAMPLES + LENGTH_CASES  # 2635

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
LARGE = settings(FUZZ, max_examples=LARGE_BODY_EXAMPLES)

MAX_INT64 = 2**63 - 1
FIXTURES = [load_fixture(name) for name in fixture_names()]
UNSTORABLE = r"NUL character|unpaired UTF-16 surrogate"


# --- Posting and the invariants every answer must keep ------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    queued: int  # tasks the request put on the real queue (with its transaction or after its commit)

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]


def post(client: Client, body: bytes) -> Answer:
    """Post raw bytes like EventBridge does and check what must hold of every answer."""
    InboundEvent.objects.all().delete()  # each example starts from an empty table (same test transaction)
    clear_queue()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.generic(
            "POST",
            WEBHOOK_URL,
            body,
            content_type="application/json",
            headers={TOKEN_HEADER: django_settings.EVENTBRIDGE_TOKEN},
        )
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"] == "application/json", response.content[:500]
    answer = Answer(response.status_code, json.loads(response.content), len(queued_tasks()))
    stored = list(InboundEvent.objects.all())
    if answer.status >= 400:
        error = answer.error
        assert isinstance(error.get("code"), str) and error["code"], answer.body
        assert isinstance(error.get("message"), str) and error["message"].strip(), answer.body
        assert stored == [], "a rejected body left a row behind"
        assert answer.queued == 0, "a rejected body queued work"
        if answer.status == 400:
            assert error["code"] == "invalid_event"
            assert isinstance(error.get("field"), str) and error["field"], answer.body
    else:
        assert answer.status in (200, 202), answer.body
        # The whole event or nothing: one row, holding exactly the bytes that were sent.
        assert len(stored) == 1
        [event] = stored
        assert event.raw_body == body.decode("utf-8")
        assert event.body_sha256 == hashlib.sha256(body).hexdigest()
        assert answer.body["event"] == event.pk
        assert answer.body["message_id"] == event.message_id
        assert answer.queued == (1 if event.gated else 0)
    return answer


def expect_rejected(answer: Answer, field: str, message: str) -> None:
    """Assert a 400 naming `field` (or a part of it: `field[i]`, `field.key`) with a message matching `message`."""
    assert answer.status == 400, answer.body
    got = answer.error["field"]
    assert got == field or got.startswith((f"{field}[", f"{field}.")), (field, answer.body)
    assert re.search(message, answer.error["message"]), (message, answer.body)


def dumps(value: Any, *, ascii_only: bool = True, compact: bool = False) -> bytes:
    separators = (",", ":") if compact else None
    return json.dumps(value, ensure_ascii=ascii_only, separators=separators).encode("utf-8")


def fresh(payload: dict[str, Any]) -> dict[str, Any]:
    """Return a deep copy of a fixture with a message ID of its own."""
    copy = json.loads(json.dumps(payload))
    copy["id"] = str(uuid.uuid4())
    return copy


# --- Strategies -----------------------------------------------------------------------------------------------------

unstorable_char = st.one_of(st.just("\x00"), st.integers(0xD800, 0xDFFF).map(chr))
plain_text = st.text(max_size=40)
hostile_text = st.one_of(
    plain_text,
    st.builds(lambda a, c, b: a + c + b, plain_text, unstorable_char, plain_text),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x}", "\u202e", "\ufeff", "🦆" * 3]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
small_int = st.integers(min_value=-(2**70), max_value=2**70)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_text, inner, max_size=4),
    max_leaves=10,
)
# Same shapes, but every string storable (no NUL, no lone surrogate): what a valid event may carry anywhere.
safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
safe_line = safe_text.filter(lambda s: all(ord(c) >= 32 for c in s))  # no control characters either
safe_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**100), max_value=2**100)
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(safe_text, inner, max_size=4),
    max_leaves=10,
)
# ISO 8601 with any offset, including instants with no UTC equivalent (9999-12-31T23:00-05:00).
any_time = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.one_of(
        st.datetimes(),
        st.datetimes(min_value=datetime(9999, 12, 31)),  # the edges of the calendar, where offsets overflow
        st.datetimes(max_value=datetime(1, 1, 1, 23, 59)),
    ),
    st.integers(-1439, 1439),
)
not_a_list = st.one_of(st.booleans(), small_int, hostile_text, st.dictionaries(plain_text, json_scalars, max_size=2))
not_a_string = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(json_scalars, max_size=3),
    st.dictionaries(plain_text, json_scalars, max_size=2),
)


def _is_valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        stripped = value.strip()
        if not (stripped.isascii() and stripped.isdigit() and len(stripped) <= 19):
            return False
        value = int(stripped)
    return isinstance(value, int) and 0 <= value <= MAX_INT64


valid_id = st.one_of(
    st.integers(0, MAX_INT64),
    st.builds(
        lambda n, pad_left, pad_right: f"{pad_left}{n}{pad_right}",
        st.integers(0, MAX_INT64),
        st.sampled_from(["", " ", "\u3000"]),
        st.sampled_from(["", " "]),
    ),
)
wrong_id = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),  # 5.0 included: an ID is never a float
    st.integers(min_value=-(2**200), max_value=-1),
    st.integers(min_value=MAX_INT64 + 1, max_value=2**200),
    st.integers(min_value=MAX_INT64 + 1, max_value=10**25).map(str),
    hostile_text.filter(lambda s: not _is_valid_id(s)),
    st.sampled_from(["\uff11\uff12\uff13", "\u0661\u0662", "12ab", "-1", "+1", "1e3", "0x10", ""]),
    st.lists(st.integers(0, 10), max_size=2),
    st.dictionaries(plain_text, json_scalars, max_size=2),
)


def too_long(limit: int) -> st.SearchStrategy[str]:
    return st.integers(limit + 1, limit + 3000).map(lambda n: "a" * n)


with_control_char = st.builds(
    lambda a, c, b: a + c + b, plain_text, st.sampled_from([chr(i) for i in range(1, 32)]), plain_text
)


@dataclass(frozen=True)
class Field:
    """A validated field: where it is, and what a wrong value for it looks like (with the message that names it)."""

    path: str
    wrong: st.SearchStrategy[Any]
    message: str


def _text_field(path: str, limit: int, *, ints_allowed: bool = False) -> Field:
    wrong = [not_a_string, too_long(limit), with_control_char]
    if not ints_allowed:
        wrong.append(small_int)
    return Field(path, st.one_of(*wrong), r"must be a string|longer than \d+ characters|control characters")


ID_FIELDS = ("projectId", "tenantId", "fileId", "nodeId", "fileVersion", "rootNodeId", "rootNodeProjectId")
ID_LIST_FIELDS = ("nodeIds", "includeNodeIds", "excludeNodeIds", "taskIds")
FIELDS = [
    _text_field("id", 128, ints_allowed=True),
    Field("source", st.one_of(hostile_text, not_a_string, small_int).filter(lambda v: v != "acs.dataworks"), ""),
    _text_field("type", 200),
    Field("data", st.one_of(not_a_string.filter(lambda v: not isinstance(v, dict)), small_int, hostile_text), ""),
    _text_field("specversion", 200),
    _text_field("time", 200),
    _text_field("subject", 200),
    _text_field("datacontenttype", 200),
    *(Field(f"data.{name}", wrong_id, r"\bID\b") for name in ID_FIELDS),
    *(
        Field(
            f"data.{name}",
            st.one_of(
                not_a_list,
                st.lists(valid_id, max_size=3).flatmap(
                    lambda ids: st.tuples(st.integers(0, len(ids)), wrong_id).map(
                        lambda pair: [*ids[: pair[0]], pair[1], *ids[pair[0] :]]
                    )
                ),
                st.integers(10_001, 10_050).map(lambda n: [1] * n),
            ),
            r"list of IDs|\bID\b|more than 10000 items",
        )
        for name in ID_LIST_FIELDS
    ),
    _text_field("data.operator", 512, ints_allowed=True),
    *(_text_field(f"data.{name}", 512) for name in ("fileName", "fileOwner", "extensionBizId", "tableName")),
    _text_field("data.eventCode", 100),
]
REQUIRED = ("id", "source", "type", "data")
# Every name the validator looks at: generated "extra" fields must not collide with them.
VALIDATED = {f.path.removeprefix("data.") for f in FIELDS} | {"eventCode"}
extra_key = safe_text.filter(lambda k: k not in VALIDATED)


def _set(payload: dict[str, Any], path: str, value: Any) -> None:
    target = payload
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[parent]
    target[leaf] = value


def _base_for(path: str) -> dict[str, Any]:
    # A fixture where the field is validated on its own: eventCode is compared with the type's code, so any other
    # non-empty string is wrong there too.
    return fresh(load_fixture("commit_file" if path != "data.nodeIds" else "freeze_node"))


# --- Properties -------------------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_a_wrong_value_in_any_validated_field_is_a_400_naming_that_field(client, data):
    field = data.draw(st.sampled_from(FIELDS), label="field")
    payload = _base_for(field.path)
    value = data.draw(field.wrong, label="value")
    if field.path == "data.eventCode":
        value = data.draw(st.one_of(st.just(value), hostile_text.filter(lambda s: s not in ("", "commit-file"))))
    _set(payload, field.path, value)

    answer = post(client, dumps(payload))

    expected = field.message or r"must be acs\.dataworks|must be a string|control characters|longer than|JSON object"
    if field.path == "data.eventCode":
        expected += r"|does not match type"
    if field.path in ("id", "type"):
        expected += r"|must not be empty"
    expect_rejected(answer, field.path, f"{expected}|{UNSTORABLE}")


@FUZZ
@given(data=st.data())
def test_a_missing_or_null_required_field_is_a_400_naming_it(client, data):
    payload = fresh(data.draw(st.sampled_from(FIXTURES)))
    missing = data.draw(st.sets(st.sampled_from(REQUIRED), min_size=1), label="missing")
    as_null = data.draw(st.booleans(), label="as_null")
    for name in missing:
        if as_null:
            payload[name] = None
        else:
            del payload[name]

    answer = post(client, dumps(payload))

    first = next(name for name in REQUIRED if name in missing)  # checked in this order
    expect_rejected(answer, first, r"is required")


@FUZZ
@given(data=st.data())
def test_valid_events_are_stored_whole_exactly_once_even_when_repeated(client, data):
    payload = fresh(data.draw(st.sampled_from(FIXTURES), label="fixture"))
    message_id = data.draw(
        st.one_of(
            st.uuids().map(str),
            st.integers(-(10**20), 10**20),
            safe_line.filter(lambda s: s.strip()),
        ),
        label="id",
    )
    payload["id"] = message_id
    iso_time = data.draw(st.one_of(st.none(), any_time), label="ISO time")
    payload["time"] = iso_time or data.draw(st.one_of(st.just(payload.get("time", "")), safe_line), label="time")
    for name in ID_FIELDS:
        if name in payload["data"]:
            payload["data"][name] = data.draw(valid_id, label=name)
    for name in ID_LIST_FIELDS:
        if name in payload["data"]:
            payload["data"][name] = data.draw(st.lists(valid_id, max_size=5), label=name)
    extra_envelope = data.draw(st.dictionaries(extra_key, safe_values, max_size=4), label="extra envelope")
    extra_data = data.draw(st.dictionaries(extra_key, safe_values, max_size=4), label="extra data")
    payload = {**extra_envelope, **payload}  # the fields that matter win over generated ones of the same name
    payload["data"] = {**extra_data, **payload["data"]}
    ascii_only, compact = data.draw(st.booleans()), data.draw(st.booleans())
    body = dumps(payload, ascii_only=ascii_only, compact=compact)
    repeats = data.draw(st.integers(1, 3), label="repeats")

    first = post(client, body)
    assert first.status == 202, first.body
    assert first.body["status"] == "accepted"
    event = InboundEvent.objects.get()
    spec = lookup(payload["type"], payload["data"].get("eventCode"))
    assert event.gated == bool(spec and spec.gated)
    assert event.message_id == str(message_id).strip()
    if "projectId" in payload["data"]:
        assert event.project_id == int(str(payload["data"]["projectId"]).strip())
    if iso_time:  # stored as the same instant, or (no UTC equivalent at the edge of the calendar) kept raw only
        moment = datetime.fromisoformat(iso_time)
        try:
            expected = moment.astimezone(UTC)
        except OverflowError:
            expected = None
        assert event.occurred_at == expected

    for _ in range(repeats):
        with TestCase.captureOnCommitCallbacks(execute=True):
            again = client.generic(
                "POST",
                WEBHOOK_URL,
                body,
                content_type="application/json",
                headers={TOKEN_HEADER: django_settings.EVENTBRIDGE_TOKEN},
            )
        assert again.status_code == 200, again.content
        assert again.json()["status"] == "duplicate"
        assert again.json()["event"] == event.pk
        assert len(queued_tasks()) == first.queued, "a repeated delivery queued work again"
    # A repeat with another payload under the same id changes nothing either: the first delivery is kept verbatim.
    payload["data"]["fileName"] = "changed"
    other = client.generic(
        "POST",
        WEBHOOK_URL,
        dumps(payload),
        content_type="application/json",
        headers={TOKEN_HEADER: django_settings.EVENTBRIDGE_TOKEN},
    )
    assert other.status_code == 200
    assert list(InboundEvent.objects.values_list("pk", "raw_body")) == [(event.pk, body.decode("utf-8"))]


@FUZZ
@given(data=st.data())
def test_extra_fields_of_any_shape_are_kept_unless_they_hold_unstorable_text(client, data):
    payload = fresh(data.draw(st.sampled_from(FIXTURES)))
    where = data.draw(st.sampled_from(["envelope", "data"]), label="where")
    taken = VALIDATED | set(payload) | set(payload["data"])
    key = data.draw(plain_text.filter(lambda k: k not in taken), label="key")
    value = data.draw(json_values, label="value")
    (payload if where == "envelope" else payload["data"])[key] = value

    answer = post(client, dumps(payload))

    if _unstorable({key: value}):
        assert answer.status == 400, answer.body
        assert re.search(UNSTORABLE, answer.error["message"]), answer.body
        # The field names where it is: inside the extra value, or the object holding a bad key.
        field = answer.error["field"]
        if where == "data":
            assert field == "data" or field.startswith(f"data.{key}"), answer.body
        else:
            assert field == "body" or field.startswith(key), answer.body
    else:
        assert answer.status == 202, answer.body


@FUZZ
@given(data=st.data())
def test_any_text_in_a_stored_column_is_stored_verbatim_or_refused_by_name(client, data):
    payload = fresh(data.draw(st.sampled_from(FIXTURES)))
    path = data.draw(st.sampled_from(["id", "type", "data.operator", "data.fileName", "data.eventCode"]), label="field")
    value = data.draw(hostile_text, label="value")
    if path == "data.eventCode":
        payload["type"] = "dataworks:Future:Unknown"  # any code is then stored as it came
    _set(payload, path, value)

    answer = post(client, dumps(payload))

    if answer.status == 400:
        expect_rejected(answer, path, rf"{UNSTORABLE}|control characters|must not be empty|does not match")
        return
    assert answer.status == 202, answer.body
    event = InboundEvent.objects.get()
    stored = {"id": event.message_id, "type": event.type, "data.operator": event.operator}
    if path in stored:
        assert stored[path] == (value.strip() if path in ("id", "type") else value)
    elif path == "data.eventCode":
        assert event.event_code == value


@FUZZ
@given(data=st.data())
def test_invalid_utf8_anywhere_is_a_400_on_the_body(client, data):
    body = dumps(fresh(data.draw(st.sampled_from(FIXTURES))), ascii_only=False)
    bad = data.draw(
        st.one_of(
            st.sampled_from(
                [b"\xff", b"\xfe", b"\xc3\x28", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
            ),
            st.binary(min_size=1, max_size=8).filter(lambda b: not _decodes(b)),
        ),
        label="bad bytes",
    )
    at = data.draw(st.integers(0, len(body)), label="at")
    # Inserting between the bytes of a multi-byte character could leave valid UTF-8 only by chance: make sure not.
    candidate = body[:at] + bad + body[at:]
    assume(not _decodes(candidate))

    answer = post(client, candidate)

    expect_rejected(answer, "body", r"UTF-8")


def _unstorable(value: Any) -> bool:
    """Tell whether a key or string anywhere in `value` holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        return re.search("[\x00\ud800-\udfff]", value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FUZZ
@given(data=st.data())
def test_duplicate_keys_and_nan_or_infinity_are_400s_that_say_so(client, data):
    payload = fresh(data.draw(st.sampled_from(FIXTURES)))
    kind = data.draw(st.sampled_from(["duplicate-envelope", "duplicate-data", "constant"]), label="kind")
    if kind == "constant":
        token = data.draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]), label="token")
        key = data.draw(st.sampled_from(["projectId", "fileType", "extra", "tenantId"]), label="key")
        payload["data"][key] = "__CONSTANT__"
        body = dumps(payload).replace(b'"__CONSTANT__"', token.encode())
        answer = post(client, body)
        expect_rejected(answer, "body", re.escape(token))
        return
    target = payload if kind == "duplicate-envelope" else payload["data"]
    key = data.draw(st.sampled_from(sorted(target)), label="key")
    value = data.draw(json_scalars, label="second value")
    duplicated = json.dumps(target)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"
    if kind == "duplicate-envelope":
        body = duplicated.encode()
    else:
        payload["data"] = "__DATA__"
        body = json.dumps(payload).replace('"__DATA__"', duplicated).encode()

    answer = post(client, body)

    expect_rejected(answer, key, r"duplicate key")


@FUZZ
@given(body=st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_bytes_and_json_documents_get_a_documented_answer(client, body):
    answer = post(client, body)

    assert answer.status in (202, 400), answer.body  # 202 only for a document that happens to be a valid event


@FUZZ
@given(data=st.data())
def test_lengths_at_the_limits_of_each_field(client, data):
    limits = LENGTH_LIMITS
    path = data.draw(st.sampled_from(sorted(limits)), label="field")
    length = data.draw(st.integers(limits[path] - 3, limits[path] + 3), label="length")
    payload = _base_for(path)
    # Only the length matters: a type of the right length is unknown (informational), an eventCode is matched.
    value = "x" * length
    if path == "data.eventCode":
        payload["type"] = "dataworks:Future:" + "y" * 20
    _set(payload, path, value)

    answer = post(client, dumps(payload))

    if length > limits[path]:
        expect_rejected(answer, path, rf"longer than {limits[path]} characters")
    else:
        assert answer.status == 202, answer.body


@LARGE
@given(data=st.data())
def test_huge_bodies_are_stored_up_to_the_limit_and_413_beyond(client, data):
    limit = django_settings.EVENTBRIDGE_MAX_BODY_BYTES
    payload = fresh(data.draw(st.sampled_from(FIXTURES)))
    shape = data.draw(st.sampled_from(["string", "array", "object"]), label="shape")
    target_size = data.draw(
        st.one_of(st.integers(limit - 64, limit + 64), st.integers(limit // 2, 4 * limit)), label="size"
    )
    base = len(dumps(payload, compact=True))
    room = max(target_size - base - 20, 0)
    if shape == "string":
        payload["data"]["padding"] = "x" * room
    elif shape == "array":
        payload["data"]["padding"] = [0] * (room // 2)
    else:
        payload["data"]["padding"] = {f"k{i}": 0 for i in range(room // 12)}
    body = dumps(payload, compact=True)

    answer = post(client, body)

    if len(body) > limit:
        assert answer.status == 413, answer.body
        assert answer.error["code"] == "too_large"
        assert str(limit) in answer.error["message"]
    else:
        assert answer.status == 202, answer.body


@LARGE
@given(data=st.data())
def test_deep_nesting_is_stored_or_refused_as_too_deep_never_a_crash(client, data):
    depth = data.draw(st.one_of(st.integers(1, 3000), st.integers(3000, 120_000)), label="depth")
    opener, closer = data.draw(st.sampled_from([("[", "]"), ('{"a":', "}")]), label="container")
    nested = opener * depth + "0" + closer * depth
    where = data.draw(st.sampled_from(["data", "top"]), label="where")
    if where == "top":
        body = nested.encode()
    else:
        payload = fresh(load_fixture("commit_file"))
        payload["data"]["nested"] = "__NESTED__"
        body = dumps(payload).replace(b'"__NESTED__"', nested.encode())

    answer = post(client, body)

    if len(body) > django_settings.EVENTBRIDGE_MAX_BODY_BYTES:
        assert answer.status == 413
    elif depth >= 5000:
        expect_rejected(answer, "body", r"nested too deeply")
    elif where == "top":  # an array is no CloudEvent; {"a": ...} lacks the id
        assert answer.status == 400, answer.body
        assert answer.error["field"] in ("body", "id"), answer.body
        assert re.search(r"nested too deeply|must be a JSON object|is required", answer.error["message"])
    else:
        assert answer.status == 202 or re.search("nested too deeply", answer.error["message"]), answer.body
