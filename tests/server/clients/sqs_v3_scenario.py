"""Issue 14's SQS features through boto3, unchanged: pip's (AWS JSON 1.0) and Debian's (Query).

usage: PYTHON sqs_v3_scenario.py ENDPOINT_URL
Steps: queue tags (CreateQueue's tags, TagQueue, UntagQueue, ListQueueTags); RedriveAllowPolicy
(kept, returned, enforced when a RedrivePolicy names the queue); ListDeadLetterSourceQueues with
pages; a dead-letter move that keeps MessageId and ApproximateReceiveCount; message move tasks
(StartMessageMoveTask, ListMessageMoveTasks until COMPLETED, CancelMessageMoveTask of a slow
one); a FIFO ReceiveRequestAttemptId retry that returns the same receipts; PurgeQueueInProgress
on a second purge (seglogd's default --limits aws). Move tasks need a botocore that has them
(Debian's 1.29 does not: those steps print a note there and run with pip's). Exit 0 pass, 1 fail.
"""
import json
import sys
import time
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

import scenario

ENDPOINT = sys.argv[1]
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=Config(retries={"max_attempts": 1}))
PREFIX = "v3" + uuid.uuid4().hex[:8]
HAS_MOVE_TASKS = "StartMessageMoveTask" in sqs.meta.service_model.operation_names
print(f"botocore {botocore.__version__}, protocol {sqs.meta.service_model.protocol}", flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def error_code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError(f"{fn.__name__} succeeded, an error was expected")


def create(name, **attrs):
    return sqs.create_queue(QueueName=PREFIX + name, Attributes=attrs)["QueueUrl"]


def arn(url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]


def attr(url, name):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name]).get(
        "Attributes", {}).get(name)


def redrive(dlq_url, max_receives):
    return json.dumps({"deadLetterTargetArn": arn(dlq_url), "maxReceiveCount": str(max_receives)})


def receive(url, **kw):
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                               AttributeNames=["All"], **kw).get("Messages", [])


def drain_to_dlq(src, n, max_receives):
    """Receives src's n messages max_receives + 1 times each (visibility 0): all go to its DLQ."""
    for _ in range(max_receives + 2):
        for _ in range(n // 10 + 2):
            receive(src, VisibilityTimeout=0)


def wait_until(what, fn, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def step_tags():
    url = sqs.create_queue(QueueName=PREFIX + "-tags", tags={"team": "a", "env": "dev"})["QueueUrl"]
    check(sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"team": "a", "env": "dev"},
          "CreateQueue's tags")
    sqs.tag_queue(QueueUrl=url, Tags={"team": "b", "cost": "12"})
    check(sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"team": "b", "env": "dev", "cost": "12"},
          "TagQueue adds and replaces")
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "never-set"])
    check(sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"team": "b", "cost": "12"},
          "UntagQueue removes")
    code = error_code(sqs.tag_queue, QueueUrl=url, Tags={"aws:x": "1"})
    check(code == "InvalidParameterValue", f"an aws: tag key: {code}")
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost"])
    check(not sqs.list_queue_tags(QueueUrl=url).get("Tags"), "all tags removed")
    sqs.delete_queue(QueueUrl=url)


def step_redrive_allow_and_sources():
    dlq = create("-dlq")
    srcs = [create(f"-src{i}") for i in range(3)]
    allowed = {"redrivePermission": "byQueue", "sourceQueueArns": [arn(u) for u in srcs]}
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(allowed)})
    check(json.loads(attr(dlq, "RedriveAllowPolicy")) == allowed, "RedriveAllowPolicy round trip")
    for u in srcs:
        sqs.set_queue_attributes(QueueUrl=u, Attributes={"RedrivePolicy": redrive(dlq, 2)})
    other = create("-other")
    code = error_code(sqs.set_queue_attributes, QueueUrl=other,
                      Attributes={"RedrivePolicy": redrive(dlq, 2)})
    check(code == "InvalidParameterValue", f"a source the DLQ does not allow: {code}")
    code = error_code(sqs.set_queue_attributes, QueueUrl=dlq,
                      Attributes={"RedriveAllowPolicy": '{"redrivePermission":"byQueue"}'})
    check(code == "InvalidAttributeValue", f"byQueue without sourceQueueArns: {code}")

    all_sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
    check(sorted(all_sources) == sorted(srcs), f"ListDeadLetterSourceQueues {all_sources}")
    page1 = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    check(len(page1["queueUrls"]) == 2 and "NextToken" in page1, f"first page {page1}")
    page2 = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2,
                                               NextToken=page1["NextToken"])
    check(sorted(page1["queueUrls"] + page2["queueUrls"]) == sorted(srcs), "pages")
    check("NextToken" not in page2, "the last page has a NextToken")
    for u in srcs + [other, dlq]:
        sqs.delete_queue(QueueUrl=u)


def step_dead_letter_move():
    dlq = create("-mdlq")
    src = create("-msrc")
    sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": redrive(dlq, 2)})
    mid = sqs.send_message(QueueUrl=src, MessageBody="to the dlq")["MessageId"]
    for _ in range(2):
        check(len(receive(src, VisibilityTimeout=0)) == 1, "a receive in src")
    check(not receive(src, VisibilityTimeout=0), "the message stayed in src past its count")
    got = wait_until("the message in the DLQ", lambda: receive(dlq, VisibilityTimeout=0))
    check(got[0]["MessageId"] == mid, "the DLQ move changed the MessageId")
    check(got[0]["Attributes"]["ApproximateReceiveCount"] == "3",
          f"ApproximateReceiveCount {got[0]['Attributes']['ApproximateReceiveCount']}")
    check(got[0]["Attributes"].get("DeadLetterQueueSourceArn") == arn(src),
          f"DeadLetterQueueSourceArn {got[0]['Attributes'].get('DeadLetterQueueSourceArn')}")
    return dlq, src


def newest_task(source_arn):
    r = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
    return r[0] if r else None


def step_move_tasks(dlq, src):
    if not HAS_MOVE_TASKS:
        print("note - this botocore has no message move tasks (pip's checks them)", flush=True)
        return
    dlq_arn = arn(dlq)
    for i in range(5):  # with the one step_dead_letter_move left there: 6 in the DLQ
        sqs.send_message(QueueUrl=src, MessageBody=f"m{i}")
    drain_to_dlq(src, 5, 2)
    wait_until("6 messages in the DLQ", lambda: attr(dlq, "ApproximateNumberOfMessages") == "6")
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    check(handle, "no TaskHandle")
    done = wait_until("the move task to end",
                      lambda: (t := newest_task(dlq_arn)) and t["Status"] not in
                      ("RUNNING", "CANCELLING") and t)
    check(done["Status"] == "COMPLETED", f"move task {done}")
    check(done["ApproximateNumberOfMessagesMoved"] == 6, f"moved {done}")
    check("TaskHandle" not in done, "a finished task lists its TaskHandle")
    check(attr(dlq, "ApproximateNumberOfMessages") == "0", "the DLQ is not empty")
    check(attr(src, "ApproximateNumberOfMessages") == "6", "the source did not get them back")

    # A slow task (1 message a second) to a destination: listed RUNNING, then cancelled.
    dest = create("-dest")
    drain_to_dlq(src, 6, 2)
    wait_until("6 messages in the DLQ again", lambda: attr(dlq, "ApproximateNumberOfMessages") == "6")
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn(dest),
                                         MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    code = error_code(sqs.start_message_move_task, SourceArn=dlq_arn)
    check(code == "InvalidParameterValue", f"a second task for the source: {code}")
    t = newest_task(dlq_arn)
    check(t["Status"] == "RUNNING" and t["TaskHandle"] == handle, f"running task {t}")
    check(t["DestinationArn"] == arn(dest) and t["MaxNumberOfMessagesPerSecond"] == 1, f"{t}")
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    check(moved < 6, f"cancelled after {moved} moves")
    end = wait_until("the cancel", lambda: (t := newest_task(dlq_arn)) and
                     t["Status"] == "CANCELLED" and t)
    check("TaskHandle" not in end, "a cancelled task lists its TaskHandle")
    total = int(attr(dest, "ApproximateNumberOfMessages")) + int(attr(dlq, "ApproximateNumberOfMessages"))
    check(total == 6, f"{total} messages in dest + DLQ after the cancel, expected 6")
    code = error_code(sqs.cancel_message_move_task, TaskHandle=handle)
    check(code == "ResourceNotFoundException", f"cancel of a cancelled task: {code}")
    code = error_code(sqs.start_message_move_task, SourceArn=arn(dest))
    check(code == "InvalidParameterValue", f"a source that is no DLQ: {code}")
    sqs.delete_queue(QueueUrl=dest)


def step_attempt_id():
    f = create("-a.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for i in range(3):
        sqs.send_message(QueueUrl=f, MessageBody=f"b{i}", MessageGroupId="g")
    first = receive(f, VisibilityTimeout=60, ReceiveRequestAttemptId="try-1")
    check(len(first) == 3, f"received {len(first)}")
    retry = receive(f, VisibilityTimeout=60, ReceiveRequestAttemptId="try-1")
    check([m["ReceiptHandle"] for m in retry] == [m["ReceiptHandle"] for m in first],
          "the retried attempt returned other receipts")
    check(not receive(f, ReceiveRequestAttemptId="try-2"), "a new attempt got the busy group")
    for m in first:
        sqs.delete_message(QueueUrl=f, ReceiptHandle=m["ReceiptHandle"])
    sqs.delete_queue(QueueUrl=f)


def step_purge_in_progress():
    url = create("-purge")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    try:
        sqs.purge_queue(QueueUrl=url)
        raise AssertionError("a second PurgeQueue within 60 s succeeded")
    except sqs.exceptions.PurgeQueueInProgress as e:
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check(status == 403, f"PurgeQueueInProgress with HTTP {status}")
    sqs.delete_queue(QueueUrl=url)


def main():
    step_tags()
    print("ok - tags", flush=True)
    step_redrive_allow_and_sources()
    print("ok - RedriveAllowPolicy, ListDeadLetterSourceQueues", flush=True)
    dlq, src = step_dead_letter_move()
    print("ok - dead-letter move keeps MessageId and ApproximateReceiveCount", flush=True)
    step_move_tasks(dlq, src)
    print("ok - message move tasks", flush=True)
    step_attempt_id()
    print("ok - ReceiveRequestAttemptId", flush=True)
    step_purge_in_progress()
    print("ok - PurgeQueueInProgress", flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    scenario.run(main)
