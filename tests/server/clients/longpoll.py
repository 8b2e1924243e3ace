"""200 concurrent long polls (WaitTimeSeconds 3) on one queue and one SendMessage (boto3):
exactly one receive gets the message, the other 199 return empty without an error.

usage: python3 longpoll.py ENDPOINT      exit 0 pass, 1 fail
"""
import sys
import threading
import time
import uuid

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1]
N = 200
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=Config(max_pool_connections=N + 10, retries={"max_attempts": 1},
                                 read_timeout=60, connect_timeout=30))


def main():
    # The visibility timeout outlasts the test: a received message cannot come back to another.
    url = sqs.create_queue(QueueName="lp" + uuid.uuid4().hex[:8],
                           Attributes={"VisibilityTimeout": "120"})["QueueUrl"]
    results, errors = [None] * N, []
    started = threading.Barrier(N + 1)

    def poll(i):
        started.wait()
        try:
            results[i] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3).get("Messages", [])
        except Exception as e:  # noqa: BLE001 - every error is a failure, reported below
            errors.append(f"receive {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.5)  # most polls are waiting by now; correctness does not depend on it
    body = "the one message " + uuid.uuid4().hex
    sqs.send_message(QueueUrl=url, MessageBody=body)
    for t in threads:
        t.join(120)
    assert not errors, f"{len(errors)} receives failed, e.g. {errors[:3]}"
    assert all(r is not None for r in results), "a receive never returned"
    winners = [r for r in results if r]
    assert len(winners) == 1, f"{len(winners)} receives got a message, expected exactly 1"
    assert [m["Body"] for m in winners[0]] == [body], f"the winner got {winners[0]}"
    print(f"ok - 1 of {N} long polls got the message, {N - 1} returned empty", flush=True)
    sqs.delete_queue(QueueUrl=url)
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)
