"""ctest's entry to seglogd's client tests (tests.cmake): starts seglogd, runs one scenario with an
unchanged AWS SDK or CLI against it, stops seglogd (SIGTERM, exit status 0 required).

usage: python3 run.py PATH/TO/seglogd TEST
Exit 0 pass, 1 fail, 77 skip (the client this test needs is not installed). Stdlib only.
With SEGLOG_CLIENTS_ENDPOINT=URL the scenario runs against that endpoint instead (e.g.
moto_server, with SEGLOG_CLIENTS_MOTO=1); the tests that restart or configure seglogd skip then.
"""
import os
import shutil
import subprocess
import sys
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import EXTERNAL, HERE, Session, fail, skip

NODE_MODULES = os.path.join(HERE, "..", "..", "clients", "node_modules")


def boto3_python(candidate, want_protocol=None):
    """The real interpreter behind `candidate` if it has boto3 (and SQS over want_protocol)."""
    exe = shutil.which(candidate)
    if not exe:
        skip(f"{candidate} is not installed")
    r = subprocess.run([exe, "-c", "import sys, boto3; print(sys.executable); "
                        "print(boto3.client('sqs', region_name='us-east-1', aws_access_key_id='x',"
                        " aws_secret_access_key='x').meta.service_model.protocol)"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        skip(f"{candidate} has no boto3 (pip install boto3, or apt install python3-boto3)")
    real, protocol = r.stdout.split()
    if want_protocol and protocol != want_protocol:
        skip(f"{candidate}'s botocore sends SQS as {protocol}, this test is for {want_protocol}")
    return real


def boto3_pythons():
    """Every distinct interpreter with boto3: pip's python3 first, then Debian's; skips if none."""
    found = []
    for candidate in ("python3", "/usr/bin/python3"):
        exe = shutil.which(candidate)
        if exe and subprocess.run([exe, "-c", "import boto3"], capture_output=True).returncode == 0:
            real = boto3_python(candidate)
            if real not in found:
                found.append(real)
    if not found:
        skip("no python3 with boto3 (pip install boto3, or apt install python3-boto3)")
    return found


def any_boto3_python():
    return boto3_pythons()[0]


def node():
    exe = shutil.which("node")
    if not exe:
        skip("node is not installed")
    if not os.path.isdir(os.path.join(NODE_MODULES, "@aws-sdk")):
        skip("tests/clients/node_modules is missing (npm ci --prefix tests/clients)")
    return exe


def pip_aws():
    exe = shutil.which("aws")
    if not exe or os.path.realpath(exe) == "/usr/bin/aws":
        skip("pip's awscli is not on PATH (pip install awscli); Debian's is sqs_awscli_debian's")
    py = shutil.which("python3")
    real = subprocess.run([py, "-c", "import sys; print(sys.executable)"], capture_output=True,
                          text=True).stdout.strip() if py else ""
    beside = os.path.join(os.path.dirname(real), "aws") if real else ""
    return beside if beside and os.access(beside, os.X_OK) else exe  # skips a version shim


def debian_aws():
    if not os.access("/usr/bin/aws", os.X_OK):
        skip("/usr/bin/aws (Debian's awscli) is not installed")
    return "/usr/bin/aws"


def script(name):
    return os.path.join(HERE, name)


def simple(client_argv, extra_args=()):
    """One client process (client_argv() + [ENDPOINT], resolved first) against one seglogd."""
    def run(seglogd):
        argv = client_argv()
        with Session(seglogd, extra_args) as s:
            s.run(argv + [s.server.endpoint], timeout=240)
    return run


def prodcons(seglogd):
    py = any_boto3_python()
    with Session(seglogd) as s:
        ep, name, n = s.server.endpoint, "pc" + uuid.uuid4().hex[:8], "300"
        s.run([py, script("prodcons.py"), "setup", ep, name, n])
        consumer = subprocess.Popen([py, script("prodcons.py"), "consume", ep, name, n], env=s.env)
        s.run([py, script("prodcons.py"), "produce", ep, name, n])
        if consumer.wait(120) != 0:
            fail("the consumer process failed")


def kill9(seglogd):
    if EXTERNAL:
        skip("kill -9 needs a seglogd of its own (SEGLOG_CLIENTS_ENDPOINT is set)")
    py = any_boto3_python()
    with Session(seglogd) as s:
        name, logdir = "k9" + uuid.uuid4().hex[:8], os.path.join(s.tmp, "load")
        os.mkdir(logdir)
        s.run([py, script("kill9_load.py"), "setup", s.server.endpoint, name, logdir])
        producer = subprocess.Popen([py, script("kill9_load.py"), "produce", s.server.endpoint,
                                     name, logdir], env=s.env)
        acked = os.path.join(logdir, "acked")
        deadline = time.monotonic() + 60
        while count_lines(acked, "Q ") < 300 or count_lines(acked, "S ") < 100:
            if producer.poll() is not None or time.monotonic() > deadline:
                s.server.dump_log()
                fail(f"the load did not reach 300 acknowledged messages and 100 records "
                     f"(producer status {producer.poll()})")
            time.sleep(0.05)
        s.server.kill9()
        print(f"+ kill -9 seglogd after {count_lines(acked, 'Q ')} messages and "
              f"{count_lines(acked, 'S ')} records were acknowledged", flush=True)
        if producer.wait(120) != 0:
            fail("the producer process failed")
        s.server.start()
        s.run([py, script("kill9_load.py"), "verify", s.server.endpoint, name, logdir])


def kill9_inflight(seglogd):
    """Messages in flight survive kill -9 (issue 14): kill9_inflight.py's setup, 3 rounds each
    after a kill -9 and a restart on the same --data, then its final check."""
    if EXTERNAL:
        skip("kill -9 needs a seglogd of its own (SEGLOG_CLIENTS_ENDPOINT is set)")
    py = any_boto3_python()
    with Session(seglogd, ["--durability", "always"]) as s:
        name, state = "k9i" + uuid.uuid4().hex[:8], os.path.join(s.tmp, "state.json")
        s.run([py, script("kill9_inflight.py"), "setup", s.server.endpoint, name, state])
        for rnd in (1, 2, 3):
            s.server.kill9()
            print(f"+ kill -9 seglogd, restart (round {rnd})", flush=True)
            s.server.start()
            s.run([py, script("kill9_inflight.py"), "round", s.server.endpoint, name, state,
                   str(rnd)])
        s.run([py, script("kill9_inflight.py"), "final", s.server.endpoint, name, state])


def count_lines(path, prefix):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for line in f if line.startswith(prefix))


def hostile(seglogd):
    args = [] if EXTERNAL else ["--head-timeout-ms", "1000"]
    with Session(seglogd, args) as s:
        s.run([sys.executable, script("hostile.py"), s.server.endpoint]
              + ([] if EXTERNAL else ["--slowloris"]), timeout=200)


def auth(seglogd):
    if EXTERNAL:
        skip("needs a seglogd started with --credentials (SEGLOG_CLIENTS_ENDPOINT is set)")
    pys = boto3_pythons()  # both wire forms where both are installed: JSON (pip), Query (Debian)
    key, secret = "AKIDTEST", "s3cr3t/" + uuid.uuid4().hex
    cred_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "seglogd-cred-" + uuid.uuid4().hex)
    os.mkdir(cred_dir, 0o700)
    path = os.path.join(cred_dir, "credentials")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
        with Session(seglogd, ["--credentials", path]) as s:
            for py in pys:
                s.run([py, script("auth.py"), s.server.endpoint, key, secret])
            with open(s.server.log_path, errors="replace") as f:
                if secret in f.read():
                    fail("seglogd's log shows the secret key")
    finally:
        shutil.rmtree(cred_dir, ignore_errors=True)


TESTS = {
    "sqs_boto3_pip": simple(lambda: [boto3_python("python3", "json"), script("sqs_scenario.py")]),
    "sqs_boto3_debian": simple(lambda: [boto3_python("/usr/bin/python3", "query"),
                                        script("sqs_scenario.py")]),
    "sqs_awscli_pip": simple(lambda: [sys.executable, script("cli_sqs.py"), pip_aws()]),
    "sqs_awscli_debian": simple(lambda: [sys.executable, script("cli_sqs.py"), debian_aws()]),
    "sqs_node": simple(lambda: [node(), script("sqs_scenario.mjs")]),
    # Issue 14 (0.3.0): tags, RedriveAllowPolicy, dead-letter sources, move tasks, attempt ids,
    # PurgeQueueInProgress, in-flight state across kill -9.
    "sqs_v3_boto3_pip": simple(lambda: [boto3_python("python3", "json"),
                                        script("sqs_v3_scenario.py")]),
    "sqs_v3_boto3_debian": simple(lambda: [boto3_python("/usr/bin/python3", "query"),
                                           script("sqs_v3_scenario.py")]),
    "sqs_v3_node": simple(lambda: [node(), script("sqs_v3_scenario.mjs")]),
    "kill9_inflight": kill9_inflight,
    "kinesis_boto3": simple(lambda: [any_boto3_python(), script("kinesis_scenario.py")]),
    "kinesis_node": simple(lambda: [node(), script("kinesis_scenario.mjs")]),
    "prodcons": prodcons,
    "kill9": kill9,
    "longpoll": simple(lambda: [any_boto3_python(), script("longpoll.py")]),
    "hostile": hostile,
    "auth": auth,
}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in TESTS:
        print(f"usage: run.py SEGLOGD {{{'|'.join(TESTS)}}}", file=sys.stderr)
        sys.exit(2)
    TESTS[sys.argv[2]](sys.argv[1])
    print(f"PASS: {sys.argv[2]}", flush=True)


if __name__ == "__main__":
    main()
