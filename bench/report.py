"""Render the benchmark results (bench/out/*.json) as the Markdown of bench/RESULTS.md."""

from __future__ import annotations

import math
from typing import Any

from benchlib import fmt, read_result

INTAKE_GOAL_RATIO = 0.5
INTAKE_P99_GOAL_MS = 50.0
PIPELINE_P99_GOAL_MS = 1000.0
DIFF_GOAL_MS = 250.0
DIFF_GOAL_LINES = 10_000
INBOX_GOAL_MS = 50.0


def _ok(flag: bool | None) -> str:
    if flag is None:
        return "not measured"
    return "**met**" if flag else "**missed**"


def _mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f} MiB"


def _range_mib(values: list[int] | None) -> str:
    values = [v for v in (values or []) if v]
    if not values:
        return "-"
    low, high = min(values) / 1024, max(values) / 1024
    return f"{low:,.0f} MiB" if round(low) == round(high) else f"{low:,.0f}-{high:,.0f} MiB"


def _nan(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- machine ------------------------------------------------------------------------------------------------------


def machine_section(machine: dict[str, Any] | None = None) -> str:
    machine = machine or read_result("machine") or {}
    if not machine:
        return "## Machine\n\n(not recorded)\n"
    rows = [
        ("Date", machine.get("date")),
        ("CPU", f"{machine.get('cpu')} — {machine.get('cores')} cores"),
        ("RAM", f"{machine.get('ram_gib')} GiB"),
        ("Kernel", machine.get("kernel")),
        ("Python", machine.get("python")),
        ("Django / gunicorn", f"{machine.get('django')} / {machine.get('gunicorn')}"),
        ("PostgreSQL", machine.get("postgresql")),
        ("Redis", machine.get("redis")),
        ("wrk", machine.get("wrk")),
        ("Commit", machine.get("commit")),
    ]
    body = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return f"## Machine\n\n| | |\n|---|---|\n{body}\n"


# --- 1. intake ----------------------------------------------------------------------------------------------------


def _intake(key: str) -> dict[str, Any] | None:
    return read_result(f"intake-{key}")


def intake_goals() -> list[tuple[str, str, str, bool | None]]:
    rows = []
    for key in ("sqlite", "postgres"):
        data = _intake(key)
        if not data:
            continue
        ratio = data["intake"]["rps"] / data["healthz"]["rps"]
        rows.append(
            (
                f"Intake ≥ ½ of /healthz ({data['backend']})",
                f"{data['intake']['rps']:,.0f} vs {data['healthz']['rps']:,.0f} req/s",
                f"{ratio:.2f}x",
                ratio >= INTAKE_GOAL_RATIO,
            )
        )
        fixed = data["fixed_rate"]
        p99 = fixed["latency_ms"]["p99"]
        rows.append(
            (
                f"Intake p99 < 50 ms at 100 events/s ({data['backend']})",
                f"p99 {p99:.1f} ms at {fixed['achieved_rate']:.1f}/s",
                f"{p99 / INTAKE_P99_GOAL_MS:.2f}x the budget",
                p99 < INTAKE_P99_GOAL_MS and fixed["ok"] == fixed["requests"],
            )
        )
    return rows


def intake_section() -> str:
    out = ["## 1. Webhook intake (gunicorn, unique events)\n"]
    rows, fixed_rows = [], []
    command = ""
    for key in ("sqlite", "postgres"):
        data = _intake(key)
        if not data:
            out.append(f"_{key}: no result (the run failed or was skipped)._\n")
            continue
        h, i = data["healthz"], data["intake"]
        command = i.get("command", "")
        errors = sum(i["errors"].values()) + i["non_2xx"]
        rows.append(
            f"| {data['backend']} | {h['rps']:,.0f} | {h['latency_ms']['p50']:.1f} / {h['latency_ms']['p99']:.1f} "
            f"| **{i['rps']:,.0f}** | {i['latency_ms']['p50']:.1f} / {i['latency_ms']['p99']:.1f} "
            f"| **{i['rps'] / h['rps']:.2f}x** | {h['server_cpu_ms_per_request']:.2f} / "
            f"{i['server_cpu_ms_per_request']:.2f} | {i['stored_events']:,} | {errors} "
            f"| {h['worker_restarts']} / {i['worker_restarts']} |"
        )
        f = data["fixed_rate"]
        lat, svc = f["latency_ms"], f["service_ms"]
        fixed_rows.append(
            f"| {data['backend']} | {f['offered_rate']:.0f}/s x {f['requests']} | {f['achieved_rate']:.1f}/s "
            f"| {f['ok']}/{f['requests']} | {lat['p50']:.1f} | {lat['p90']:.1f} | **{lat['p99']:.1f}** "
            f"| {lat['max']:.1f} | {svc['p99']:.1f} |"
        )
    if rows:
        first = _intake("postgres") or _intake("sqlite") or {}
        out.append(
            f"gunicorn with `config/gunicorn.conf.py` ({first.get('gunicorn_workers', '?')} sync workers, access "
            "log on) on 127.0.0.1, production settings. **The queue worker is not running**: every accepted event "
            "is stored and queued, and the queue just fills "
            f"({first.get('queue_depth_after', '?'):,} tasks waiting at the end of the PostgreSQL run). Each "
            f"request is a new commit-file CloudEvent (~{first.get('body_bytes', '?')} bytes, unique id; "
            "`bench/wrk_intake.lua`). Saturation: `" + command + "`, the same for `/healthz` (the baseline); each "
            "measured run on a freshly started server after a 2 s warm-up. Latencies are wrk's, in ms (p50 / p99). "
            "CPU = gunicorn master + workers' CPU per request (worker restarts included).\n"
        )
        out.append(
            "| backend | /healthz req/s | /healthz p50 / p99 | intake events/s | intake p50 / p99 | intake ÷ healthz "
            "| CPU ms/req (healthz / intake) | events stored | errors | worker restarts (healthz / intake) |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
        out.extend(rows)
        out.append(
            "\nFixed rate (`bench/loadgen.py`, a separate process: open loop, one connection per request, latency "
            "from the moment each request was due, so a stall cannot hide):\n"
        )
        out.append(
            "| backend | offered | achieved | 2xx | p50 ms | p90 ms | p99 ms | max ms | p99 service time ms |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
        out.extend(fixed_rows)
    profiles = [p for p in (read_result("intake-profile-postgres"), read_result("intake-profile-sqlite")) if p]
    if profiles:
        names = list(profiles[0]["per_event"])
        out.append(
            "\nWhere an event's server time goes (`bench/profile_intake.py`: the same event posted "
            f"{profiles[0]['events']} times in-process through Django's test Client, CPU ms per request of that "
            "process):\n"
        )
        out.append("| backend | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names))
        for p in profiles:
            cells = " | ".join(f"{p['per_event'][n]['cpu_ms']:.2f}" for n in names)
            out.append(f"| {p['backend']} | {cells} |")
        out.append(
            "\n<details><summary>cProfile of the webhook (PostgreSQL + Redis), top functions by cumulative time"
            "</summary>\n\n```\n" + profiles[0]["profile_cumulative"][:5000] + "\n```\n</details>"
        )
    return "\n".join(out) + "\n"


# --- 2. pipeline --------------------------------------------------------------------------------------------------


def _pipeline(key: str) -> dict[str, Any] | None:
    return read_result(f"pipeline-{key}")


def pipeline_goals() -> list[tuple[str, str, str, bool | None]]:
    pg, lite = _pipeline("postgres"), _pipeline("sqlite")
    rows: list[tuple[str, str, str, bool | None]] = []
    for label, field in (("event → ticket ready", "ticket_ready_ms"), ("approve → callback", "approve_to_callback_ms")):
        if not pg:
            rows.append((f"Pipeline {label} p99 < 1 s (PostgreSQL + Redis)", "-", "-", None))
            continue
        p99 = pg[field]["p99"]
        complete = pg[field]["n"] == pg["events"]
        versus = f"{p99 / lite[field]['p99']:.2f}x SQLite + ORM" if lite and not _nan(lite[field]["p99"]) else "-"
        rows.append(
            (
                f"Pipeline {label} p99 < 1 s (PostgreSQL + Redis)",
                f"p99 {p99:,.0f} ms over {pg[field]['n']} events",
                versus,
                bool(p99 < PIPELINE_P99_GOAL_MS and complete),
            )
        )
    return rows


def pipeline_section() -> str:
    out = ["## 2. Pipeline: event → ticket ready, approve → callback\n"]
    results = [r for r in (_pipeline("postgres"), _pipeline("sqlite")) if r]
    if not results:
        return out[0] + "\n_No result (the run failed or was skipped)._\n"
    first = results[0]
    out.append(
        f"{first['events']} commit-file events posted to the webhook at {first['event_rate']:.0f}/s, then approved "
        f"through the JSON API (token) at {first['approve_rate']:.0f}/s; the real processes: gunicorn "
        f"({first['gunicorn_workers']} workers), `manage.py qcluster` with {first['queue_workers']} workers, "
        "`manage.py dataworks_emulator` (each DataWorks call is a signed HTTP request on loopback). Ticket ready = "
        "the CREATED audit entry (same transaction as status → PENDING, detail + versions + folder fetched, code "
        "stored) - event `received_at`; split into queue wait (ticket row created by the task - received_at) and "
        "preparation (the DataWorks reads, rule matching, save). Approve → callback = the emulator's `received_at` "
        "of UpdateIDEEventResult - ticket `decided_at`. Milliseconds.\n"
    )
    out.append(
        "| backend | ready p50 | ready p90 | **ready p99** | ready max | queue wait p50 / p99 | preparation p50 / p99 "
        "| approve→callback p50 | p90 | **p99** | max | approve HTTP p50 / p99 | complete |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    for r in results:
        rd, q, p, cb, ap = (
            r["ticket_ready_ms"],
            r["ticket_queue_wait_ms"],
            r["ticket_prepare_ms"],
            r["approve_to_callback_ms"],
            r["approve_http_ms"],
        )
        complete = (
            f"{r['tickets_ready']}/{r['events']} ready, {r['callbacks_received']}/{r['events']} callbacks"
            f"{', ' + str(r['failed_attempts']) + ' failed attempts' if r['failed_attempts'] else ''}"
            f"{', ' + str(r['tickets_prepare_retried']) + ' prep retries' if r['tickets_prepare_retried'] else ''}"
        )
        out.append(
            f"| {r['backend']} | {fmt(rd['p50'], 0)} | {fmt(rd['p90'], 0)} | **{fmt(rd['p99'], 0)}** "
            f"| {fmt(rd['max'], 0)} | {fmt(q['p50'], 0)} / {fmt(q['p99'], 0)} "
            f"| {fmt(p['p50'], 0)} / {fmt(p['p99'], 0)} "
            f"| {fmt(cb['p50'], 0)} | {fmt(cb['p90'], 0)} | **{fmt(cb['p99'], 0)}** | {fmt(cb['max'], 0)} "
            f"| {fmt(ap['p50'], 0)} / {fmt(ap['p99'], 0)} | {complete} |"
        )
    pg, lite = _pipeline("postgres"), _pipeline("sqlite")
    if pg and lite:
        out.append(
            f"\nRatio PostgreSQL + Redis ÷ SQLite + ORM broker (baseline, same run): ticket ready p50 "
            f"{pg['ticket_ready_ms']['p50'] / lite['ticket_ready_ms']['p50']:.2f}x, p99 "
            f"{pg['ticket_ready_ms']['p99'] / lite['ticket_ready_ms']['p99']:.2f}x; approve → callback p50 "
            f"{pg['approve_to_callback_ms']['p50'] / lite['approve_to_callback_ms']['p50']:.2f}x, p99 "
            f"{pg['approve_to_callback_ms']['p99'] / lite['approve_to_callback_ms']['p99']:.2f}x. "
            f"DataWorks call (UpdateIDEEventResult, from the delivery log) p50 "
            f"{fmt(pg['dataworks_call_ms']['p50'], 0)} ms."
        )
    return "\n".join(out) + "\n"


# --- 3. diff ------------------------------------------------------------------------------------------------------


def diff_goals() -> list[tuple[str, str, str, bool | None]]:
    data = read_result("diff")
    if not data:
        return [("Diff page, 10,000 lines < 250 ms and faster than HtmlDiff", "-", "-", None)]
    row = next((r for r in data["rows"] if r["lines"] == DIFF_GOAL_LINES), None)
    if row is None:
        return [("Diff page, 10,000 lines < 250 ms and faster than HtmlDiff", "-", "-", None)]
    goals = [
        (
            "Diff page, 10,000 lines < 250 ms and faster than HtmlDiff (diff pre-rendered by the worker)",
            f"{row['page_ms']:,.0f} ms (HtmlDiff {row['htmldiff_ms']:,.0f} ms)",
            f"HtmlDiff ÷ page {row['ratio_htmldiff_over_page']:.2f}x",
            row["page_ms"] < DIFF_GOAL_MS and row["page_ms"] < row["htmldiff_ms"],
        )
    ]
    if "cold_page_ms" in row:
        goals.append(
            (
                "The same, first view with nothing stored (render + store on the request)",
                f"{row['cold_page_ms']:,.0f} ms (HtmlDiff {row['htmldiff_ms']:,.0f} ms)",
                f"HtmlDiff ÷ page {row['htmldiff_ms'] / row['cold_page_ms']:.2f}x",
                row["cold_page_ms"] < DIFF_GOAL_MS and row["cold_page_ms"] < row["htmldiff_ms"],
            )
        )
    return goals


def diff_section() -> str:
    data = read_result("diff")
    out = ["## 3. Diff: ticket page render time\n"]
    if not data:
        return out[0] + "\n_No result (the run failed or was skipped)._\n"
    out.append(
        f"Server time of `GET /tickets/<id>/` (split view, the default) as a reviewer, through Django's test Client "
        "with production settings: middleware, view, the stored rendered diff (written when the worker prepared the "
        "ticket; `approvals/diff_store.py`) and template. Cold = the same request with nothing stored: diff engine, "
        "highlighting, storing, template (what a first view in another interface language costs). Pre-render = "
        "the worker's one-off cost when the ticket becomes ready. Nodes from "
        f"`bench/bench_diff.py`'s generator with {data['share_changed']:.0%} of the lines changed; median of "
        f"{data['runs']} runs ({max(2, data['runs'] // 2)} at 50,000 lines). Engine = `compute_diff` + "
        "`render_diff_html` alone. Baseline: `difflib.HtmlDiff().make_table` on the same lines (median of "
        f"{max(1, data['runs'] // 2)}; one run at 50,000 lines).\n"
    )
    out.append(
        "| lines | +added / -removed | page ms | cold page ms | pre-render ms | engine ms | HtmlDiff ms "
        "| HtmlDiff ÷ page | queries | page size | stored |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for r in data["rows"]:
        hl = "" if r["highlighted"] else " (no highlighting)"
        out.append(
            f"| {r['lines']:,} | +{r['added']:,} / -{r['removed']:,} | **{r['page_ms']:,.0f}**{hl} "
            f"| {fmt(r.get('cold_page_ms'), 0)} | {fmt(r.get('prerender_ms'), 0)} | {r['engine_ms']:,.0f} "
            f"| {r['htmldiff_ms']:,.0f} | **{r['ratio_htmldiff_over_page']:.2f}x** "
            f"| {r['queries']} | {r['page_bytes'] / 1024:,.0f} KiB | {r.get('stored_bytes', 0) / 1024:,.0f} KiB |"
        )
    return "\n".join(out) + "\n"


# --- 4. inbox -----------------------------------------------------------------------------------------------------


def _inbox(key: str) -> dict[str, Any] | None:
    return read_result(f"inbox-{key}")


def _pages_by(size: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["page"], p["role"]): p for p in size["pages"]}


def inbox_goals() -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    for key in ("postgres", "sqlite"):
        data = _inbox(key)
        if not data or len(data["sizes"]) < 2:
            continue
        small, large = _pages_by(data["sizes"][0]), _pages_by(data["sizes"][-1])
        for (page, role), big in large.items():
            if (page, role) not in small:
                continue
            base = small[(page, role)]
            constant = big["queries"] == base["queries"]
            rows.append(
                (
                    f"Inbox `{big['path']}` as {role}, {data['sizes'][-1]['tickets']:,} tickets ({data['backend']})",
                    f"{big['median_ms']:.1f} ms, {big['queries']} queries",
                    f"{big['median_ms'] / base['median_ms']:.2f}x the 1,000-ticket time; queries "
                    f"{base['queries']} → {big['queries']}",
                    constant and big["median_ms"] < INBOX_GOAL_MS,
                )
            )
    return rows


def inbox_section() -> str:
    out = ["## 4. Inbox and ticket list at 100,000 tickets\n"]
    results = [r for r in (_inbox("postgres"), _inbox("sqlite")) if r]
    if not results:
        return out[0] + "\n_No result (the run failed or was skipped)._\n"
    first = results[0]
    big = first["sizes"][-1]
    out.append(
        f"Server time (median of {first['runs']} requests after 2 warm-ups) and query count through Django's test "
        f"Client with production settings. Data: {big['tickets']:,} tickets with {big['audit_entries']:,} audit "
        f"entries and {big['callbacks']:,} delivered callbacks (bulk-created, realistic mix; see "
        "`bench/bench_inbox.py`). The reviewer is named on one rule and, through a group, on another, and may see "
        f"{big['reviewer_visible']:,} of them; staff see all; the sparse reviewer is named on a rule that matched "
        "nothing and may see none (the case where walking the newest tickets would read the whole table). Lists "
        "are keyset-paginated: page 200 is `?after=<position of the 4,975th visible ticket>`. Baseline: the same "
        "page at 1,000 tickets in the same run. PostgreSQL was VACUUM ANALYZEd after the load (as autovacuum "
        "would); SQLite has no statistics (the app never runs ANALYZE).\n"
    )
    for data in results:
        small, large = _pages_by(data["sizes"][0]), _pages_by(data["sizes"][-1])
        out.append(
            f"\n**{data['backend']}** (load: {data['sizes'][-1]['load_seconds']:.0f} s for "
            f"{data['sizes'][-1]['tickets'] - data['sizes'][0]['tickets']:,} tickets)\n"
        )
        out.append(
            f"| page | user | 1,000 tickets ms | queries | {data['sizes'][-1]['tickets']:,} tickets ms | p90 ms "
            "| queries | DB ms | ratio | goal |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
        )
        for (page, role), m in large.items():
            base = small.get((page, role))
            if m.get("status"):
                out.append(f"| `{m['path']}` | {role} | | | HTTP {m['status']} | | | | | |")
                continue
            ratio = f"{m['median_ms'] / base['median_ms']:.2f}x" if base else "-"
            goal = (
                _ok(base["queries"] == m["queries"] and m["median_ms"] < INBOX_GOAL_MS)
                if base
                else ("under 50 ms" if m["median_ms"] < INBOX_GOAL_MS else "over 50 ms")
            )
            out.append(
                f"| `{m['path']}` | {role} | {fmt(base['median_ms']) if base else '-'} "
                f"| {base['queries'] if base else '-'} | **{fmt(m['median_ms'])}** | {fmt(m.get('p90_ms'))} "
                f"| {m['queries']} | {fmt(m.get('db_ms'))} | {ratio} | {goal} |"
            )
    slow, seen = [], set()
    for data in results:
        for m in data["sizes"][-1]["pages"]:
            if m.get("status") or m["median_ms"] <= INBOX_GOAL_MS or not m.get("slowest"):
                continue
            shape = (data["key"], m["slowest"][0]["sql"][:300])
            if shape not in seen:  # one example per backend and query shape
                seen.add(shape)
                slow.append((data, m))
    if slow:
        out.append("\n<details><summary>Slowest queries of the pages over 50 ms (evidence)</summary>\n")
        for data, m in slow:
            q = m["slowest"][0]
            out.append(
                f"\n`{m['path']}` as {m['role']} on {data['backend']}: {m['median_ms']:.1f} ms, slowest query "
                f"{q['ms']:.1f} ms:\n\n```sql\n{q['sql'][:1200]}\n```\n"
            )
            if m.get("explain"):
                plan = "\n".join(m["explain"].splitlines()[:14])
                out.append(f"```\n{plan}\n...\n```\n")
        out.append("</details>\n")
    return "\n".join(out) + "\n"


# --- 5. memory ----------------------------------------------------------------------------------------------------


def memory_section() -> str:
    out = ["## 5. Memory (VmRSS)\n"]
    pg = _pipeline("postgres")
    lite = _pipeline("sqlite")
    intake = _intake("postgres")
    rows = []
    for data in (pg, lite):
        if not data:
            continue
        base, after = data["rss_kib_baseline"], data["rss_kib"]
        ratio_web = max(after["web_workers"]) / max(base["web_workers"]) if base["web_workers"] else float("nan")
        ratio_q = max(after["queue_workers"]) / max(base["queue_workers"]) if base["queue_workers"] else float("nan")
        rows.append(
            f"| gunicorn web worker — pipeline run, {data['backend']} | {_range_mib(base['web_workers'])} "
            f"| **{_range_mib(after['web_workers'])}** | {ratio_web:.2f}x |"
        )
        rows.append(
            f"| queue worker (django-q2) — pipeline run, {data['backend']} | {_range_mib(base['queue_workers'])} "
            f"| **{_range_mib(after['queue_workers'])}** | {ratio_q:.2f}x |"
        )
    if intake:
        rss = intake["rss_kib"]
        idle, after = rss["worker_idle"], rss["worker_after"]
        ratio = max(after) / max(idle) if idle and after else float("nan")
        rows.append(
            f"| gunicorn web worker — after the intake saturation runs, {intake['backend']} | {_range_mib(idle)} "
            f"| **{_range_mib(after)}** | {ratio:.2f}x |"
        )
    if not rows:
        return out[0] + "\n_No result._\n"
    out.append(
        "Resident memory from /proc/<pid>/status of each process, right after start and warm-up (the baseline) "
        "and after the benchmark (pipeline: 500 events, 500 approvals, the inbox, ticket pages and the API served; "
        "intake: the saturation and fixed-rate runs). A range covers all workers of the kind.\n"
    )
    out.append("| process | after start | after the run | ratio (max) |\n|---|---:|---:|---:|")
    out.extend(rows)
    if pg:
        after = pg["rss_kib"]
        out.append(
            f"\nOther processes (PostgreSQL run, after): gunicorn master {_mib(after['web_master'])}; django-q2 "
            f"cluster processes (master, sentinel, monitor, pusher, workers) {_range_mib(after['queue_cluster_all'])}"
            f" each; emulator {_mib(after['emulator'])}."
        )
    return "\n".join(out) + "\n"


# --- findings -----------------------------------------------------------------------------------------------------


def findings_section() -> str:
    """What the numbers of this run point at in app code; each item is stated only when this run shows it."""
    items = []
    prof = read_result("intake-profile-postgres")
    prof_lite = read_result("intake-profile-sqlite")
    pg, lite = _intake("postgres"), _intake("sqlite")
    if prof:
        a = prof["per_event"]
        enqueue = a["as is"]["cpu_ms"] - a["without the enqueue"]["cpu_ms"]
        if enqueue > 0.4 * a["as is"]["cpu_ms"]:
            items.append(
                "**Intake (PostgreSQL + Redis): the enqueue costs more than storing the event**: "
                f"{a['as is']['cpu_ms']:.2f} ms CPU per event with it, {a['without the enqueue']['cpu_ms']:.2f} ms "
                "without. django-q2's `async_task` builds a new broker (a new Redis connection pool and TCP "
                "connection) on every call unless given one. Suggested: one broker per process, passed as `broker=`."
            )
        else:
            items.append(
                f"Intake (PostgreSQL + Redis): the enqueue costs {max(enqueue, 0):.2f} of "
                f"{a['as is']['cpu_ms']:.2f} ms CPU per event in-process (one broker per process); what remains is "
                "mostly the INSERT and COMMIT round trips and Django's request handling."
            )
    if prof_lite:
        b = prof_lite["per_event"]
        items.append(
            f"Intake (SQLite + ORM broker): {b['as is']['cpu_ms']:.2f} ms CPU per event in-process, "
            f"{b['without the enqueue']['cpu_ms']:.2f} ms without the enqueue (the task row joins the event's "
            f"transaction), {b['/healthz']['cpu_ms']:.2f} ms for /healthz."
        )
    if lite and lite["fixed_rate"]["latency_ms"]["p99"] > INTAKE_P99_GOAL_MS:
        f = lite["fixed_rate"]
        items.append(
            f"**Intake on SQLite is erratic under load**: in this run {f['achieved_rate']:.0f} of 100 events/s, "
            f"p99 {f['latency_ms']['p99']:,.0f} ms (repeated runs vary a lot, and more when other processes load "
            "the machine). Five workers take SQLite's single write lock twice per event (the event, then the ORM "
            "broker's task row) with reconnects in between; when the lock queue builds up, SQLite's busy handler "
            "sleeps in growing steps. PostgreSQL + Redis is the configuration for this load."
        )
    restarts = sum((d or {}).get("healthz", {}).get("worker_restarts", 0) for d in (pg, lite))
    if restarts:
        items.append(
            f"**gunicorn recycling under load**: {restarts} worker restarts during the two 10 s /healthz runs; "
            "without `preload_app` each new worker imports Django and the app again, which shows in the /healthz "
            "p99. Suggested: `preload_app = True` (a restart becomes a fork) and a larger jitter."
        )
    pipe = _pipeline("postgres")
    if pipe and pipe["queue_worker_starts"] > pipe["queue_workers"]:
        items.append(
            "**Queue worker recycling.** django-q2 replaces a worker after 500 tasks (its default `recycle`); "
            f"the run started {pipe['queue_worker_starts']} workers for {pipe['queue_workers']} slots. A new "
            "worker builds the DataWorks client (the SDK import) when it starts (`approvals/worker.py`, django-q2's "
            "`post_spawn` signal), not during its first task. The pipeline's maxima "
            f"({pipe['ticket_ready_ms']['max']:,.0f} ms ready, {pipe['approve_to_callback_ms']['max']:,.0f} ms "
            "callback, next to p50s of tens of ms) are not explained by this run (one candidate: a task that arrives "
            "while a worker is being replaced waits for the new process). On SQLite the ORM broker's 0.2 s poll sets "
            "the queue wait."
        )
    diff = read_result("diff")
    row = next((r for r in (diff or {}).get("rows", []) if r["lines"] == DIFF_GOAL_LINES), None)
    if row and not (row["page_ms"] < DIFF_GOAL_MS and row["page_ms"] < row["htmldiff_ms"]):
        items.append(
            "**Diff page.** At 10,000 lines the diff engine alone (syntax highlighting of both whole versions is "
            f"about two thirds of it) takes {row['engine_ms']:,.0f} ms (the page {row['page_ms']:,.0f} ms) and the "
            f"page is {row['page_bytes'] / 1024 / 1024:,.1f} MiB, because every unchanged line is rendered (folded, "
            "but present). A ticket's code never changes once it is ready, so the rendered diff can be computed once "
            "(when the ticket is prepared, in the worker) and stored or cached per ticket and view; folded runs "
            "could also be fetched on expand instead of sent."
        )
    if row and "cold_page_ms" in row and row["cold_page_ms"] >= min(DIFF_GOAL_MS, row["htmldiff_ms"]):
        items.append(
            f"**Diff page with nothing stored.** At 10,000 lines a first view that finds no stored rendering (another "
            f"interface language, the unified view, or a failed pre-render) takes {row['cold_page_ms']:,.0f} ms: "
            f"the engine ({row['engine_ms']:,.0f} ms, about two thirds of it syntax highlighting of both whole "
            "versions) plus storing the result. Folded unchanged runs are still rendered and sent "
            f"({row['page_bytes'] / 1024 / 1024:,.1f} MiB page); highlighting only what is shown and fetching folds "
            "on expand would cut both."
        )
    inbox = _inbox("postgres")
    w = (inbox or {}).get("whatif") or {}
    slow_pages = [
        m
        for m in ((inbox or {}).get("sizes") or [{}])[-1].get("pages", [])
        if m.get("role") == "reviewer" and m.get("page") in ("inbox", "api list") and m["median_ms"] > INBOX_GOAL_MS
    ]
    if slow_pages and "page 1" in w:
        pages = ", ".join(f"`{m['path']}` {m['median_ms']:.0f} ms" for m in slow_pages)
        items.append(
            f"**Inbox and API list for a reviewer at 100,000 tickets (PostgreSQL): {pages}.** Query shapes for "
            f"page 1 of the same filter: an ID union with all columns {w['page 1']['app_ms']:.0f} ms, IDs first "
            f"{w['page 1']['ids_first_ms']:.0f} ms, the EXISTS shape with only the listed columns "
            f"{w['page 1']['exists_only_ms']:.0f} ms (it walks the created_at index and stops after one page); "
            f"the COUNT of visible_tickets() {w['count_app_ms']:.0f} ms. Suggested: the EXISTS shape with `.only()` "
            "for ordered pages, the ID union only where a count is needed, no exact COUNT in the API (a `has_next` "
            "page or cursor pagination), and keyset pagination (created_at, id) so deep pages cost what page 1 "
            "costs (page 200 is slower in every shape)."
        )
    if not items:
        return ""
    return "## Findings in app code (from this run)\n\n" + "\n".join(f"- {i}" for i in items) + "\n"


# --- the whole report ---------------------------------------------------------------------------------------------


def goals_section() -> str:
    rows = intake_goals() + pipeline_goals() + diff_goals() + inbox_goals()
    out = ["## Goals\n", "| goal | measured | against the baseline | |", "|---|---|---|---|"]
    out.extend(f"| {goal} | {measured} | {versus} | {_ok(flag)} |" for goal, measured, versus, flag in rows)
    return "\n".join(out) + "\n"


def full_report(durations: dict[str, float], failures: list[str], notes: str = "") -> str:
    parts = [
        "# Review Gate benchmarks\n",
        "Written by `make bench` (`bench/run_all.py`); every figure below was measured in the same run, on this "
        "machine, against servers started by the benchmark on 127.0.0.1. Raw data: `bench/out/*.json`.\n",
        machine_section(),
        goals_section(),
        intake_section(),
        pipeline_section(),
        diff_section(),
        inbox_section(),
        memory_section(),
        findings_section(),
    ]
    if notes:
        parts.append(notes)
    timing = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in durations.items())
    parts.append(f"## Run\n\nDurations: {timing}; total {sum(durations.values()):.0f} s.\n")
    if failures:
        parts.append("**Failed or incomplete:** " + "; ".join(failures) + "\n")
    return "\n".join(parts)
