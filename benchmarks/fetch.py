"""Benchmark: monitor's Fetcher against bare httpx and bare aiohttp on 1,000 local URLs.

Starts nginx (from apt, on a high port, with its own config in a temp dir; falls back to a small
aiohttp static server when nginx is missing), writes 1,000 HTML pages, and runs each client in a
fresh subprocess so that CPU time and peak RSS are its own:

* ``monitor``        — ``Fetcher`` on ``build_client`` (the aiohttp transport), robots.txt obeyed,
                       per-host slots and spacing in the path (relaxed: 200 at once, no delay),
                       validators kept per URL, body hashed and decoded;
* ``monitor-httpx``  — the same on httpx's default transport (the transport choice, measured);
* ``httpx``          — bare ``httpx.AsyncClient.get`` on the default transport;
* ``aiohttp``        — bare ``aiohttp.ClientSession.get`` + ``read()``.

Pass 1 fetches every URL (200), pass 2 sends the validators back (304). Reported per pass: wall
time, checks/s, CPU ms per check (user+sys of the client process only) and the process's peak RSS.

    python benchmarks/fetch.py [--urls 1000] [--concurrency 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS = ("monitor", "monitor-httpx", "httpx", "aiohttp")
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    types {{ text/html html; text/plain txt; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        charset utf-8;
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_pages(www: Path, count: int) -> None:
    paragraph = "<p>Ministers met on Tuesday to discuss the budget, officials said.</p>\n" * 220
    for index in range(count):
        page = (
            f'<!doctype html><html><head><meta charset="utf-8"><title>Story {index}</title>'
            f"</head><body><h1>Story {index}</h1>{paragraph}</body></html>"
        )
        (www / f"story-{index}.html").write_text(page, encoding="utf-8")


def start_nginx(root: Path, port: int) -> subprocess.Popen[bytes] | None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        return None
    (root / "tmp").mkdir()
    user = "user root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port, user=user))
    return subprocess.Popen([nginx, "-c", str(conf), "-p", str(root)])


def start_fallback_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        "from aiohttp import web; app = web.Application(); "
        f"app.router.add_static('/', {str(root / 'www')!r}); "
        f"web.run_app(app, host='127.0.0.1', port={port}, print=None, access_log=None)"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server did not start on port {port}")


# ------------------------------------------------- worker side (one client per process)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


PassResult = dict[str, object]  # wall, cpu (seconds) and statuses (status or error -> count)


async def run_pool(
    urls: list[str], concurrency: int, check: Callable[[str], Awaitable[int]]
) -> PassResult:
    queue = list(reversed(urls))
    statuses: dict[int | str, int] = {}

    async def worker() -> None:
        while queue:
            try:
                status: int | str = await check(queue.pop())
            except Exception as exc:  # a benchmark reports failures, it does not stop on them
                status = f"error:{type(exc).__name__}"
            statuses[status] = statuses.get(status, 0) + 1

    cpu, wall = cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    return {"wall": wall, "cpu": cpu, "statuses": statuses}


async def monitor_passes(
    urls: list[str], concurrency: int, transport: Literal["aiohttp", "httpx"]
) -> list[PassResult]:
    from monitor.fetch import Fetcher, FetchOptions, build_client
    from monitor.models import Validators

    options = FetchOptions(
        per_host_concurrency=concurrency,
        per_host_delay=0.0,
        max_connections=concurrency,
        allow_private_networks=True,
        retries=0,
        total_timeout=120.0,
        transport=transport,
    )
    state: dict[str, Validators] = {}
    async with build_client(options) as client:
        fetcher = Fetcher(client, options)

        async def check(url: str) -> int:
            page = await fetcher.fetch(url, state.get(url), discovered=False)
            state[url] = page.validators
            return 304 if page.not_modified else page.status

        return [await run_pool(urls, concurrency, check) for _ in range(2)]


Remembered = dict[str, tuple[str | None, str | None]]  # URL -> (ETag, Last-Modified)


def conditional_headers(state: Remembered, url: str) -> dict[str, str]:
    etag, modified = state.get(url, (None, None))
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    return headers


async def httpx_passes(urls: list[str], concurrency: int) -> list[PassResult]:
    import httpx

    state: Remembered = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def check(url: str) -> int:
            response = await client.get(url, headers=conditional_headers(state, url))
            state[url] = (response.headers.get("etag"), response.headers.get("last-modified"))
            return response.status_code

        return [await run_pool(urls, concurrency, check) for _ in range(2)]


async def aiohttp_passes(urls: list[str], concurrency: int) -> list[PassResult]:
    import aiohttp

    state: Remembered = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def check(url: str) -> int:
            async with session.get(url, headers=conditional_headers(state, url)) as response:
                await response.read()
                state[url] = (response.headers.get("etag"), response.headers.get("last-modified"))
                return response.status

        return [await run_pool(urls, concurrency, check) for _ in range(2)]


def worker_main(client: str, base: str, count: int, concurrency: int) -> None:
    urls = [f"{base}/story-{index}.html" for index in range(count)]
    if client == "monitor":
        passes = asyncio.run(monitor_passes(urls, concurrency, "aiohttp"))
    elif client == "monitor-httpx":
        passes = asyncio.run(monitor_passes(urls, concurrency, "httpx"))
    elif client == "httpx":
        passes = asyncio.run(httpx_passes(urls, concurrency))
    else:
        passes = asyncio.run(aiohttp_passes(urls, concurrency))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"passes": passes, "peak_rss_mb": peak_kb / 1024}))


# ------------------------------------------------- driver side


def run_worker(client: str, base: str, count: int, concurrency: int) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", client, "--base", base]
    command += ["--urls", str(count), "--concurrency", str(concurrency)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return result


def summarise(runs: list[dict[str, object]], count: int) -> list[str]:
    rows = []
    for index, label in enumerate(("pass 1 (200)", "pass 2 (304)")):
        walls = [run["passes"][index]["wall"] for run in runs]  # type: ignore[index]
        cpus = [run["passes"][index]["cpu"] for run in runs]  # type: ignore[index]
        statuses = runs[-1]["passes"][index]["statuses"]  # type: ignore[index]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        rows.append(
            f"  {label}: {wall:6.3f} s wall  {count / wall:7.0f} checks/s  "
            f"{cpu / count * 1000:5.3f} ms CPU/check ({cpu / count * 1000:.3f} s per 1,000)  "
            f"statuses {statuses}"
        )
    peak = max(float(run["peak_rss_mb"]) for run in runs)  # type: ignore[arg-type]
    rows.append(f"  peak RSS {peak:.1f} MB")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs per client; medians reported")
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--worker", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.base, args.urls, args.concurrency)
        return 0
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        root = Path(tmp)
        (root / "www").mkdir()
        root.chmod(0o755)
        write_pages(root / "www", args.urls)
        port = free_port()
        server = start_nginx(root, port)
        name = "nginx"
        if server is None:
            server, name = start_fallback_server(root, port), "aiohttp static server (no nginx)"
        try:
            wait_for_port(port)
            base = f"http://127.0.0.1:{port}"
            print(
                f"{args.urls} URLs on {name} at {base}, {args.concurrency} concurrent, "
                f"{args.runs} runs per client (medians), {os.cpu_count()} CPUs"
            )
            for client in args.clients.split(","):
                runs = [
                    run_worker(client, base, args.urls, args.concurrency) for _ in range(args.runs)
                ]
                print(client)
                print("\n".join(summarise(runs, args.urls)))
        finally:
            server.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
