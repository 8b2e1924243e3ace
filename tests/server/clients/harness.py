"""Shared pieces of seglogd's client tests (stdlib only, so any python3 can import it).

Server: one seglogd process started on loopback (`--listen 127.0.0.1:0 --ready-file F`), or an
endpoint that is already running (env SEGLOG_CLIENTS_ENDPOINT, e.g. moto_server, to check the
client side of a scenario against another implementation). Lifetime: start() to stop(); stop()
SIGTERMs seglogd and requires exit status 0. Not thread-safe: one test thread owns it.
Durability: the data directory outlives restarts (restart() reuses it) and is removed with the
test's temporary directory.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
EXTERNAL = os.environ.get("SEGLOG_CLIENTS_ENDPOINT", "")


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(SKIP)


def fail(why):
    print(f"FAIL: {why}", flush=True)
    sys.exit(1)


def client_env(home):
    """The environment every client runs in: dummy keys, a fresh HOME, no user AWS config."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("HOME", "BOTO_CONFIG")}
    env.update(HOME=home, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1",
               AWS_CONFIG_FILE=os.path.join(home, "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "aws-credentials"),
               AWS_PAGER="", AWS_EC2_METADATA_DISABLED="true", PYTHONUNBUFFERED="1",
               PYTHONDONTWRITEBYTECODE="1")
    return env


class Server:
    """One seglogd (or the external endpoint); see the module comment."""

    def __init__(self, seglogd, tmp, extra_args=()):
        self.seglogd = seglogd
        self.data = os.path.join(tmp, "data")
        self.ready = os.path.join(tmp, "ready")
        self.log_path = os.path.join(tmp, "seglogd.log")
        self.extra_args = list(extra_args)
        self.proc = None
        self.endpoint = EXTERNAL

    def start(self, timeout=30.0):
        if EXTERNAL:
            return self.endpoint
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        log = open(self.log_path, "ab")
        args = [self.seglogd, "--data", self.data, "--listen", "127.0.0.1:0",
                "--ready-file", self.ready] + self.extra_args
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None:
                self.dump_log()
                fail(f"seglogd exited with status {self.proc.returncode} before it was ready")
            if time.monotonic() > deadline:
                self.proc.kill()
                self.dump_log()
                fail(f"seglogd wrote no ready file within {timeout} s")
            time.sleep(0.05)
        with open(self.ready) as f:
            self.endpoint = f.readline().strip()
        if not self.endpoint.startswith("http://127.0.0.1:"):
            fail(f"ready file holds {self.endpoint!r}, not http://127.0.0.1:PORT")
        return self.endpoint

    def stop(self, timeout=30.0):
        """SIGTERM; seglogd must exit with status 0 (graceful shutdown)."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.dump_log()
            fail(f"seglogd did not exit within {timeout} s of SIGTERM")
        self.proc = None
        if rc != 0:
            self.dump_log()
            fail(f"seglogd exited with status {rc} after SIGTERM, expected 0")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def dump_log(self, tail=60):
        if os.path.exists(self.log_path):
            with open(self.log_path, errors="replace") as f:
                lines = f.readlines()[-tail:]
            print("---- seglogd log (tail) ----\n" + "".join(lines) + "----", flush=True)


class Session:
    """A test's temporary directory, client environment and server; use with `with`."""

    def __init__(self, seglogd, extra_args=()):
        if not EXTERNAL and not (seglogd and os.access(seglogd, os.X_OK)):
            fail(f"seglogd {seglogd!r} is not an executable")
        self.tmp = tempfile.mkdtemp(prefix="seglogd-clients-")
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.env = client_env(self.home)
        self.server = Server(seglogd, self.tmp, extra_args)

    def __enter__(self):
        try:
            self.server.start()
        except BaseException:  # fail() exits: the temporary directory goes all the same
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.server.stop()
            elif self.server.proc is not None:
                self.server.proc.kill()
                self.server.proc.wait()
                self.server.dump_log()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def run(self, argv, timeout=120, check=True):
        """Runs one client process; its output goes to ours; a non-zero status fails the test."""
        print("+ " + " ".join(argv), flush=True)
        try:
            r = subprocess.run(argv, env=self.env, cwd=self.tmp, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.server.dump_log()
            fail(f"{argv[0]} ran over {timeout} s")
        if check and r.returncode == SKIP:
            skip(f"{' '.join(argv[:2])} skipped (its client is missing)")
        if check and r.returncode != 0:
            self.server.dump_log()
            fail(f"{' '.join(argv[:2])} exited with status {r.returncode}")
        return r.returncode
