"""The demo's embedded broker under concurrent use: every message delivered once, nobody crashes.

Four processes publish while four others consume from the same SQLite broker
file, as the demo's web server, beat and worker threads do. The file-system
transport it replaces fails this very test: each of its consumers read a
message file that was still being written and died with ``JSONDecodeError``
(checked by pointing the test at ``filesystem://``; large bodies widen the window; give that
transport ``data_folder_in``/``data_folder_out`` and ``control_folder`` under ``tmp_path``, or it
writes ``./control/demo-broker-test.exchange`` into the repository).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from demo.broker import demo_broker_prepare, demo_broker_transport_options, demo_broker_url

PRODUCERS, CONSUMERS, PER_PRODUCER = 4, 4, 40
QUEUE = "demo-broker-test"

PRODUCER = textwrap.dedent("""
    import json, sys
    from kombu import Connection
    url, options, me, count = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    with Connection(url, transport_options=options) as conn:
        queue = conn.SimpleQueue("demo-broker-test")
        for n in range(count):
            # A large body: a torn write would show as a message that does not parse.
            queue.put({"id": f"{me}-{n}", "padding": "x" * 500_000})
        queue.close()
""")

CONSUMER = textwrap.dedent("""
    import json, sys
    from queue import Empty
    from kombu import Connection
    url, options, idle_rounds = sys.argv[1], json.loads(sys.argv[2]), 0
    seen = []
    with Connection(url, transport_options=options) as conn:
        queue = conn.SimpleQueue("demo-broker-test")
        while idle_rounds < 6:
            try:
                message = queue.get(timeout=0.5)
            except Empty:
                idle_rounds += 1
                continue
            idle_rounds = 0
            assert len(message.payload["padding"]) == 500_000
            seen.append(message.payload["id"])
            message.ack()
        queue.close()
    print(json.dumps(seen))
""")


def test_concurrent_publishers_and_consumers_get_every_message_exactly_once(tmp_path: Path) -> None:
    url = demo_broker_url(tmp_path)
    demo_broker_prepare(url, [QUEUE])
    options = json.dumps(demo_broker_transport_options())
    consumers = [subprocess.Popen([sys.executable, "-c", CONSUMER, url, options],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(CONSUMERS)]
    producers = [subprocess.Popen([sys.executable, "-c", PRODUCER, url, options, f"p{p}", str(PER_PRODUCER)],
                                  stderr=subprocess.PIPE, text=True)
                 for p in range(PRODUCERS)]
    for proc in producers:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    received: list[str] = []
    for proc in consumers:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        received += json.loads(out)
    expected = {f"p{p}-{n}" for p in range(PRODUCERS) for n in range(PER_PRODUCER)}
    assert len(received) == len(expected), "a message was lost or delivered twice"
    assert set(received) == expected
    # Delivered rows are kept by kombu; the demo drops them at its next start.
    assert demo_broker_prepare(url, [QUEUE]) == len(expected)
