#!/usr/bin/env python3
"""Second oracle for tests/filter_policy_cases.json: runs every matching case (not the error
cases) through moto's SNS filter-policy matcher (moto.sns.utils.FilterPolicyMatcher) and
reports where moto disagrees with the documented result. Cases marked "moto_differs" (moto
known to differ from AWS's documentation, with the reason) are skipped. Exit 0: agreement;
1: disagreements (listed); 77: moto is not installed (ctest SKIP_RETURN_CODE)."""
import json
import os
import sys

try:
    from moto.sns.utils import FilterPolicyMatcher
except ImportError:
    print("moto is not installed: skipped")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "filter_policy_cases.json")
with open(path) as f:
    table = json.load(f)

checked = skipped = 0
disagreements = []
for case in table["cases"]:
    if "error" in case:
        continue
    if "moto_differs" in case:
        skipped += 1
        continue
    scope = case["scope"]
    matcher = FilterPolicyMatcher(case["policy"], scope)
    try:
        if scope == "MessageBody":
            body = case["body"] if case.get("body_text") else json.dumps(case["body"])
            got = matcher.matches(None, body)
        else:
            got = matcher.matches(case["attributes"], "")
    except Exception as e:  # moto's matcher fails on some shapes: a disagreement too
        got = f"raised {type(e).__name__}: {e}"
    checked += 1
    if not isinstance(got, bool):
        disagreements.append(f'{case["name"]}: moto {got} ({case["doc"]})')
        continue
    if bool(got) != case["match"]:
        disagreements.append(f'{case["name"]}: documented {case["match"]}, moto {bool(got)}'
                             f' ({case["doc"]})')

print(f"{checked} cases checked against moto, {skipped} skipped (moto_differs)")
for d in disagreements:
    print("DISAGREE", d)
sys.exit(1 if disagreements else 0)
