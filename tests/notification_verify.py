#!/usr/bin/env python3
"""Cross-checks seglog's SNS envelopes with a second implementation of AWS's verification
algorithm ("Verifying the signatures of Amazon SNS messages"): python's `cryptography`.

Usage: notification_verify.py SEGLOG_TESTS_BINARY
Runs the binary's NotificationTest.Export case with $SEGLOG_NOTIFICATION_EXPORT set to a temp
directory (it writes signing.crt, v1.json, v2.json, fifo.json there), then for each envelope:
checks the field order and the timestamp's form, builds the string to sign from the parsed
fields (Message, MessageId, Subject when present, Timestamp, TopicArn, Type: "Name\\nvalue\\n"),
verifies the base64 signature with the certificate's public key (PKCS#1 v1.5, SHA1 for
SignatureVersion 1, SHA256 for 2), and checks a changed message fails. Exit 77 (skip) when
`cryptography` is missing, 1 on any failure.
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:
    print("SKIP: python's cryptography package is not installed")
    sys.exit(77)

SIGNED = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
ORDER = ["Type", "MessageId", "SequenceNumber", "TopicArn", "Subject", "Message", "Timestamp",
         "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]


def string_to_sign(doc):
    return "".join(f"{k}\n{doc[k]}\n" for k in SIGNED if k in doc).encode("utf-8")


def verifies(doc, public_key):
    algo = {"1": hashes.SHA1(), "2": hashes.SHA256()}[doc["SignatureVersion"]]
    try:
        public_key.verify(base64.b64decode(doc["Signature"], validate=True),
                          string_to_sign(doc), padding.PKCS1v15(), algo)
        return True
    except InvalidSignature:
        return False


def check(path, public_key, version, fifo):
    with open(path, "rb") as f:
        raw = f.read()
    doc = json.loads(raw.decode("utf-8"))
    keys = list(doc.keys())
    expected = [k for k in ORDER if k in keys]
    problems = []
    if keys != expected:
        problems.append(f"field order {keys}")
    if doc.get("Type") != "Notification":
        problems.append("Type")
    if doc.get("SignatureVersion") != version:
        problems.append(f"SignatureVersion {doc.get('SignatureVersion')}")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", doc.get("Timestamp", "")):
        problems.append(f"Timestamp {doc.get('Timestamp')}")
    if fifo != ("SequenceNumber" in doc):
        problems.append("SequenceNumber presence")
    if not doc.get("UnsubscribeURL", "").endswith(doc.get("TopicArn", "?") + ":c9135db0"):
        problems.append("UnsubscribeURL")
    if not verifies(doc, public_key):
        problems.append("signature does not verify")
    tampered = dict(doc, Message=doc["Message"] + ".")
    if verifies(tampered, public_key):
        problems.append("a changed message still verifies")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, SEGLOG_NOTIFICATION_EXPORT=out)
        run = subprocess.run([sys.argv[1], "--gtest_filter=NotificationTest.Export"], env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout, run.stderr)
            print("FAIL: NotificationTest.Export failed")
            return 1
        with open(os.path.join(out, "signing.crt"), "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        public_key = cert.public_key()
        failed = False
        for name, version, fifo in [("v1.json", "1", False), ("v2.json", "2", False),
                                    ("fifo.json", "2", True)]:
            problems = check(os.path.join(out, name), public_key, version, fifo)
            print(("FAIL " if problems else "ok   ") + name + (": " + "; ".join(problems)
                                                           if problems else ""))
            failed = failed or bool(problems)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
