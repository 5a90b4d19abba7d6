"""The Audit tab's queries at a million rows: first page, filter changes, text search, the
CSV export's throughput and peak memory.

    python bench/audit.py [--db SEEDED.db] [--rows 1000000]

Without --db a fresh database is seeded (bench/seed.py, in its own process so its memory
does not count). Each figure prints as `figure: value unit (target …) ok|MISS`; the exit
status is 1 when any target is missed. Times are the worst of the cases listed, each the
first query of its kind on a freshly opened database (no warm page from the same query).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aidesk.features import audit_export, audit_log
from aidesk.features.audit_log import AuditFilter, Cursor
from aidesk.storage import Database, open_database
from aidesk.workspaces import Workspaces

SEED = Path(__file__).resolve().parent / "seed.py"
WORKSPACE = "Seed Agency"


def line(name: str, value: float, unit: str, target: str, ok: bool) -> bool:
    print(f"{name}: {value:,.1f} {unit} (target {target}) {'ok' if ok else 'MISS'}")
    return ok


def seeded(folder: Path, rows: int) -> Path:
    path = folder / "aidesk.db"
    subprocess.run([sys.executable, str(SEED), str(path), "--usage", str(rows),
                    "--audit", str(rows), "--workspace", WORKSPACE], check=True)
    return path


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def worst(db: Database, tenant: str, cases: dict[str, AuditFilter]) -> tuple[float, str]:
    times: dict[str, float] = {}
    for name, flt in cases.items():
        start = time.perf_counter()
        rows = audit_log.page(db, tenant, flt)
        ms = (time.perf_counter() - start) * 1000
        times[name] = ms
        print(f"  {name}: {ms:.1f} ms, {len(rows)} rows")
    name = max(times, key=lambda k: times[k])
    return times[name], name


def filter_cases(now: datetime) -> dict[str, AuditFilter]:
    return {
        "provider groq": AuditFilter(provider="groq"),
        "model llama3.1:8b": AuditFilter(model="llama3.1:8b"),
        "user user-07": AuditFilter(user_id="user-07"),
        "module meetings": AuditFilter(module="meetings"),
        "errors": AuditFilter(outcome="error"),
        "refused (none)": AuditFilter(outcome="refused"),
        "successes": AuditFilter(outcome="success"),
        "last 7 days": AuditFilter(start=now - timedelta(days=7)),
        "one day 80 days ago": AuditFilter(start=now - timedelta(days=80),
                                           end=now - timedelta(days=79)),
        "provider + module + user": AuditFilter(provider="local", module="images",
                                                user_id="user-03"),
        "provider + module + user + errors": AuditFilter(
            provider="local", module="images", user_id="user-03", outcome="error"),
    }


def search_cases(now: datetime) -> dict[str, AuditFilter]:
    return {
        "a word in nearly every row": AuditFilter(text="campanha"),
        "two words": AuditFilter(text="black friday"),
        "without accents": AuditFilter(text="otica promocao"),
        "a word in no row": AuditFilter(text="inexistente"),
        "word + provider": AuditFilter(text="desconto", provider="groq"),
        "word + errors": AuditFilter(text="loja", outcome="error"),
        "word + 85 days ago and older": AuditFilter(text="loja", end=now - timedelta(days=85)),
        "FTS syntax typed as words": AuditFilter(text='"lead" OR NEAR(* -'),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database seeded by bench/seed.py")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or seeded(Path(tmp), args.rows)
        db = open_database(path)
        ws = Workspaces(db).find(WORKSPACE)
        assert ws is not None, f"no workspace {WORKSPACE!r} in {path}"
        tenant, now = ws.tenant_id, datetime.now(UTC)
        with db.raw() as conn:
            total = conn.execute("SELECT count(*) FROM ai_audit_logs WHERE tenant_id = ?",
                                 (tenant,)).fetchone()[0]
        print(f"audit rows: {total:,}")
        first_ms, rows = timed_ms(lambda: audit_log.page(db, tenant, AuditFilter()))
        after: Cursor | None = rows[-1].cursor
        for _ in range(48):  # 50 pages down by keyset: no OFFSET, no growth
            after = audit_log.page(db, tenant, AuditFilter(), after)[-1].cursor
        deep_ms, _rows = timed_ms(lambda: audit_log.page(db, tenant, AuditFilter(), after))
        print("filter changes:")
        filter_ms, filter_name = worst(db, tenant, filter_cases(now))
        print("text searches:")
        search_ms, search_name = worst(db, tenant, search_cases(now))
        out = Path(tmp) / "audit.csv"
        with out.open("wb") as handle:
            export_ms, exported = timed_ms(lambda: audit_export.export_csv(
                db, tenant, AuditFilter(), handle))
        size_mb = out.stat().st_size / 1e6
        db.close()
    throughput = exported / (export_ms / 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = [
        line("audit first page", first_ms, "ms", "≤ 150 ms", first_ms <= 150),
        line("audit page 50 (keyset)", deep_ms, "ms", "report only", True),
        line(f"filter change (worst: {filter_name})", filter_ms, "ms", "≤ 300 ms",
             filter_ms <= 300),
        line(f"text search (worst: {search_name})", search_ms, "ms", "≤ 500 ms",
             search_ms <= 500),
        line(f"CSV export throughput ({exported:,} rows, {size_mb:,.0f} MB)", throughput,
             "rows/s", "≥ 100,000 rows/s", throughput >= 100_000),
        line("peak RSS", rss_mb, "MB", "≤ 400 MB", rss_mb <= 400),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
