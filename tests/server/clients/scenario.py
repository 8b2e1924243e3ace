"""The entry point the client scenarios share: run a step function, and turn a failed check
(AssertionError) or an unexpected AWS error (botocore's ClientError) into one FAIL line and
exit status 1, which run.py reports with seglogd's log."""
import sys

from botocore.exceptions import ClientError


def run(step):
    try:
        step()
    except (AssertionError, ClientError) as e:
        print(f"FAIL: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
