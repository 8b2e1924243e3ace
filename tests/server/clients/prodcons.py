"""Separate producer and consumer processes sharing one queue and one stream (boto3).

usage: python3 prodcons.py setup|produce|consume ENDPOINT NAME N
  setup:   creates queue NAME and stream NAME (2 shards)
  produce: sends N messages (batches of 10) and puts N records (PutRecords of 10)
  consume: receives + deletes until it holds N distinct bodies, and reads both shards until it
           holds N distinct records; anything it did not expect fails it. Exit 0 pass, 1 fail.
"""
import sys
import time

import boto3
from botocore.config import Config

ROLE, ENDPOINT, NAME, N = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
CFG = Config(retries={"max_attempts": 1}, read_timeout=30)
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", config=CFG)
kin = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name="us-east-1", config=CFG)
EXPECTED = {f"item-{i}" for i in range(N)}
DEADLINE = time.monotonic() + 60


def setup():
    sqs.create_queue(QueueName=NAME)
    kin.create_stream(StreamName=NAME, ShardCount=2)
    kin.get_waiter("stream_exists").wait(StreamName=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def produce():
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    items = sorted(EXPECTED)
    for i in range(0, N, 10):
        chunk = items[i:i + 10]
        r = sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": b} for j, b in enumerate(chunk)])
        assert not r.get("Failed") and len(r["Successful"]) == len(chunk), f"send batch {r}"
        r = kin.put_records(StreamName=NAME, Records=[
            {"Data": b.encode(), "PartitionKey": b} for b in chunk])
        assert r["FailedRecordCount"] == 0, f"put records {r}"
    print(f"produced {N} messages and {N} records", flush=True)


def consume_queue():
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    seen = set()
    while seen != EXPECTED:
        assert time.monotonic() < DEADLINE, f"queue: {len(seen)} of {N} bodies by the deadline"
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=2).get("Messages", []):
            assert m["Body"] in EXPECTED, f"queue: unexpected body {m['Body']!r}"
            seen.add(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def consume_stream():
    its = {s["ShardId"]: kin.get_shard_iterator(StreamName=NAME, ShardId=s["ShardId"],
                                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
           for s in kin.list_shards(StreamName=NAME)["Shards"]}
    seen = {}
    while len(seen) < N:
        assert time.monotonic() < DEADLINE, f"stream: {len(seen)} of {N} records by the deadline"
        empty = True
        for shard, it in its.items():
            r = kin.get_records(ShardIterator=it, Limit=1000)
            its[shard] = r["NextShardIterator"]
            for rec in r["Records"]:
                body = rec["Data"].decode()
                assert body in EXPECTED, f"stream: unexpected record {body!r}"
                assert seen.setdefault(body, rec["SequenceNumber"]) == rec["SequenceNumber"], \
                    f"stream: {body} read twice with different sequence numbers"
                empty = False
        if empty:
            time.sleep(0.2)


def main():
    if ROLE == "setup":
        setup()
    elif ROLE == "produce":
        produce()
    else:
        consume_queue()
        print(f"consumer: {N} distinct messages received and deleted", flush=True)
        consume_stream()
        print(f"consumer: {N} distinct records read", flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL ({ROLE}): {e}", flush=True)
        sys.exit(1)
