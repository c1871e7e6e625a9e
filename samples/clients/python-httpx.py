#!/usr/bin/python3
"""python-httpx.py: does the server notice when an httpx 0.23 AsyncClient gives up?

Ways to give up, after --after seconds:
  timeout           a read timeout (httpx.Timeout(read=AFTER)) on /http1
  cancel            the asyncio task running client.get() is cancelled
  stream            leave `async with client.stream(...)` mid-body on /stream
  close-client      the workaround: cancel the task, then `await client.aclose()`
  dedicated-client  one client per request (`async with AsyncClient()` inside the task), closed by the cancel
Over HTTP/1.1 httpcore closes the connection, so the server notices every way. Over HTTP/2 (--http2)
httpcore 0.16 sends no RST_STREAM for timeout/cancel/stream: the stream is forgotten client-side and
the server runs the request to completion (those ways default to a short loop, 12 x 250 ms, so the
script ends soon). Only closing the connection (close-client, dedicated-client) reaches the server.
It then polls the ledger (GET /requests/{id}) and prints one JSON line.
Exit code: 0 the server noticed (clientAborted), 2 it did not, 1 error.

  /usr/bin/python3 samples/clients/python-httpx.py http://127.0.0.1:8080 --way cancel
  /usr/bin/python3 samples/clients/python-httpx.py http://127.0.0.1:8082 --http2 --way close-client
  /usr/bin/python3 samples/clients/python-httpx.py https://localhost:8081 --http2 --cacert PEM --way stream
(Debian's python3 with python3-httpx and python3-h2.)
"""
import argparse, asyncio, contextlib, json, secrets, sys, time
from datetime import datetime, timezone

import httpx

WAYS = ["timeout", "cancel", "stream", "close-client", "dedicated-client"]


def iso_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_client(args):
    # http1=False, http2=True: h2c with prior knowledge on http://, ALPN h2 on https://.
    return httpx.AsyncClient(base_url=args.base_url, http1=not args.http2, http2=args.http2, verify=args.cacert or True)


async def cancel_after(task, after, client=None):
    await asyncio.sleep(after)
    if task.done():
        raise RuntimeError(f"the request ended before the cancel: {task.result()!r}")
    cancelled_at = iso_now()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if client is not None:
        await client.aclose()  # closes the connection: the server sees it go
    return cancelled_at


async def give_up(client, args, headers):
    loop_url = f"/http1?iterations={args.iterations}&stepMs={args.step_ms}"
    if args.way == "timeout":
        try:
            await client.get(loop_url, headers=headers, timeout=httpx.Timeout(30, read=args.after))
        except httpx.ReadTimeout:
            return iso_now()
        raise RuntimeError("the request finished before the timeout")
    if args.way == "stream":
        url = f"/stream?chunkBytes=1024&intervalMs=100&durationMs={args.iterations * args.step_ms}"
        async with client.stream("GET", url, headers=headers) as response:
            until = time.monotonic() + args.after
            async for _ in response.aiter_raw():
                if time.monotonic() >= until:
                    cancelled_at = iso_now()
                    break  # leaving the block closes the response mid-body
            else:
                raise RuntimeError("the stream ended before --after")
        return cancelled_at
    if args.way == "dedicated-client":
        async def own_client():
            async with make_client(args) as own:  # closed when the cancel unwinds through it
                return await own.get(loop_url, headers=headers)
        return await cancel_after(asyncio.create_task(own_client()), args.after)
    task = asyncio.create_task(client.get(loop_url, headers=headers))
    return await cancel_after(task, args.after, client if args.way == "close-client" else None)


async def wait_for_end(ledger, request_id):
    deadline, entry = time.monotonic() + 15, None
    while time.monotonic() < deadline:
        response = await ledger.get(f"/requests/{request_id}")
        if response.status_code == 200:
            entry = response.json()
            if entry["endedAt"]:
                break
        elif response.status_code != 404:  # 404: not there yet
            raise RuntimeError(f"the ledger answered {response.status_code}: {response.text[:200]}")
        await asyncio.sleep(0.1)
    if entry is None:
        raise RuntimeError(f"the ledger has no entry {request_id}")
    return entry  # possibly still running after 15 s: the server did not notice


async def main(args):
    request_id = f"httpx-{'h2' if args.http2 else 'h1'}-{args.way}-{secrets.token_hex(4)}"
    # The victim's client stays open while the ledger is polled: closing it would close the
    # connection and tell the server after all.
    async with make_client(args) as client, make_client(args) as ledger:
        cancelled_at = await give_up(client, args, {"X-Request-Id": request_id})
        entry = await wait_for_end(ledger, request_id)
    noticed = entry["outcome"] == "clientAborted"
    print(json.dumps({"client": "python-httpx", "protocol": entry["protocol"], "way": args.way,
                      "requestId": request_id, "cancelledAt": cancelled_at,
                      "serverOutcome": entry["outcome"], "serverNoticed": noticed}), flush=True)
    return 0 if noticed else 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", metavar="BASE_URL")
    parser.add_argument("--way", choices=WAYS, default="cancel")
    parser.add_argument("--http2", action="store_true", help="HTTP/2 only (h2c on http://)")
    parser.add_argument("--cacert", help="the server's PEM, for https://")
    parser.add_argument("--after", type=float, default=1.5, help="seconds before giving up")
    parser.add_argument("--iterations", type=int, help="default 40; 12 where HTTP/2 runs on")
    parser.add_argument("--step-ms", type=int, default=250)
    args = parser.parse_args()
    if args.iterations is None:
        args.iterations = 12 if args.http2 and args.way in ("timeout", "cancel", "stream") else 40
    try:
        sys.exit(asyncio.run(main(args)))
    except Exception as e:  # noqa: BLE001 - any failure is exit 1 with its reason
        print(f"python-httpx.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
