"""Print bench results (bench/run.py's JSON files) as the Markdown table the README shows."""

import json
import sys
from pathlib import Path

PAGES = ["floor", "home", "treatment", "condition", "office", "form", "book"]


def table(results: dict) -> str:
    config, machine = results["config"], results["machine"]
    lines = [
        f"{config['database']}, cache: {config['cache']}; {results['date'][:10]}; "
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB, "
        f"{config['gunicorn_workers']} gunicorn workers; {config['load']}, "
        f"{config['duration_s']} s per load; CPUs "
        f"{config.get('cpu_busy_before_start_percent', '?')}% busy before the start.",
        "",
        "| page | warm req/s | × floor | p50 / p99 ms | cache-miss req/s | queries (miss) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in PAGES:
        page = results["pages"].get(name)
        if not page:
            continue
        miss = results["cache_miss"].get(name)
        miss_rps = f"{miss['rps']:.0f}" if miss else "–"
        lines.append(
            f"| {name} `{page['path']}` | {page['rps']:.0f} | "
            f"{page.get('ratio_to_floor', 1.0):.2f} | {page['p50_ms']} / {page['p99_ms']} | "
            f"{miss_rps} | {page.get('queries_miss', '–')} |"
        )
    post = results.get("booking_post")
    if post:
        lines.append(
            f"| form POST `{post['path']}` | {post['rps']:.0f} "
            f"({post['stored_per_s']:.0f} stored/s) | – | {post['p50_ms']} / {post['p99_ms']} "
            "| – | – |"
        )
    appointment = results.get("appointment_post")
    if appointment:
        lines.append(
            f"| appointment POST `{appointment['path']}` | {appointment['rps']:.0f} "
            f"({appointment['stored_per_s']:.0f} stored/s) | – | {appointment['p50_ms']} / "
            f"{appointment['p99_ms']} | – | – |"
        )
    rss = results["worker_rss_mb"]
    view = results.get("first_view_treatment", {})
    lines += [
        "",
        f"Worker RSS: {max(rss['after_warmup'])} MB after warm-up, {max(rss['after_run'])} MB "
        f"after the run. First view of a treatment page (HTML + CSS + JS, brotli): "
        f"{view.get('total_kb', '–')} KB.",
        "",
        "Targets: "
        + "; ".join(
            f"{name} {'met' if check['met'] else '**missed**'} ({check['value']})"
            for name, check in results["targets"].items()
        )
        + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    paths = sys.argv[1:] or [str(Path(__file__).parent / "results.json")]
    print("\n\n".join(table(json.loads(Path(path).read_text())) for path in paths))
