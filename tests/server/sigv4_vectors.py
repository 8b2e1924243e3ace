#!/usr/bin/env python3
"""Prints SigV4 test vectors signed by botocore's own signer, as JSON on stdout.

tests/server/sigv4_test.cc runs this with every interpreter that has botocore (pip's and
Debian's) and checks that seglogd's verifier (server/auth/sigv4.cc) accepts each request at its
signing time, and refuses altered copies. The signing clock is fixed by replacing the clock
botocore.auth reads: get_current_datetime (botocore >= 1.33) or datetime.datetime.utcnow (older).

Each vector: name, method, target (path and query as sent on the wire), headers (name/value
pairs as sent, Authorization and X-Amz-Date included, Host as the HTTP client adds it), body_b64,
time (unix seconds of the signature), region, service, access_key, secret, presigned, expires.
"""
import base64
import datetime
import json
import sys
import types
from urllib.parse import urlencode, urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLESEGLOG01"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SIGNED_AT = datetime.datetime(2026, 12, 7, 10, 41, 0)
SIGNED_AT_UNIX = int((SIGNED_AT - datetime.datetime(1970, 1, 1)).total_seconds())


def fix_clock():
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda *args, **kwargs: SIGNED_AT
    else:
        class FixedDatetime(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return SIGNED_AT

        botocore.auth.datetime = types.SimpleNamespace(
            datetime=FixedDatetime, timezone=datetime.timezone)


def as_text(v):
    return v.decode("latin-1") if isinstance(v, bytes) else str(v)


def sign(name, method, url, service, region, headers=None, body=b"", params=None,
         presign_expires=None, repeated=()):
    creds = Credentials(ACCESS_KEY, SECRET)
    req = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body,
                     params=params or {})
    for k, v in repeated:  # botocore's HTTPHeaders keeps every value of a repeated name
        req.headers[k] = v
    if presign_expires is None:
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
    else:
        botocore.auth.SigV4QueryAuth(creds, service, region,
                                     expires=presign_expires).add_auth(req)
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    # The signed request's own headers: prepare() would fold repeated names into one.
    sent = [[as_text(k), as_text(v)] for k, v in req.headers.items()]
    if not any(k.lower() == "host" for k, _ in sent):
        sent.append(["Host", botocore.auth._host_from_url(prepared.url)])
    data = prepared.body or b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return {
        "name": name, "method": method, "target": target, "headers": sent,
        "body_b64": base64.b64encode(data).decode("ascii"), "time": SIGNED_AT_UNIX,
        "region": region, "service": service, "access_key": ACCESS_KEY, "secret": SECRET,
        "presigned": presign_expires is not None, "expires": presign_expires or 0,
    }


def vectors():
    json_body = json.dumps({
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/q1",
        "MessageBody": "h\u00e9llo \u2713 w\u00f6rld {\"x\": 1}",
    }).encode("utf-8")
    form_body = urlencode([
        ("Action", "SendMessage"), ("Version", "2012-11-05"),
        ("QueueUrl", "http://localhost:9324/000000000000/q1"),
        ("MessageBody", "caf\u00e9 & cr\u00e8me = 100% \u2603 a+b ~/x"),
    ]).encode("ascii")
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    out = [
        sign("sqs_json_1_0", "POST", "https://sqs.us-east-1.amazonaws.com/", "sqs", "us-east-1",
             {"X-Amz-Target": "AmazonSQS.SendMessage",
              "Content-Type": "application/x-amz-json-1.0"}, json_body),
        sign("sqs_query_form", "POST", "http://localhost:9324/", "sqs", "us-east-1", form,
             form_body),
        sign("sqs_query_content_sha256", "POST", "http://127.0.0.1:4566/000000000000/q1", "sqs",
             "us-east-1", dict(form, **{"X-Amz-Content-SHA256":
                                        botocore.auth.sha256(form_body).hexdigest()}),
             form_body),
        sign("unsigned_payload", "POST", "https://sqs.us-east-1.amazonaws.com/", "sqs",
             "us-east-1", dict(form, **{"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}), form_body),
        sign("get_encoded_query", "GET",
             "http://localhost:9324/?b=x%20y&a=~%2Fz&a=%3D1&c=%E2%9C%93&empty=&flag", "sqs",
             "us-east-1"),
        sign("get_params", "GET", "http://localhost:9324/000000000000/q1", "sqs", "us-east-1",
             params=[("b", "x y"), ("a", "~/z"), ("a", "=1"), ("u", "\u2713 \u00e9"),
                     ("plus", "1+1"), ("Action", "GetQueueAttributes")]),
        sign("path_needs_encoding", "POST",
             "http://localhost:9324/000000000000/q%20name/%C3%BC!$'()*=:@~x-_.y", "sqs",
             "us-east-1", form, form_body),
        sign("kinesis_json_1_1", "POST", "https://kinesis.eu-west-1.amazonaws.com/", "kinesis",
             "eu-west-1",
             {"X-Amz-Target": "Kinesis_20131202.PutRecord",
              "Content-Type": "application/x-amz-json-1.1",
              "X-Seglog-Spaces": "a   b  c"},
             json.dumps({"StreamName": "s1", "Data": "aGVsbG8=", "PartitionKey": "pk"})
             .encode("ascii")),
        sign("repeated_header", "GET", "http://localhost:9324/?Action=ListQueues", "sqs",
             "us-east-1", repeated=[("X-Seglog-Multi", "first"), ("X-Seglog-Multi", "second  x"),
                                    ("X-Seglog-Multi", "third")]),
        sign("presigned_get", "GET",
             "https://sqs.us-east-1.amazonaws.com/000000000000/q1"
             "?Action=ReceiveMessage&MaxNumberOfMessages=5", "sqs", "us-east-1",
             presign_expires=3600),
        sign("presigned_region", "GET", "http://localhost:9324/?Action=ListQueues&Version=2012-11-05",
             "sqs", "ap-southeast-2", presign_expires=900),
    ]
    return out


def main():
    fix_clock()
    json.dump({"botocore": botocore.__version__, "python": sys.version.split()[0],
               "vectors": vectors()}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
