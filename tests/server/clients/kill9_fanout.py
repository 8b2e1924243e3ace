"""SNS fan-out across kill -9 of seglogd (--durability always), through boto3, unchanged.

usage: python3 kill9_fanout.py setup|produce|verify ENDPOINT NAME LOGDIR
  setup:    topic NAME and queues NAME-all, NAME-raw (RawMessageDelivery) and NAME-even
            (FilterPolicy {"parity": ["even"]}), made through the SNS and SQS APIs, subscribed.
  produce:  publishes "p<i>" (i continuing from LOGDIR/acked) with attribute parity, one at a
            time, single and batch, with no client retries; appends "S <i>" before each send and
            "A <i>" once SNS acknowledged it; exits 0 at its first connection error (seglogd was
            killed: the message in flight is unknown, neither acked nor refused).
  verify:   drains the three queues: every acknowledged message arrived exactly once in
            NAME-all and NAME-raw, and in NAME-even when i is even; no message arrived twice;
            nothing arrived that was never sent; NAME-even got no odd one.
run by sns_run.py's kill9_fanout: setup, then 3 rounds of (produce, kill -9 at a random moment,
restart on the same --data), then verify. Exit 0 pass, 1 fail.
"""
import json
import os
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config

import scenario

ROLE, ENDPOINT, NAME, LOGDIR = sys.argv[1:5]
ACKED = os.path.join(LOGDIR, "acked")
cfg = Config(retries={"total_max_attempts": 1}, read_timeout=30, connect_timeout=5)
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", config=cfg)
sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1", config=cfg)
TOPIC = f"arn:aws:sns:us-east-1:000000000000:{NAME}"
QUEUES = {"all": {}, "raw": {"RawMessageDelivery": "true"},
          "even": {"FilterPolicy": json.dumps({"parity": ["even"]})}}


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def setup():
    check(sns.create_topic(Name=NAME)["TopicArn"] == TOPIC, "topic ARN")
    for q, attrs in QUEUES.items():
        url = sqs.create_queue(QueueName=f"{NAME}-{q}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=TOPIC, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"],
                      Attributes=attrs)


def log_lines():
    if not os.path.exists(ACKED):
        return []
    with open(ACKED) as f:
        return [line.split() for line in f if line.strip()]


def attrs(i):
    return {"parity": {"DataType": "String", "StringValue": "even" if i % 2 == 0 else "odd"}}


def produce():
    sent = [int(x[1]) for x in log_lines() if x[0] == "S"]
    i = max(sent) + 1 if sent else 0
    with open(ACKED, "a") as log:
        def note(kind, ids):
            log.write("".join(f"{kind} {n}\n" for n in ids))
            log.flush()
        while True:
            batch = (i // 7) % 2 == 1  # runs of single publishes and of batches of 3
            ids = [i, i + 1, i + 2] if batch else [i]
            note("S", ids)
            try:
                if batch:
                    r = sns.publish_batch(TopicArn=TOPIC, PublishBatchRequestEntries=[
                        {"Id": f"e{n}", "Message": f"p{n}", "MessageAttributes": attrs(n)}
                        for n in ids])
                    check(not r.get("Failed"), r)
                else:
                    sns.publish(TopicArn=TOPIC, Message=f"p{i}", MessageAttributes=attrs(i))
            except (botocore.exceptions.ConnectionError,  # refused, reset, closed, timed out
                    botocore.exceptions.HTTPClientError):
                return  # seglogd was killed; the driver restarts it
            note("A", ids)
            i += len(ids)


def drain(url, settle_s=3.0):
    """Every message of the queue, once the fan-out has been quiet for settle_s."""
    got, quiet_since = [], time.monotonic()
    deadline = time.monotonic() + 120
    while time.monotonic() - quiet_since < settle_s and time.monotonic() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                VisibilityTimeout=600)
        msgs = r.get("Messages", [])
        if msgs:
            quiet_since = time.monotonic()
        got += msgs
    return got


def verify():
    lines = log_lines()
    sent = {int(x[1]) for x in lines if x[0] == "S"}
    acked = {int(x[1]) for x in lines if x[0] == "A"}
    check(len(acked) >= 30, f"only {len(acked)} acknowledged publishes")
    for q in QUEUES:
        url = sqs.get_queue_url(QueueName=f"{NAME}-{q}")["QueueUrl"]
        bodies = [m["Body"] for m in drain(url)]
        if q != "raw":
            envs = [json.loads(b) for b in bodies]
            check(all(e["Type"] == "Notification" and e["TopicArn"] == TOPIC for e in envs), q)
            bodies = [e["Message"] for e in envs]
        nums = [int(b[1:]) for b in bodies]
        dups = sorted({n for n in nums if nums.count(n) > 1})
        check(not dups, f"{q}: delivered twice: {dups[:10]}")
        check(set(nums) <= sent, f"{q}: never sent: {sorted(set(nums) - sent)[:10]}")
        want = {n for n in acked if q != "even" or n % 2 == 0}
        missing = sorted(want - set(nums))
        check(not missing, f"{q}: acknowledged and lost: {missing[:10]} (of {len(want)})")
        if q == "even":
            check(all(n % 2 == 0 for n in nums), "even: an odd message passed the filter")
        print(f"{q}: {len(nums)} messages, {len(want)} acknowledged ones all there once")


if __name__ == "__main__":
    scenario.run({"setup": setup, "produce": produce, "verify": verify}[ROLE])
