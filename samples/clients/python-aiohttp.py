#!/usr/bin/python3
"""python-aiohttp.py: does the server notice when an aiohttp 3.8 ClientSession gives up?

aiohttp speaks HTTP/1.1 only, and a request it abandons mid-flight has its connection closed, not
returned to the pool. Ways to give up, after --after seconds:
  timeout  session.get(..., timeout=aiohttp.ClientTimeout(total=AFTER)) on /http1
  cancel   the asyncio task running session.get() is cancelled
Over http:// the socket closes at once and the server notices. Over https:// it does NOT: asyncio's
SSL transport close() sends a TLS close_notify and keeps the TCP socket open until the server answers
or ssl_shutdown_timeout (30 s) passes, and Kestrel, busy with the request, does not read it. The server
learns of it only when the TCP socket closes (30 s later, or when this process exits); the default
loop (40 x 250 ms) completes first, so https:// reports completed, exit 2.
It then polls the ledger (GET /requests/{id}) and prints one JSON line.
Exit code: 0 the server noticed (clientAborted), 2 it did not, 1 error.

  /usr/bin/python3 samples/clients/python-aiohttp.py http://127.0.0.1:8080 --way timeout
  /usr/bin/python3 samples/clients/python-aiohttp.py https://localhost:8081 --cacert PEM --way cancel
(Debian's python3 with python3-aiohttp.)
"""
import argparse, asyncio, contextlib, json, secrets, ssl, sys, time
from datetime import datetime, timezone

import aiohttp

WAYS = ["timeout", "cancel"]


def iso_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_session(args):
    tls = ssl.create_default_context(cafile=args.cacert) if args.cacert else None
    return aiohttp.ClientSession(base_url=args.base_url, connector=aiohttp.TCPConnector(ssl=tls))


async def fetch(session, url, headers, **kwargs):
    async with session.get(url, headers=headers, **kwargs) as response:
        return response.status, await response.read()


async def give_up(session, args, headers):
    url = f"/http1?iterations={args.iterations}&stepMs={args.step_ms}"
    if args.way == "timeout":
        try:
            await fetch(session, url, headers, timeout=aiohttp.ClientTimeout(total=args.after))
        except asyncio.TimeoutError:
            return iso_now()
        raise RuntimeError("the request finished before the timeout")
    task = asyncio.create_task(fetch(session, url, headers))
    await asyncio.sleep(args.after)
    if task.done():
        raise RuntimeError(f"the request ended before the cancel: {task.result()[0]}")
    cancelled_at = iso_now()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return cancelled_at


async def wait_for_end(ledger, request_id):
    deadline, entry = time.monotonic() + 15, None
    while time.monotonic() < deadline:
        async with ledger.get(f"/requests/{request_id}") as response:
            if response.status == 200:
                entry = await response.json()
                if entry["endedAt"]:
                    break
            elif response.status != 404:  # 404: not there yet
                raise RuntimeError(f"the ledger answered {response.status}: {(await response.text())[:200]}")
        await asyncio.sleep(0.1)
    if entry is None:
        raise RuntimeError(f"the ledger has no entry {request_id}")
    return entry  # possibly still running after 15 s: the server did not notice


async def main(args):
    request_id = f"aiohttp-{args.way}-{secrets.token_hex(4)}"
    # The victim's session stays open while the ledger is polled, so only the abandoned request's
    # own connection handling can tell the server.
    async with make_session(args) as session, make_session(args) as ledger:
        cancelled_at = await give_up(session, args, {"X-Request-Id": request_id})
        entry = await wait_for_end(ledger, request_id)
    noticed = entry["outcome"] == "clientAborted"
    print(json.dumps({"client": "python-aiohttp", "protocol": entry["protocol"], "way": args.way,
                      "requestId": request_id, "cancelledAt": cancelled_at,
                      "serverOutcome": entry["outcome"], "serverNoticed": noticed}), flush=True)
    return 0 if noticed else 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", metavar="BASE_URL")
    parser.add_argument("--way", choices=WAYS, default="cancel")
    parser.add_argument("--cacert", help="the server's PEM, for https://")
    parser.add_argument("--after", type=float, default=1.5, help="seconds before giving up")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--step-ms", type=int, default=250)
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(main(args)))
    except Exception as e:  # noqa: BLE001 - any failure is exit 1 with its reason
        print(f"python-aiohttp.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
