"""ctest's entry to seglogd's SNS client tests (tests.cmake), beside run.py (whose helpers it
uses): starts seglogd, runs one SNS scenario with an unchanged AWS SDK or CLI against it, stops
seglogd (SIGTERM, exit status 0 required).

usage: python3 sns_run.py PATH/TO/seglogd TEST
Exit 0 pass, 1 fail, 77 skip (the client this test needs is not installed). Stdlib only.
"""
import os
import random
import subprocess
import sys
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import EXTERNAL, Session, fail, skip
from run import (boto3_python, count_lines, debian_aws, node, pip_aws, script, simple,
                 any_boto3_python)


def kill9_fanout(seglogd):
    """Acknowledged publishes reach every subscribed queue exactly once across 3 kill -9s."""
    if EXTERNAL:
        skip("kill -9 needs a seglogd of its own (SEGLOG_CLIENTS_ENDPOINT is set)")
    py = any_boto3_python()
    rng = random.Random()
    with Session(seglogd, ["--durability", "always"]) as s:
        name, logdir = "k9f" + uuid.uuid4().hex[:8], os.path.join(s.tmp, "load")
        os.mkdir(logdir)
        acked = os.path.join(logdir, "acked")
        s.run([py, script("kill9_fanout.py"), "setup", s.server.endpoint, name, logdir])
        for rnd in (1, 2, 3):
            producer = subprocess.Popen([py, script("kill9_fanout.py"), "produce",
                                         s.server.endpoint, name, logdir], env=s.env)
            start, deadline = count_lines(acked, "A "), time.monotonic() + 60
            while count_lines(acked, "A ") < start + 20:
                if producer.poll() is not None or time.monotonic() > deadline:
                    s.server.dump_log()
                    fail(f"round {rnd}: the producer acknowledged too little "
                         f"(status {producer.poll()})")
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.5))  # a random moment in the load
            s.server.kill9()
            print(f"+ kill -9 seglogd in round {rnd} after {count_lines(acked, 'A ')} "
                  f"acknowledged publishes", flush=True)
            if producer.wait(60) != 0:
                fail(f"round {rnd}: the producer failed")
            s.server.start()
        s.run([py, script("kill9_fanout.py"), "verify", s.server.endpoint, name, logdir],
              timeout=300)


TESTS = {
    "sns_boto3_pip": simple(lambda: [boto3_python("python3"), script("sns_scenario.py")]),
    "sns_boto3_debian": simple(lambda: [boto3_python("/usr/bin/python3"),
                                        script("sns_scenario.py")]),
    "sns_awscli_pip": simple(lambda: [sys.executable, script("cli_sns.py"), pip_aws()]),
    "sns_awscli_debian": simple(lambda: [sys.executable, script("cli_sns.py"), debian_aws()]),
    "sns_node": simple(lambda: [node(), script("sns_scenario.mjs")]),
    "kill9_fanout": kill9_fanout,
}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in TESTS:
        print(f"usage: sns_run.py SEGLOGD {{{'|'.join(TESTS)}}}", file=sys.stderr)
        sys.exit(2)
    TESTS[sys.argv[2]](sys.argv[1])
    print(f"PASS: {sys.argv[2]}", flush=True)


if __name__ == "__main__":
    main()
