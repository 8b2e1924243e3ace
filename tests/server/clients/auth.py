"""SigV4 against a seglogd that holds keys (--credentials FILE): the right key works, a wrong
secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId (boto3, unchanged).

usage: python3 auth.py ENDPOINT KEY_ID SECRET      exit 0 pass, 1 fail
"""
import sys
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import scenario

ENDPOINT, KEY_ID, SECRET = sys.argv[1:4]
CFG = Config(retries={"max_attempts": 1})


def client(service, key_id, secret):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", config=CFG,
                        aws_access_key_id=key_id, aws_secret_access_key=secret)


def error_code(call, **kw):
    try:
        call(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError(f"{call.__name__} with bad credentials succeeded")


def main():
    good = client("sqs", KEY_ID, SECRET)
    name = "auth" + uuid.uuid4().hex[:8]
    url = good.create_queue(QueueName=name)["QueueUrl"]
    good.send_message(QueueUrl=url, MessageBody="signed")
    print("ok - the right key works (SQS)", flush=True)
    code, status = error_code(client("sqs", KEY_ID, SECRET + "x").list_queues)
    assert code == "SignatureDoesNotMatch" and status == 403, f"wrong secret: {code} {status}"
    code, status = error_code(client("sqs", "AKIDUNKNOWN", SECRET).send_message,
                              QueueUrl=url, MessageBody="x")
    assert code == "InvalidClientTokenId" and status == 403, f"unknown key: {code} {status}"
    print("ok - SQS: wrong secret SignatureDoesNotMatch, unknown key InvalidClientTokenId", flush=True)
    kin = client("kinesis", KEY_ID, SECRET)
    kin.list_streams()
    # Kinesis names these errors its own way (AWS: InvalidSignatureException and
    # UnrecognizedClientException); either naming is accepted, a 4xx is required.
    code, status = error_code(client("kinesis", KEY_ID, SECRET + "x").list_streams)
    assert code in ("InvalidSignatureException", "SignatureDoesNotMatch") and 400 <= status < 500, \
        f"Kinesis, wrong secret: {code} {status}"
    code, status = error_code(client("kinesis", "AKIDUNKNOWN", SECRET).list_streams)
    assert code in ("UnrecognizedClientException", "InvalidClientTokenId") and 400 <= status < 500, \
        f"Kinesis, unknown key: {code} {status}"
    print(f"ok - Kinesis: the right key works, bad ones refused ({code})", flush=True)
    assert good.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] == "signed"
    good.delete_queue(QueueUrl=url)
    print("PASS", flush=True)


if __name__ == "__main__":
    scenario.run(main)
