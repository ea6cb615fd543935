"""The other end of the alert-burst benchmark: a WebSocket server (its own process) that sends N alerts
over about one second in messages with ids, and records when each message's receipt comes back.

Run by bench/alert_burst.py; prints `READY <port>`, then one JSON line of results when done."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.server import ServerConnection, serve


async def main(total: int, per_message: int, seconds: float) -> None:
    done = asyncio.Event()
    result: dict = {}

    async def handler(ws: ServerConnection) -> None:
        acks: dict[str, float] = {}
        sent: dict[str, float] = {}
        accepted = 0

        async def read_acks() -> None:
            nonlocal accepted
            async for raw in ws:
                msg = json.loads(raw)
                if "ack" in msg:
                    acks[msg["ack"]] = time.time()
                    accepted += msg.get("accepted", 0)
                    if len(acks) == len(sent) and len(sent) * per_message >= total:
                        return

        reader = asyncio.ensure_future(read_acks())
        await asyncio.sleep(0.5)  # let the console settle after connecting
        start = time.time()
        messages = total // per_message
        for m in range(messages):
            alerts = [{"key": f"burst-{m}-{k}", "severity": ("minor", "major", "info")[k % 3],
                       "domain": ("traffic", "security", "environment")[m % 3],
                       "title": f"Burst alert {m * per_message + k}", "unit": f"u{(m * 7 + k) % 40}",
                       "text": "benchmark", "time": time.time()} for k in range(per_message)]
            mid = f"m{m}"
            sent[mid] = time.time()
            await ws.send(json.dumps({"id": mid, "alerts": alerts}))
            # Spread the burst over `seconds`, as a backend flushing its backlog would.
            target = start + seconds * (m + 1) / messages
            if (delay := target - time.time()) > 0:
                await asyncio.sleep(delay)
        sent_done = time.time()
        try:
            await asyncio.wait_for(reader, 120)
        except TimeoutError:
            pass
        result.update(start=start, sent_done=sent_done, messages=messages, acked=len(acks), accepted=accepted,
                      last_ack=max(acks.values()) if acks else None)
        done.set()

    async with serve(handler, "127.0.0.1", 0, max_size=2**24) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        await done.wait()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
