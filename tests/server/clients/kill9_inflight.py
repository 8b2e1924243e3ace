"""In-flight messages across kill -9 of seglogd (--durability always), through boto3, unchanged.

usage: python3 kill9_inflight.py setup|round|final ENDPOINT NAME STATE_FILE [ROUND]
  setup:  creates standard queue NAME, sends N messages and receives half of them with
          VisibilityTimeout 120 (those are "in flight", the rest "visible").
  round:  (after a kill -9 and a restart on the same --data) ReceiveMessage returns every
          visible message and none in flight; a receipt from before the restart still deletes
          its message; ChangeMessageVisibility(0) with one makes its message receivable again
          (the old receipt is then stale); every stale receipt of an earlier round (its message
          was received again since) answers DeleteMessage with success, as SQS does on a
          standard queue, and deletes nothing; then half of the messages in flight are made
          visible again for the next round.
  final:  every message not deleted is received (so no stale receipt deleted one), the deleted
          ones never are; then all are deleted and the queue is empty.
STATE_FILE (JSON) carries what the rounds know between processes: each message's current
receipt (None when visible), the stale receipts (with their round) and the deleted ids.
Exit 0 pass, 1 fail.
"""
import json
import os
import sys

import boto3
from botocore.config import Config

import scenario

ROLE, ENDPOINT, NAME, STATE = sys.argv[1:5]
ROUND = int(sys.argv[5]) if len(sys.argv) > 5 else 0
N = 40
HIDE_S = 120  # longer than the whole test: only a restart could bring these back early
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=Config(retries={"max_attempts": 1}, read_timeout=30))


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def load():
    with open(STATE) as f:
        return json.load(f)


def save(st):
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, STATE)


def receive_exactly(url, want, forbidden):
    """Receives (VisibilityTimeout HIDE_S) until every id of `want` came, then once more to see
    that nothing else comes; any id of `forbidden` or outside `want` fails. {id: receipt}."""
    got = {}
    for _ in range(60):
        if set(got) == want:
            break
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                VisibilityTimeout=HIDE_S).get("Messages", [])
        for m in r:
            mid = m["MessageId"]
            check(mid not in forbidden, f"message {mid} came back while it was in flight or deleted")
            check(mid in want, f"unexpected message {mid}")
            check(mid not in got, f"message {mid} delivered twice while hidden")
            got[mid] = m["ReceiptHandle"]
    check(set(got) == want, f"received {len(got)} of {len(want)} visible messages")
    extra = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                VisibilityTimeout=HIDE_S).get("Messages", [])
    check(not extra, f"{[m['MessageId'] for m in extra]} received beyond the visible ones")
    return got


def setup():
    url = sqs.create_queue(QueueName=NAME)["QueueUrl"]
    ids = [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"] for i in range(N)]
    receipts = {i: None for i in ids}
    taken = 0
    for _ in range(60):
        if taken == N // 2:
            break
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, N // 2 - taken),
                                VisibilityTimeout=HIDE_S, WaitTimeSeconds=1).get("Messages", [])
        for m in r:
            receipts[m["MessageId"]] = m["ReceiptHandle"]
            taken += 1
    check(taken == N // 2, f"received {taken} of {N // 2}")
    save({"url": url, "receipts": receipts, "stale": [], "deleted": []})
    print(f"sent {N}, {taken} in flight for {HIDE_S} s", flush=True)


def one_round():
    st = load()
    url, receipts, deleted = st["url"], st["receipts"], set(st["deleted"])
    in_flight = {i for i, r in receipts.items() if r is not None}
    visible = {i for i, r in receipts.items() if r is None} - deleted
    check(len(in_flight) >= 3, "too few messages in flight for a round")

    # 1. After the restart: the visible ones come, none of those in flight.
    for mid, r in receive_exactly(url, visible, in_flight | deleted).items():
        receipts[mid] = r
    # 2. A receipt from before the restart still deletes its message.
    victim = sorted(in_flight)[0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=receipts[victim])
    deleted.add(victim)
    receipts[victim] = None
    # 3. ChangeMessageVisibility(0) with a receipt from before the restart: receivable again.
    again = sorted(in_flight)[1]
    old = receipts[again]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=0)
    receipts[again] = receive_exactly(url, {again}, deleted)[again]
    st["stale"].append({"id": again, "receipt": old, "round": ROUND})
    # 4. Stale receipts of earlier rounds (their message was received since): DeleteMessage
    #    succeeds (SQS on a standard queue) and deletes nothing (checked by `final`).
    for s in st["stale"]:
        if s["round"] < ROUND:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=s["receipt"])
    # 5. Half of the messages in flight become visible for the next round; their receipts
    #    turn stale when they are received again.
    live = sorted(i for i, r in receipts.items() if r is not None)
    for mid in live[::2]:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipts[mid], VisibilityTimeout=0)
        st["stale"].append({"id": mid, "receipt": receipts[mid], "round": ROUND})
        receipts[mid] = None
    st["deleted"] = sorted(deleted)
    save(st)
    print(f"round {ROUND}: {len(visible)} visible received, {len(in_flight)} stayed in flight, "
          f"{len(deleted)} deleted, {len(st['stale'])} stale receipts", flush=True)


def final():
    st = load()
    url, receipts, deleted = st["url"], st["receipts"], set(st["deleted"])
    for mid, r in receipts.items():
        if r is not None:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=r, VisibilityTimeout=0)
    alive = set(receipts) - deleted
    got = receive_exactly(url, alive, deleted)
    stale_ids = {s["id"] for s in st["stale"]} - deleted
    check(stale_ids <= set(got), "a stale receipt deleted its message")
    for r in got.values():
        sqs.delete_message(QueueUrl=url, ReceiptHandle=r)
    check(not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"),
          "messages left after deleting all")
    print(f"final: {len(got)} alive (the stale receipts of {len(stale_ids)} deleted nothing), "
          f"{len(deleted)} deleted for good", flush=True)


if __name__ == "__main__":
    scenario.run({"setup": setup, "round": one_round, "final": final}[ROLE])
