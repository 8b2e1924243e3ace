"""The SNS fan-out scenario through boto3, unchanged (pip's and Debian's: both speak SNS's Query
protocol): a topic and three SQS queues made through the SQS API, three subscriptions (one plain,
one raw, one with a filter policy), Publish and PublishBatch with message attributes, then what
each queue received, read through the SQS API; a FIFO topic into a FIFO queue in order; SNS's
errors; the envelope's signature (when python's `cryptography` is installed) and its
UnsubscribeURL.

usage: PYTHON sns_scenario.py ENDPOINT_URL      Exit 0 pass, 1 fail.
"""
import base64
import json
import os
import sys
import time
import urllib.request
import uuid

import boto3

from scenario import run

ENDPOINT = sys.argv[1]
MOTO = os.environ.get("SEGLOG_CLIENTS_MOTO") == "1"  # checking the scenario against moto_server
ACCOUNT = "123456789012" if MOTO else "000000000000"
PREFIX = "sns" + uuid.uuid4().hex[:8]
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def queue(name, fifo=False):
    attrs = {"FifoQueue": "true"} if fifo else {}
    if fifo and MOTO:  # moto does not pass the topic's deduplication id on
        attrs["ContentBasedDeduplication"] = "true"
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def receive_all(url, want, timeout=30):
    """Receives (and deletes) until `want` messages came, then checks nothing more comes."""
    got, deadline = [], time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                MessageAttributeNames=["All"], AttributeNames=["All"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    check(len(got) == want, f"{url}: {len(got)} messages arrived, expected {want}")
    extra = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    check(not extra, f"{url}: an unexpected message arrived: {extra}")
    return got


def verify_signature(env):
    """SNS's signature check, as a subscriber does it (skipped without `cryptography`)."""
    if MOTO:
        return  # moto's signatures are placeholders
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
    except ImportError:
        print("(signature not verified: python's cryptography is not installed)")
        return
    keys = ["Message", "MessageId"] + (["Subject"] if "Subject" in env else []) + \
        ["Timestamp", "TopicArn", "Type"]
    text = "".join(f"{k}\n{env[k]}\n" for k in keys).encode()
    with urllib.request.urlopen(env["SigningCertURL"], timeout=10) as r:
        cert = x509.load_pem_x509_certificate(r.read())
    algo = hashes.SHA1() if env["SignatureVersion"] == "1" else hashes.SHA256()
    cert.public_key().verify(base64.b64decode(env["Signature"]), text, padding.PKCS1v15(), algo)


def fanout():
    topic = sns.create_topic(Name=PREFIX, Attributes={"DisplayName": "fan out"},
                             Tags=[{"Key": "team", "Value": "core"}])["TopicArn"]
    check(topic == f"arn:aws:sns:us-east-1:{ACCOUNT}:{PREFIX}", topic)
    check(sns.create_topic(Name=PREFIX)["TopicArn"] == topic, "CreateTopic is idempotent")
    (ua, aa), (ub, ab), (uc, ac) = (queue(PREFIX + s) for s in ("-env", "-raw", "-red"))
    sa = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=aa,
                       ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=ab,
                  Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=ac,
                  Attributes={"FilterPolicy": json.dumps({"color": ["red"]})})
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    check(sorted(s["Endpoint"] for s in subs) == sorted([aa, ab, ac]), subs)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sa)["Attributes"]
    check(attrs["PendingConfirmation"] == "false" and attrs["Protocol"] == "sqs", attrs)
    t = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    check(t["DisplayName"] == "fan out", t)
    check(MOTO or t["SubscriptionsConfirmed"] == "3", t)  # moto counts none
    check(sns.list_tags_for_resource(ResourceArn=topic)["Tags"] ==
          [{"Key": "team", "Value": "core"}], "tags")

    def attr(color, **more):
        a = {"color": {"DataType": "String", "StringValue": color}}
        a.update(more)
        return a
    sent = {}  # message -> (MessageId, color)
    r = sns.publish(TopicArn=topic, Message="m1", Subject="hello",
                    MessageAttributes=attr("red", size={"DataType": "Number",
                                                        "StringValue": "5"}))
    sent["m1"] = (r["MessageId"], "red")
    r = sns.publish(TargetArn=topic, Message="m2", MessageAttributes=attr("blue"))
    sent["m2"] = (r["MessageId"], "blue")
    entries = [{"Id": "b1", "Message": "b1", "MessageAttributes": attr("red")},
               {"Id": "b2", "Message": "b2", "MessageAttributes": attr("green")},
               {"Id": "b3", "Message": "b3", "MessageAttributes": attr(  # moto: no raw Binary
                   "red", **({} if MOTO else {"blob": {"DataType": "Binary",
                                                       "BinaryValue": b"\x00\x01\xff"}}))}]
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    check(not r.get("Failed") and len(r["Successful"]) == 3, r)
    for s in r["Successful"]:
        sent[s["Id"]] = (s["MessageId"], {"b1": "red", "b2": "green", "b3": "red"}[s["Id"]])

    envs = [json.loads(m["Body"]) for m in receive_all(ua, 5)]
    check(sorted(e["Message"] for e in envs) == sorted(sent), envs)
    for e in envs:
        mid, color = sent[e["Message"]]
        check(e["Type"] == "Notification" and e["MessageId"] == mid and e["TopicArn"] == topic, e)
        check(e["MessageAttributes"]["color"] == {"Type": "String", "Value": color}, e)
        check(MOTO or e["UnsubscribeURL"].endswith(sa.replace(":", "%3A")) or
              e["UnsubscribeURL"].endswith(sa), e["UnsubscribeURL"])
        verify_signature(e)
        if e["Message"] == "m1":
            check(e["Subject"] == "hello", e)
            check(e["MessageAttributes"]["size"] == {"Type": "Number", "Value": "5"}, e)
        if e["Message"] == "b3" and not MOTO:
            check(e["MessageAttributes"]["blob"] == {"Type": "Binary", "Value": "AAH/"}, e)
    raw = receive_all(ub, 5)
    check(sorted(m["Body"] for m in raw) == sorted(sent), [m["Body"] for m in raw])
    for m in raw:
        check(m["MessageAttributes"]["color"]["StringValue"] == sent[m["Body"]][1], m)
        if m["Body"] == "b3" and not MOTO:
            check(m["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff", m)
    red = [json.loads(m["Body"])["Message"] for m in receive_all(uc, 3)]
    check(sorted(red) == ["b1", "b3", "m1"], red)

    # The UnsubscribeURL works as SNS's: a plain GET (moto's points at AWS).
    if MOTO:
        sns.unsubscribe(SubscriptionArn=sa)
        return topic
    with urllib.request.urlopen(envs[0]["UnsubscribeURL"], timeout=10) as resp:
        check(resp.status == 200 and b"UnsubscribeResponse" in resp.read(), "unsubscribe")
    left = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    check(sorted(s["Endpoint"] for s in left) == sorted([ab, ac]), left)
    return topic


def fifo():
    topic = sns.create_topic(Name=PREFIX + ".fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = queue(PREFIX + "-q.fifo", fifo=True)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    seqs = []
    for i in range(5):
        r = sns.publish(TopicArn=topic, Message=f"f{i}", MessageGroupId="g")
        seqs.append(int(r.get("SequenceNumber", i)))  # moto answers none
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"f{i}", "MessageGroupId": "g"} for i in range(5, 10)])
    check(len(r["Successful"]) == 5, r)
    seqs += [int(s.get("SequenceNumber", 5 + k)) for k, s in enumerate(r["Successful"])]
    check(seqs == sorted(seqs) and len(set(seqs)) == 10, seqs)
    got = [json.loads(m["Body"])["Message"] for m in receive_all(url, 10)]
    check(got == [f"f{i}" for i in range(10)], got)
    # Content-based dedup: the same message again within 5 minutes is not delivered again.
    if not MOTO:  # moto does not deduplicate on FIFO topics
        sns.publish(TopicArn=topic, Message="f0", MessageGroupId="g")
        receive_all(url, 0, timeout=2)


def errors(topic):
    missing = topic + "-missing"
    try:
        sns.publish(TopicArn=missing, Message="x")
        raise AssertionError("publish to a missing topic succeeded")
    except sns.exceptions.NotFoundException as e:
        check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response)
    _, arn = queue(PREFIX + "-err")
    try:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
            "FilterPolicy": json.dumps({"price": [{"numeric": [">", "ten"]}]})})
        raise AssertionError("a bad filter policy was accepted")
    except sns.exceptions.InvalidParameterException as e:
        msg = e.response["Error"]["Message"]  # SNS's names the rule, seglog's the key too
        check("FilterPolicy" in msg and (MOTO or "price" in msg), e.response["Error"])
    if not MOTO:  # moto accepts http subscriptions
        try:
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:1/")
            raise AssertionError("an http subscription was accepted")
        except sns.exceptions.InvalidParameterException as e:
            check("http" in e.response["Error"]["Message"], e.response["Error"])
    sns.delete_topic(TopicArn=topic)
    check(topic not in [t["TopicArn"] for t in sns.list_topics()["Topics"]], "deleted")


def main():
    topic = fanout()
    fifo()
    errors(topic)
    print("sns scenario: ok")


if __name__ == "__main__":
    run(main)
