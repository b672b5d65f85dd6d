"""What each kind of channel allows: the documented send budget per target, and the size of one message.

`KIND_LIMITS` is read by the pacing code (per-target token buckets): every (messages, per_seconds) pair of a kind
must hold at once, e.g. a Feishu bot takes at most 100 messages a minute *and* 5 a second. `None` means the
platform documents no budget (the generic webhook, email): such targets are not paced.

Sources (docs/notifications-channels.md): DingTalk custom robot 20/min (over it the robot is muted for 10 minutes,
errcode 130101); WeCom group robot 20/min (errcode 45009); Feishu custom bot 100/min and 5/s (code 11232);
Slack incoming webhook about 1/s (HTTP 429).
"""

from __future__ import annotations

from typing import Final

from notifications.channels.message import Kind

Budget = tuple[tuple[int, float], ...]

KIND_LIMITS: Final[dict[Kind, Budget | None]] = {
    Kind.DINGTALK: ((20, 60.0),),
    Kind.WECOM: ((20, 60.0),),
    Kind.FEISHU: ((100, 60.0), (5, 1.0)),
    Kind.SLACK: ((1, 1.0),),
    Kind.WEBHOOK: None,
    Kind.EMAIL: None,
}

# Size caps of one message body, in UTF-8 bytes unless named otherwise. Renderers fit every message under these
# (shortening titles, then cutting with an ellipsis), so an over-size body is never sent.
DINGTALK_TEXT_BYTES: Final = 4000  # undocumented publicly; kept well under what robots accept (about 5000 chars)
WECOM_MARKDOWN_BYTES: Final = 4096  # documented: markdown.content at most 4096 bytes
FEISHU_BODY_BYTES: Final = 20_000  # documented: the request body at most 20 KB (we keep a margin for the sign)
SLACK_SECTION_CHARS: Final = 3000  # documented: a section's text at most 3000 characters
SLACK_HEADER_CHARS: Final = 150  # documented: a header block's text at most 150 characters
TITLE_CHARS: Final = 100  # DingTalk markdown.title, mail subject: what a notification preview shows
LONG_TEXT_CHARS: Final = 10_000  # a comment or reason in mail and the generic webhook

# How many tickets one digest should fold so that every ticket can still be named with a readable title within the
# smallest body above (WeCom's 4096 bytes). A larger digest is still sent, but titles get shorter and, past what
# fits, the message ends with "… and N more".
DIGEST_MAX_TICKETS: Final = 20
